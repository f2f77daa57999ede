/**
 * ESC/POS byte stream → a list of operations (text with style, raster, QR, barcode, feed, cut,
 * status requests). The tests and the printer simulator use it to check, from outside, what
 * a job would print. It is written from the Epson command tables (reference B2/B3), not from
 * the encoder we send with, so it is an independent oracle (reference B8: no npm decoder exists).
 *
 * Streaming: `push()` takes chunks of any size and keeps an unfinished command until the rest
 * arrives. It never throws on garbage: unknown commands become `unknown` ops, and a command
 * that declares more bytes than `maxCommandBytes` is reported as `discarded` and its declared
 * payload skipped without being buffered.
 */
import { commandLength, isKnownCommand, type Need } from './decoder-table.js';

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  bold: boolean;
  /** 0 off, 1 thin, 2 thick (ESC - n). */
  underline: 0 | 1 | 2;
  font: 'A' | 'B';
  /** Character size multipliers from ESC ! and GS ! (1–8). */
  width: number;
  height: number;
  invert: boolean;
  align: Align;
  /** ESC t code page number; bytes ≥ 0x80 are shown as Latin-1 whatever the page. */
  codepage: number;
}

export const DEFAULT_STYLE: Readonly<TextStyle> = Object.freeze({
  bold: false,
  underline: 0,
  font: 'A',
  width: 1,
  height: 1,
  invert: false,
  align: 'left',
  codepage: 0,
});

export type StatusRequest = 'dle-eot' | 'dle-enq' | 'gs-r' | 'asb' | 'gs-i';

export type EscposOp =
  | { kind: 'init' }
  | { kind: 'text'; text: string; style: TextStyle }
  | { kind: 'newline' }
  /** GS v 0: width in dots (a multiple of 8), rows, MSB = leftmost dot, 1 = black (ref B3). */
  | { kind: 'raster'; width: number; height: number; mode: number; data: Uint8Array; align: Align }
  | { kind: 'column-image'; mode: number; columns: number; data: Uint8Array }
  | { kind: 'qr'; data: Uint8Array; text: string; model: number; size: number; errorLevel: 'L' | 'M' | 'Q' | 'H' }
  | { kind: 'barcode'; system: number; symbology: string; data: Uint8Array; text: string; height: number; moduleWidth: number; hri: number }
  | { kind: 'feed'; lines?: number; dots?: number }
  | { kind: 'cut'; partial: boolean; feed?: number }
  | { kind: 'status-request'; request: StatusRequest; n: number }
  | { kind: 'pulse'; pin: number; onMs: number; offMs: number }
  /** A recognised command with no visible effect on the paper model here (line spacing, FS .…). */
  | { kind: 'command'; name: string; bytes: Uint8Array }
  | { kind: 'unknown'; bytes: Uint8Array }
  | { kind: 'discarded'; reason: 'oversize' | 'truncated'; bytes: number };

export interface DecoderOptions {
  /** Largest single command kept in memory, bytes. Default 2 MiB (a 576×29 000-dot raster). */
  maxCommandBytes?: number;
}

const BARCODES: Record<number, string> = {
  0: 'upca', 1: 'upce', 2: 'ean13', 3: 'ean8', 4: 'code39', 5: 'itf', 6: 'codabar',
  65: 'upca', 66: 'upce', 67: 'ean13', 68: 'ean8', 69: 'code39', 70: 'itf', 71: 'codabar',
  72: 'code93', 73: 'code128', 74: 'gs1-128', 75: 'gs1-databar-omni', 76: 'gs1-databar-truncated',
  77: 'gs1-databar-limited', 78: 'gs1-databar-expanded', 79: 'code128-auto',
};
const QR_EC = ['L', 'M', 'Q', 'H'] as const;

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

export class EscposDecoder {
  #buf: Uint8Array = new Uint8Array(0);
  #skip = 0;
  #style: TextStyle = { ...DEFAULT_STYLE };
  #text = '';
  #qr = { model: 2, size: 3, ec: 1, data: new Uint8Array(0) };
  #bar = { height: 162, width: 3, hri: 0 };
  readonly #max: number;

  constructor(opts: DecoderOptions = {}) {
    this.#max = opts.maxCommandBytes ?? 2 * 1024 * 1024;
  }

  get style(): Readonly<TextStyle> {
    return this.#style;
  }

