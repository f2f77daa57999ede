/**
 * Acknowledge packets (PID 0x07): confirmation code + return data (reference A4/A6), parsed into
 * typed values, and the encoders a simulated module uses to produce them. Parsers never read past
 * the data they were given: a short reply is an R30X_BAD_REPLY error, not a RangeError.
 */
import { R30xConfirmationError, R30xProtocolError } from './errors.js';
import { DEFAULT_ADDRESS, PacketId, encodePacket, type Packet } from './packet.js';

export interface Ack {
  cc: number;
  data: Uint8Array;
}

export function parseAck(p: Packet): Ack {
  if (p.pid !== PacketId.ACK) {
    throw new R30xProtocolError('R30X_BAD_REPLY', 'expected an acknowledge packet', { pid: p.pid });
  }
  if (p.payload.length < 1) throw new R30xProtocolError('R30X_BAD_REPLY', 'acknowledge without a confirmation code');
  return { cc: p.payload[0]!, data: p.payload.subarray(1) };
}

/** Throws R30xConfirmationError unless the code is OK (or one of `accept`). */
export function expectOk(ack: Ack, command: string, accept: readonly number[] = []): Ack {
  if (ack.cc !== 0 && !accept.includes(ack.cc)) throw new R30xConfirmationError(ack.cc, command);
  return ack;
}

function need(data: Uint8Array, n: number, what: string): void {
  if (data.length < n) throw new R30xProtocolError('R30X_BAD_REPLY', `${what} reply too short`, { length: data.length, expected: n });
}

const rd16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;
const rd32 = (d: Uint8Array, o: number): number => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;

export interface SysPara {
  statusRegister: number;
  /** 0x0000 on ZFM-20, 0x0009 on R503 (reference A3). */
  systemId: number;
  capacity: number;
  securityLevel: number;
  address: number;
  packetSizeCode: number;
  /** 32/64/128/256 bytes per data packet. */
  packetSize: number;
  baudN: number;
  baudRate: number;
}

export const packetSizeFromCode = (code: number): number => 32 << (code & 3);

/** ReadSysPara: 8 big-endian words (reference A3). */
export function parseSysPara(data: Uint8Array): SysPara {
  need(data, 16, 'ReadSysPara');
  const packetSizeCode = rd16(data, 12);
  const baudN = rd16(data, 14);
  return {
    statusRegister: rd16(data, 0),
    systemId: rd16(data, 2),
    capacity: rd16(data, 4),
    securityLevel: rd16(data, 6),
    address: rd32(data, 8),
    packetSizeCode,
    packetSize: packetSizeFromCode(packetSizeCode),
    baudN,
    baudRate: baudN * 9600,
  };
}

export interface SearchResult {
  pageId: number;
  score: number;
}

export function parseSearch(data: Uint8Array): SearchResult {
  need(data, 4, 'Search');
  return { pageId: rd16(data, 0), score: rd16(data, 2) };
}

export function parseMatchScore(data: Uint8Array): number {
  need(data, 2, 'Match');
  return rd16(data, 0);
}

export function parseTemplateNum(data: Uint8Array): number {
  need(data, 2, 'TemplateNum');
  return rd16(data, 0);
}

/** ReadIndexTable: bit b of byte k is slot page·256 + 8k + b; 1 = occupied (reference A4). */
export function parseIndexTable(data: Uint8Array, page: number): number[] {
  need(data, 32, 'ReadIndexTable');
  const used: number[] = [];
  for (let k = 0; k < 32; k++) {
    for (let b = 0; b < 8; b++) if ((data[k]! >> b) & 1) used.push(page * 256 + k * 8 + b);
  }
  return used;
}

// ---- encoders for a simulated module ----

export function encodeAck(cc: number, data: ArrayLike<number> = [], address = DEFAULT_ADDRESS): Uint8Array {
  return encodePacket({ address, pid: PacketId.ACK, payload: Uint8Array.from([cc, ...Array.from(data)]) });
}

export function sysParaBytes(p: Omit<SysPara, 'packetSize' | 'baudRate'>): number[] {
  const w = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
  return [
    ...w(p.statusRegister),
    ...w(p.systemId),
    ...w(p.capacity),
    ...w(p.securityLevel),
    (p.address >>> 24) & 0xff,
    (p.address >>> 16) & 0xff,
    (p.address >>> 8) & 0xff,
    p.address & 0xff,
    ...w(p.packetSizeCode),
    ...w(p.baudN),
  ];
}

export function indexTableBytes(occupied: Iterable<number>, page: number): number[] {
  const out = new Array<number>(32).fill(0);
  for (const slot of occupied) {
    const rel = slot - page * 256;
    if (rel >= 0 && rel < 256) out[rel >> 3]! |= 1 << (rel & 7);
  }
  return out;
}
