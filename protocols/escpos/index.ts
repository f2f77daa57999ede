export * from './errors.js';
export * from './status.js';
export * from './replies.js';
export * from './decoder.js';
export * from './encode.js';
export * from './receipt.js';
export * from './receipt-qr.js';
