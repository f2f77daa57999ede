/**
 * R30x / ZFM-20 / AS608 packet codec (reference A2):
 *
 *   EF 01 | AA AA AA AA | PID | LL LL | payload … | CS CS
 *   header  address(BE)   1 B   len = payload + 2   sum(PID, LL LL, payload) & 0xFFFF, BE
 *
 * Pure functions over Uint8Array; the framer (framer.ts) splits a byte stream into packets and
 * calls `decodePacket` on each candidate.
 */
import { R30xProtocolError } from './errors.js';

export const HEADER_HI = 0xef;
export const HEADER_LO = 0x01;
export const DEFAULT_ADDRESS = 0xffffffff;
/** Header + address + PID + length. */
export const PREFIX_LENGTH = 9;
/**
 * Largest length field accepted. The manual says 256 (reference A2), but a module set to 256-byte
 * data packets sends length 0x0102 (Adafruit's template dump: two packets, 534 bytes with framing;
 * reference A7), so 256 payload bytes + 2 is the real ceiling.
 */
export const MAX_LENGTH_FIELD = 258;
export const MIN_LENGTH_FIELD = 2;
export const MAX_PACKET_LENGTH = PREFIX_LENGTH + MAX_LENGTH_FIELD;

export const PacketId = {
  COMMAND: 0x01,
  DATA: 0x02,
  ACK: 0x07,
  END_DATA: 0x08,
} as const;
export type PacketIdValue = (typeof PacketId)[keyof typeof PacketId];

export function isPacketId(b: number): b is PacketIdValue {
  return b === 0x01 || b === 0x02 || b === 0x07 || b === 0x08;
}

export interface Packet {
  address: number;
  pid: PacketIdValue;
  payload: Uint8Array;
}

/** Arithmetic sum of PID, both length bytes and every payload byte, truncated to 16 bits. */
export function checksum(pid: number, lengthField: number, payload: Uint8Array): number {
  let sum = pid + ((lengthField >> 8) & 0xff) + (lengthField & 0xff);
  for (const b of payload) sum += b;
  return sum & 0xffff;
}

export function encodePacket(p: Packet): Uint8Array {
  const lengthField = p.payload.length + 2;
  if (lengthField > MAX_LENGTH_FIELD) {
    throw new R30xProtocolError('R30X_BAD_ARGUMENT', 'payload too long for one packet', { payloadLength: p.payload.length });
  }
  if (!Number.isInteger(p.address) || p.address < 0 || p.address > 0xffffffff) {
    throw new R30xProtocolError('R30X_BAD_ARGUMENT', 'address must be a 32-bit unsigned integer');
  }
  const out = new Uint8Array(PREFIX_LENGTH + lengthField);
  out[0] = HEADER_HI;
  out[1] = HEADER_LO;
  out[2] = (p.address >>> 24) & 0xff;
  out[3] = (p.address >>> 16) & 0xff;
  out[4] = (p.address >>> 8) & 0xff;
  out[5] = p.address & 0xff;
  out[6] = p.pid;
  out[7] = (lengthField >> 8) & 0xff;
  out[8] = lengthField & 0xff;
  out.set(p.payload, PREFIX_LENGTH);
  const cs = checksum(p.pid, lengthField, p.payload);
  out[out.length - 2] = (cs >> 8) & 0xff;
  out[out.length - 1] = cs & 0xff;
  return out;
}

export type DecodeResult = { ok: true; packet: Packet } | { ok: false; error: R30xProtocolError };

const fail = (error: R30xProtocolError): DecodeResult => ({ ok: false, error });

/**
 * Decodes exactly one complete packet. Never throws: every malformed input yields a typed error
 * (bounds are checked before each read, so a lying length field cannot cause an out-of-range read).
 */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  if (bytes.length < PREFIX_LENGTH + MIN_LENGTH_FIELD) {
    return fail(new R30xProtocolError('R30X_TRUNCATED', 'packet shorter than the minimum', { length: bytes.length }));
  }
  if (bytes[0] !== HEADER_HI || bytes[1] !== HEADER_LO) {
    return fail(new R30xProtocolError('R30X_BAD_HEADER', 'packet does not start with EF 01'));
  }
  const pid = bytes[6]!;
  if (!isPacketId(pid)) {
    return fail(new R30xProtocolError('R30X_BAD_PID', 'unknown packet identifier', { pid }));
  }
  const lengthField = (bytes[7]! << 8) | bytes[8]!;
  if (lengthField < MIN_LENGTH_FIELD || lengthField > MAX_LENGTH_FIELD) {
    return fail(new R30xProtocolError('R30X_BAD_LENGTH', 'length field out of range', { lengthField }));
  }
  const total = PREFIX_LENGTH + lengthField;
  if (bytes.length < total) {
    return fail(new R30xProtocolError('R30X_TRUNCATED', 'packet shorter than its length field', { length: bytes.length, expected: total }));
  }
  if (bytes.length > total) {
    return fail(new R30xProtocolError('R30X_TRAILING_BYTES', 'bytes after the checksum', { length: bytes.length, expected: total }));
  }
  const payload = bytes.slice(PREFIX_LENGTH, total - 2);
  const expected = checksum(pid, lengthField, payload);
  const got = (bytes[total - 2]! << 8) | bytes[total - 1]!;
  if (expected !== got) {
    return fail(new R30xProtocolError('R30X_BAD_CHECKSUM', 'checksum mismatch', { expected, got }));
  }
  const address = ((bytes[2]! << 24) | (bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!) >>> 0;
  return { ok: true, packet: { address, pid, payload } };
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
