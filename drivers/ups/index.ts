/** UPS monitoring: NUT client (primary), Megatec Q1 over serial and USB HID (fallback), power policy. */
export * from './errors.js';
export * from './clock.js';
export * from './state.js';
export * from './source.js';
export * from './power-policy.js';
export * from './monitor.js';
export * from './nut-client.js';
export * from './nut-source.js';
export * from './megatec-link.js';
export * from './megatec-source.js';
export * from './megatec-serial.js';
export * from './megatec-hid.js';
export * from './megatec-sim.js';
export * from './config.js';
export * from './probe.js';
