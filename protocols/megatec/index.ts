export * from './errors.js';
export * from './reply.js';
export * from './q1.js';
export * from './info.js';
export * from './battery.js';
