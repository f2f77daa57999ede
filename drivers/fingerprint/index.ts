/** Fingerprint readers: the R30x serial module driver and the UIDAI RD-service client, with simulators. */
export * from './errors.js';
export * from './r30x/driver.js';
export * from './r30x/operations.js';
export * from './r30x/port.js';
export * from './r30x-simulator.js';
export * from './r30x-pty.js';
export * from './rd-service/client.js';
export * from './rd-service/http.js';
export * from './rd-service-simulator.js';
export * from './demo-readers.js';
