/**
 * Multi-packet data transfer (UpChar, DownChar, UpImage): after the command's acknowledge the
 * sender emits data packets (PID 0x02) and ends with one end-of-data packet (PID 0x08); no ack
 * is sent per data packet (reference A2, ZFM20 UpImage note 2). Payload size per packet is the
 * module's packet-size setting (32/64/128/256 B, factory 128 B; reference A3).
 *
 * Template and image bytes are biometric: these helpers never describe their content in errors.
 */
import { R30xProtocolError } from './errors.js';
import { DEFAULT_ADDRESS, PacketId, encodePacket, type Packet } from './packet.js';

/** UpImage over UART: 256×288 pixels, 4 bits each (reference A7). */
export const IMAGE_WIDTH = 256;
export const IMAGE_HEIGHT = 288;
export const IMAGE_BYTES = (IMAGE_WIDTH * IMAGE_HEIGHT) / 2;
/** Header, address, PID, length and checksum around each data payload. */
export const PACKET_OVERHEAD = 11;

export function splitData(bytes: Uint8Array, packetSize: number, address = DEFAULT_ADDRESS): Uint8Array[] {
  if (![32, 64, 128, 256].includes(packetSize)) {
    throw new R30xProtocolError('R30X_BAD_ARGUMENT', 'packet size must be 32, 64, 128 or 256', { packetSize });
  }
  const chunk = packetSize;
  const out: Uint8Array[] = [];
  for (let off = 0; off < bytes.length || out.length === 0; off += chunk) {
    const last = off + chunk >= bytes.length;
    out.push(encodePacket({ address, pid: last ? PacketId.END_DATA : PacketId.DATA, payload: bytes.subarray(off, off + chunk) }));
    if (last) break;
  }
  return out;
}

/** Total bytes on the wire for `payloadBytes` of data at `packetSize` per packet. */
export function wireBytesFor(payloadBytes: number, packetSize: number): number {
  return payloadBytes + Math.max(1, Math.ceil(payloadBytes / packetSize)) * PACKET_OVERHEAD;
}

export type CollectState = 'more' | 'done';

/** Reassembles a data transfer; bounded by `maxBytes` so a runaway stream cannot grow memory. */
export class DataCollector {
  readonly #parts: Uint8Array[] = [];
  #size = 0;
  #done = false;
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#size;
  }

  get packets(): number {
    return this.#parts.length;
  }

  /** Adds one packet; throws R30X_BAD_REPLY on a non-data packet or when over the bound. */
  accept(p: Packet): CollectState {
    if (this.#done) throw new R30xProtocolError('R30X_BAD_REPLY', 'data after end-of-data');
    if (p.pid !== PacketId.DATA && p.pid !== PacketId.END_DATA) {
      throw new R30xProtocolError('R30X_BAD_REPLY', 'expected a data packet', { pid: p.pid });
    }
    if (this.#size + p.payload.length > this.#maxBytes) {
      throw new R30xProtocolError('R30X_BAD_REPLY', 'data transfer longer than expected', { maxBytes: this.#maxBytes });
    }
    this.#parts.push(p.payload);
    this.#size += p.payload.length;
    if (p.pid === PacketId.END_DATA) this.#done = true;
    return this.#done ? 'done' : 'more';
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let off = 0;
    for (const part of this.#parts) {
      out.set(part, off);
      off += part.length;
    }
    return out;
  }
}

/** 4-bit UART image to 8-bit grey (v×17, as pyfingerprint does; reference A7). */
export function unpackImage(nibbles: Uint8Array): Uint8Array {
  const out = new Uint8Array(nibbles.length * 2);
  for (let i = 0; i < nibbles.length; i++) {
    out[2 * i] = (nibbles[i]! >> 4) * 17;
    out[2 * i + 1] = (nibbles[i]! & 0x0f) * 17;
  }
  return out;
}
