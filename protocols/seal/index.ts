/** Sealing of e-KYC captures to central's key (DESIGN §6). */
export * from './seal.js';
