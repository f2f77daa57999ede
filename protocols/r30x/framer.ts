/**
 * Splits the byte stream from an R30x module into packets (reference A2). Push-based and pure:
 * the driver feeds it whatever the serial port delivered and acts on the returned items.
 *
 * Rules:
 * - A packet starts at EF 01; anything before a header is garbage, reported as one `discarded`
 *   item per run (length and bytes; the driver logs only the length, as garbage may be a piece of
 *   template or image data).
 * - A lone 0x55 outside a packet is the R503's "ready" byte, sent after power-up and SoftRst
 *   (reference A1, R503M); it is reported as `ready`, not as garbage.
 * - A candidate header with an unknown PID, an impossible length or (when configured) a foreign
 *   address is not a header: one byte is dropped and the scan continues.
 * - A bad checksum drops the candidate up to the next EF 01 inside it, so a real packet that
 *   followed a corrupted one is still found.
 * - Never throws; the buffer never holds more than one maximal packet (267 bytes) between pushes.
 */
import { HEADER_HI, HEADER_LO, MAX_LENGTH_FIELD, MAX_PACKET_LENGTH, MIN_LENGTH_FIELD, PREFIX_LENGTH, decodePacket, isPacketId, type Packet } from './packet.js';

export const READY_BYTE = 0x55;

export type DiscardReason = 'garbage' | 'bad-checksum' | 'flushed';

export type FramerItem =
  | { kind: 'packet'; packet: Packet }
  | { kind: 'discarded'; reason: DiscardReason; bytes: Uint8Array }
  | { kind: 'ready' };

export interface FramerOptions {
  /** Accept only packets from this module address; others are resynced past. Default: any. */
  address?: number;
}

export interface FramerStats {
  packets: number;
  discardedBytes: number;
  checksumErrors: number;
  readyBytes: number;
}

export class R30xFramer {
  #rest: Uint8Array = new Uint8Array(0);
  readonly #address: number | undefined;
  readonly stats: FramerStats = { packets: 0, discardedBytes: 0, checksumErrors: 0, readyBytes: 0 };

  constructor(opts: FramerOptions = {}) {
    this.#address = opts.address;
  }

  /** Bytes held back waiting for the rest of a packet (never more than one maximal packet). */
  get bufferedBytes(): number {
    return this.#rest.length;
  }

  /** Drops any partial packet (the driver calls this after a command times out). */
  flush(): FramerItem[] {
    if (this.#rest.length === 0) return [];
    const bytes = this.#rest;
    this.#rest = new Uint8Array(0);
    this.stats.discardedBytes += bytes.length;
    return [{ kind: 'discarded', reason: 'flushed', bytes }];
  }

  reset(): void {
    this.#rest = new Uint8Array(0);
  }

  push(chunk: Uint8Array): FramerItem[] {
    const items: FramerItem[] = [];
    let data: Uint8Array;
    if (this.#rest.length === 0) {
      data = chunk;
    } else {
      data = new Uint8Array(this.#rest.length + chunk.length);
      data.set(this.#rest, 0);
      data.set(chunk, this.#rest.length);
    }
    let pos = 0;
    let garbageStart = -1;
    const flushGarbage = (end: number): void => {
      if (garbageStart < 0 || end <= garbageStart) {
        garbageStart = -1;
        return;
      }
      const bytes = data.slice(garbageStart, end);
      garbageStart = -1;
      if (bytes.length === 1 && bytes[0] === READY_BYTE) {
        this.stats.readyBytes++;
        items.push({ kind: 'ready' });
        return;
      }
      this.stats.discardedBytes += bytes.length;
      items.push({ kind: 'discarded', reason: 'garbage', bytes });
    };
    const markGarbage = (from: number): void => {
      if (garbageStart < 0) garbageStart = from;
    };

    for (;;) {
      const h = findHeader(data, pos);
      if (h < 0) {
        // Keep a trailing EF: it may be the first half of a header split across chunks.
        const keep = data.length > pos && data[data.length - 1] === HEADER_HI ? 1 : 0;
        if (data.length - keep > pos) markGarbage(pos);
        flushGarbage(data.length - keep);
        pos = data.length - keep;
        break;
      }
      if (h > pos) markGarbage(pos);
      pos = h;
      if (data.length - pos < PREFIX_LENGTH) break; // wait for the rest of the prefix
      const pid = data[pos + 6]!;
      const lengthField = (data[pos + 7]! << 8) | data[pos + 8]!;
      const address = ((data[pos + 2]! << 24) | (data[pos + 3]! << 16) | (data[pos + 4]! << 8) | data[pos + 5]!) >>> 0;
      if (
        !isPacketId(pid) ||
        lengthField < MIN_LENGTH_FIELD ||
        lengthField > MAX_LENGTH_FIELD ||
        (this.#address !== undefined && address !== this.#address)
      ) {
        markGarbage(pos);
        pos += 1;
        continue;
      }
      const total = PREFIX_LENGTH + lengthField;
      if (data.length - pos < total) break; // wait for the rest of the packet
      flushGarbage(pos);
      const res = decodePacket(data.subarray(pos, pos + total));
      if (res.ok) {
        this.stats.packets++;
        items.push({ kind: 'packet', packet: res.packet });
        pos += total;
        continue;
      }
      // Bad checksum (the only failure left after the checks above): resync at the next header
      // inside the candidate, or past it if there is none.
      const inner = findHeader(data, pos + 1);
      const end = inner >= 0 && inner < pos + total ? inner : pos + total;
      const bytes = data.slice(pos, end);
      this.stats.checksumErrors++;
      this.stats.discardedBytes += bytes.length;
      items.push({ kind: 'discarded', reason: 'bad-checksum', bytes });
      pos = end;
    }
    flushGarbage(pos);
    this.#rest = data.slice(pos);
    // Defensive cap; unreachable by construction (a held-back tail is shorter than one packet).
    if (this.#rest.length > MAX_PACKET_LENGTH) items.push(...this.flush());
    return items;
  }
}

function findHeader(data: Uint8Array, from: number): number {
  let i = data.indexOf(HEADER_HI, from);
  while (i >= 0 && i + 1 < data.length) {
    if (data[i + 1] === HEADER_LO) return i;
    i = data.indexOf(HEADER_HI, i + 1);
  }
  // An EF as the very last byte counts as "maybe a header" only for the caller's keep rule.
  return -1;
}
