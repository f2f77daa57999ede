/** R30x / ZFM-20 / AS608 fingerprint module protocol: packets, framer, commands, replies, data transfer. */
export * from './errors.js';
export * from './packet.js';
export * from './framer.js';
export * from './commands.js';
export * from './replies.js';
export * from './data.js';