  push(chunk: Uint8Array): EscposOp[] {
    const out: EscposOp[] = [];
    let data = chunk;
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, data.length);
      this.#skip -= n;
      data = data.subarray(n);
    }
    if (data.length === 0) return out;
    const buf = this.#buf.length === 0 ? data : concat(this.#buf, data);
    let i = 0;
    while (i < buf.length) {
      const b = buf[i]!;
      if (b >= 0x20 || b === 0x09) {
        let j = i;
        while (j < buf.length && (buf[j]! >= 0x20 || buf[j] === 0x09)) j++;
        this.#text += latin1(buf.subarray(i, j));
        i = j;
        continue;
      }
      const need: Need = commandLength(buf, i);
      if (need.kind === 'more') {
        if (need.total !== undefined && need.total > this.#max) {
          // Skip the declared payload without keeping it (bounded memory on garbage lengths).
          this.#flushText(out);
          out.push({ kind: 'discarded', reason: 'oversize', bytes: need.total });
          const have = buf.length - i;
          this.#skip = need.total - have;
          i = buf.length;
          break;
        }
        if (buf.length - i > this.#max) {
          this.#flushText(out);
          out.push({ kind: 'discarded', reason: 'truncated', bytes: buf.length - i });
          i = buf.length;
        }
        break;
      }
      if (need.total > this.#max) {
        this.#flushText(out);
        out.push({ kind: 'discarded', reason: 'oversize', bytes: need.total });
        i += need.total;
        continue;
      }
      this.#apply(buf.subarray(i, i + need.total), out);
      i += need.total;
    }
    if (i > buf.length) {
      this.#skip += i - buf.length;
      i = buf.length;
    }
    this.#buf = buf.slice(i);
    return out;
  }

  /** Flushes pending text (a printer prints its line buffer on the next LF; tests want it now). */
  end(): EscposOp[] {
    const out: EscposOp[] = [];
    this.#flushText(out);
    if (this.#buf.length > 0) {
      out.push({ kind: 'discarded', reason: 'truncated', bytes: this.#buf.length });
      this.#buf = new Uint8Array(0);
    }
    return out;
  }

  #flushText(out: EscposOp[]): void {
    if (this.#text.length > 0) {
      out.push({ kind: 'text', text: this.#text, style: { ...this.#style } });
      this.#text = '';
    }
  }

  #setStyle(out: EscposOp[], patch: Partial<TextStyle>): void {
    this.#flushText(out);
    this.#style = { ...this.#style, ...patch };
  }

  #apply(c: Uint8Array, out: EscposOp[]): void {
    const [b0, b1 = 0, b2 = 0] = c;
    const p = (k: number): number => c[k] ?? 0;
    if (b0 === 0x0a) {
      this.#flushText(out);
      out.push({ kind: 'newline' });
      return;
    }
    if (b0 === 0x0d) return; // CR: the encoder sends LF CR; LF already printed the line.
    if ((b0 === 0x1b || b0 === 0x1d || b0 === 0x1c) && !isKnownCommand(b0, b1)) {
      out.push({ kind: 'unknown', bytes: c.slice() });
      return;
    }
    if (b0 === 0x1b) {
      switch (b1) {
        case 0x40:
          this.#flushText(out);
          this.#style = { ...DEFAULT_STYLE };
          out.push({ kind: 'init' });
          return;
        case 0x21: // ESC ! n: bit0 font B, bit3 bold, bit4 double height, bit5 double width, bit7 underline
          return this.#setStyle(out, {
            font: b2 & 1 ? 'B' : 'A',
            bold: (b2 & 0x08) !== 0,
            height: b2 & 0x10 ? 2 : 1,
            width: b2 & 0x20 ? 2 : 1,
            underline: b2 & 0x80 ? 1 : 0,
          });
        case 0x45:
          return this.#setStyle(out, { bold: (b2 & 1) === 1 });
        case 0x2d:
          return this.#setStyle(out, { underline: (b2 % 48 === 2 ? 2 : b2 % 48 === 1 ? 1 : 0) });
        case 0x4d:
          return this.#setStyle(out, { font: b2 % 48 === 1 ? 'B' : 'A' });
        case 0x61:
          return this.#setStyle(out, { align: (['left', 'center', 'right'] as const)[b2 % 48] ?? 'left' });
        case 0x74:
          return this.#setStyle(out, { codepage: b2 });
        case 0x64:
          this.#flushText(out);
          out.push({ kind: 'feed', lines: b2 });
          return;
        case 0x4a:
          this.#flushText(out);
          out.push({ kind: 'feed', dots: b2 });
          return;
        case 0x70:
          out.push({ kind: 'pulse', pin: b2 % 48, onMs: p(3) * 2, offMs: p(4) * 2 });
          return;
        case 0x69:
        case 0x6d:
          this.#flushText(out);
          out.push({ kind: 'cut', partial: true });
          return;
        case 0x2a: {
          this.#flushText(out);
          out.push({ kind: 'column-image', mode: b2, columns: p(3) + p(4) * 256, data: c.slice(5) });
          return;
        }
      }
      out.push({ kind: 'command', name: `ESC ${String.fromCharCode(b1)}`, bytes: c.slice() });
      return;
    }
    if (b0 === 0x1d) {
      switch (b1) {
        case 0x21:
          return this.#setStyle(out, { width: ((b2 >> 4) & 7) + 1, height: (b2 & 7) + 1 });
        case 0x42:
          return this.#setStyle(out, { invert: (b2 & 1) === 1 });
        case 0x56: {
          this.#flushText(out);
          const partial = b2 === 1 || b2 === 49 || b2 === 66 || b2 === 98 || b2 === 104;
          out.push(c.length > 3 ? { kind: 'cut', partial, feed: p(3) } : { kind: 'cut', partial });
          return;
        }
        case 0x68:
          this.#bar.height = b2;
          return;
        case 0x77:
          this.#bar.width = b2;
          return;
        case 0x48:
          this.#bar.hri = b2 % 48;
          return;
        case 0x6b: {
          this.#flushText(out);
          const data = b2 <= 6 ? c.slice(3, c.length - 1) : c.slice(4);
          out.push({
            kind: 'barcode', system: b2, symbology: BARCODES[b2] ?? `type-${b2}`, data, text: latin1(data),
            height: this.#bar.height, moduleWidth: this.#bar.width, hri: this.#bar.hri,
          });
          return;
        }
        case 0x76: {
          this.#flushText(out);
          const w = p(4) + p(5) * 256;
          const h = p(6) + p(7) * 256;
          out.push({ kind: 'raster', width: w * 8, height: h, mode: p(3) % 48, data: c.slice(8), align: this.#style.align });
          return;
        }
        case 0x28:
          if (b2 === 0x6b) return this.#qrCommand(c, out);
          break;
        case 0x72:
          out.push({ kind: 'status-request', request: 'gs-r', n: b2 });
          return;
        case 0x61:
          out.push({ kind: 'status-request', request: 'asb', n: b2 });
          return;
        case 0x49:
          out.push({ kind: 'status-request', request: 'gs-i', n: b2 });
          return;
      }
      out.push({ kind: 'command', name: `GS ${String.fromCharCode(b1)}`, bytes: c.slice() });
      return;
    }
    if (b0 === 0x10 && (b1 === 0x04 || b1 === 0x05)) {
      out.push({ kind: 'status-request', request: b1 === 0x04 ? 'dle-eot' : 'dle-enq', n: b2 });
      return;
    }
    if (b0 === 0x1c) {
      out.push({ kind: 'command', name: `FS ${String.fromCharCode(b1)}`, bytes: c.slice() });
      return;
    }
    out.push({ kind: 'unknown', bytes: c.slice() });
  }

  /** GS ( k pL pH cn fn …: only cn 0x31 (QR Code) is modelled; ref B2 QR row. */
  #qrCommand(c: Uint8Array, out: EscposOp[]): void {
    const cn = c[5];
    const fn = c[6];
    const m = c[7] ?? 0;
    if (cn !== 0x31) {
      out.push({ kind: 'command', name: `GS ( k cn=${cn ?? -1}`, bytes: c.slice() });
      return;
    }
    switch (fn) {
      case 0x41:
        this.#qr.model = m - 0x30;
        return;
      case 0x43:
        this.#qr.size = m;
        return;
      case 0x45:
        this.#qr.ec = Math.max(0, Math.min(3, m - 0x30));
        return;
      case 0x50:
        this.#qr.data = c.slice(8);
        return;
      case 0x51: {
        this.#flushText(out);
        const q = this.#qr;
        out.push({ kind: 'qr', data: q.data, text: new TextDecoder().decode(q.data), model: q.model, size: q.size, errorLevel: QR_EC[q.ec] ?? 'M' });
        return;
      }
    }
    out.push({ kind: 'command', name: `GS ( k fn=${fn ?? -1}`, bytes: c.slice() });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}

/** Decodes a whole job at once. */
export function decodeEscpos(bytes: Uint8Array, opts?: DecoderOptions): EscposOp[] {
  const d = new EscposDecoder(opts);
  return [...d.push(bytes), ...d.end()];
}

/** The printed text lines of a job: text ops joined, split at newlines (feeds add blank lines). */
export function textLines(ops: readonly EscposOp[]): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const op of ops) {
    if (op.kind === 'text') cur += op.text;
    else if (op.kind === 'newline') {
      lines.push(cur);
      cur = '';
    }
  }
  if (cur) lines.push(cur);
  return lines;
}
