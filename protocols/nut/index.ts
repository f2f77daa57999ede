export * from './errors.js';
export * from './wire.js';
export * from './requests.js';
export * from './status.js';
