/** UIDAI Registered Device service protocol: RDService/DeviceInfo/PidOptions/PidData XML, errors, health. */
export * from './errors.js';
export * from './xml.js';
export * from './rdservice-info.js';
export * from './device-info.js';
export * from './pid-options.js';
export * from './pid-data.js';
export * from './health.js';
