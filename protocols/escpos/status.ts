/**
 * ESC/POS status replies → a typed status. No library decodes these (reference B4), so the
 * bit tables below are written from the Epson/Citizen/Bixolon manuals cited there.
 *
 * Three sources of status:
 * - DLE EOT n (`10 04 n`, real-time, one byte back): n=1 printer, 2 offline cause, 3 error
 *   cause, 4 roll paper. Every reply has the fixed pattern 0xx1xx10, i.e. (b & 0x93) === 0x12.
 * - GS r 1 (`1D 72 01`, processed in sequence, one byte back, pattern 0xx0xxxx): paper sensors.
 *   Once paper end has taken the printer offline it stops answering, so GS r cannot be the
 *   only source of "paper end" (ref B4).
 * - Automatic Status Back (`1D 61 n`): four bytes on enable and on every change; the first has
 *   pattern 0xx1xx00, the other three 0xx0xxxx (Citizen CT-S310II appendix 5.3).
 */
import { EscposError, EscposErrorCode, toHex } from './errors.js';

/**
 * What the printer told us. A field is `undefined` when no reply covered it yet: a cheap USB
 * printer that never answers leaves everything undefined, and the driver must still print.
 */
export interface PrinterStatus {
  /** DLE EOT 1 bit3 clear / ASB byte1 bit3 clear. */
  online?: boolean;
  coverOpen?: boolean;
  /** Roll paper near-end sensor: paper is running low but printing continues. */
  paperNearEnd?: boolean;
  /** Roll paper end: printing has stopped. */
  paperEnd?: boolean;
  /** Feed button held (DLE EOT 2 bit3 / ASB byte1 bit6). */
  feedButton?: boolean;
  /** An error occurred (DLE EOT 2 bit6); the cause is in DLE EOT 3. */
  error?: boolean;
  /** Mechanical / recoverable error (DLE EOT 3 bit2, ASB byte2 bit2). */
  recoverableError?: boolean;
  cutterError?: boolean;
  /** Needs a power cycle or service (DLE EOT 3 bit5, ASB byte2 bit5). */
  unrecoverableError?: boolean;
  /** Clears by itself, e.g. print head overheated (DLE EOT 3 bit6, ASB byte2 bit6). */
  autoRecoverableError?: boolean;
  /** Drawer kick-out connector pin 3 level; meaning depends on the drawer, reported as-is. */
  drawerPin3High?: boolean;
}

export type StatusField = keyof PrinterStatus;

/** Real-time status request selectors for DLE EOT n. */
export type DleEotFunction = 1 | 2 | 3 | 4;

export const STATUS_COMMANDS = {
  /** `10 04 n` transmit real-time status. */
  dleEot: (n: DleEotFunction): Uint8Array => Uint8Array.of(0x10, 0x04, n),
  /** `1D 72 01` transmit paper sensor status. */
  gsR1: Uint8Array.of(0x1d, 0x72, 0x01),
  /** `1D 61 n` enable ASB; 0xFF asks for every source (as receiptio does, ref B4). */
  enableAsb: (mask = 0xff): Uint8Array => Uint8Array.of(0x1d, 0x61, mask & 0xff),
  /** `10 05 02` recover from a recoverable error after clearing the buffers. */
  recoverClear: Uint8Array.of(0x10, 0x05, 0x02),
} as const;

const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;

export const isDleEotReply = (b: number): boolean => (b & 0x93) === 0x12;
export const isAsbHeader = (b: number): boolean => (b & 0x93) === 0x10;
export const isSequentialReply = (b: number): boolean => (b & 0x90) === 0x00;

function checkByte(b: number, ok: boolean, what: string): void {
  if (!Number.isInteger(b) || b < 0 || b > 255 || !ok) {
    throw new EscposError(EscposErrorCode.StatusPattern, `${what}: byte 0x${toHex([b & 0xff])} lacks the fixed bits`, {
      byte: b,
    });
  }
}

/** Decodes the one-byte reply to DLE EOT n. Throws StatusPattern on a byte that is not one. */
export function decodeDleEot(n: DleEotFunction, b: number): PrinterStatus {
  checkByte(b, isDleEotReply(b), `DLE EOT ${n} reply`);
  switch (n) {
    case 1:
      return { drawerPin3High: bit(b, 2), online: !bit(b, 3) };
    case 2:
      return { coverOpen: bit(b, 2), feedButton: bit(b, 3), paperEnd: bit(b, 5), error: bit(b, 6) };
    case 3:
      return {
        recoverableError: bit(b, 2),
        cutterError: bit(b, 3),
        unrecoverableError: bit(b, 5),
        autoRecoverableError: bit(b, 6),
      };
    case 4:
      // Two sensor bits each (0x0C near-end, 0x60 end); makers set one or both (ref B4 table).
      return { paperNearEnd: (b & 0x0c) !== 0, paperEnd: (b & 0x60) !== 0 };
  }
}

/** Decodes the one-byte reply to GS r 1 (paper sensors). */
export function decodeGsR1(b: number): PrinterStatus {
  checkByte(b, isSequentialReply(b), 'GS r 1 reply');
  return { paperNearEnd: (b & 0x03) !== 0, paperEnd: (b & 0x0c) !== 0 };
}

/** Decodes the four ASB bytes. */
export function decodeAsb(bytes: Uint8Array | readonly number[]): PrinterStatus {
  if (bytes.length !== 4) {
    throw new EscposError(EscposErrorCode.StatusLength, `ASB is 4 bytes, got ${bytes.length}`, { hex: toHex(bytes) });
  }
  const [b1, b2, b3, b4] = bytes as [number, number, number, number];
  checkByte(b1, isAsbHeader(b1), 'ASB byte 1');
  checkByte(b2, isSequentialReply(b2), 'ASB byte 2');
  checkByte(b3, isSequentialReply(b3), 'ASB byte 3');
  checkByte(b4, isSequentialReply(b4), 'ASB byte 4');
  const paperEnd = (b3 & 0x0c) !== 0;
  return {
    drawerPin3High: bit(b1, 2),
    online: !bit(b1, 3),
    coverOpen: bit(b1, 5),
    feedButton: bit(b1, 6),
    recoverableError: bit(b2, 2),
    cutterError: bit(b2, 3),
    unrecoverableError: bit(b2, 5),
    autoRecoverableError: bit(b2, 6),
    error: bit(b2, 2) || bit(b2, 3) || bit(b2, 5) || bit(b2, 6),
    paperNearEnd: (b3 & 0x03) !== 0,
    paperEnd,
  };
}

/** Later facts override earlier ones field by field; `undefined` never erases a known value. */
export function mergeStatus(...parts: PrinterStatus[]): PrinterStatus {
  const out: PrinterStatus = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p) as [StatusField, boolean | undefined][]) {
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

/** Encoders for the simulator side: the byte a printer in `s` answers. Unset fields read as false. */
export function encodeDleEot(n: DleEotFunction, s: PrinterStatus): number {
  const f = (v: boolean | undefined, n2: number): number => (v ? 1 << n2 : 0);
  switch (n) {
    case 1:
      return 0x12 | f(s.drawerPin3High, 2) | f(s.online === false, 3);
    case 2:
      return 0x12 | f(s.coverOpen, 2) | f(s.feedButton, 3) | f(s.paperEnd, 5) | f(s.error, 6);
    case 3:
      return 0x12 | f(s.recoverableError, 2) | f(s.cutterError, 3) | f(s.unrecoverableError, 5) | f(s.autoRecoverableError, 6);
    case 4:
      return 0x12 | (s.paperNearEnd ? 0x0c : 0) | (s.paperEnd ? 0x60 : 0);
  }
}

export function encodeGsR1(s: PrinterStatus): number {
  return (s.paperNearEnd ? 0x03 : 0) | (s.paperEnd ? 0x0c : 0);
}

export function encodeAsb(s: PrinterStatus): Uint8Array {
  const f = (v: boolean | undefined, n: number): number => (v ? 1 << n : 0);
  return Uint8Array.of(
    0x10 | f(s.drawerPin3High, 2) | f(s.online === false, 3) | f(s.coverOpen, 5) | f(s.feedButton, 6),
    f(s.recoverableError, 2) | f(s.cutterError, 3) | f(s.unrecoverableError, 5) | f(s.autoRecoverableError, 6),
    (s.paperNearEnd ? 0x03 : 0) | (s.paperEnd ? 0x0c : 0),
    0x00,
  );
}

/** The paper condition the agent reports: one word for `state` and events. */
export type PaperState = 'ok' | 'near_end' | 'out' | 'unknown';

export function paperState(s: PrinterStatus): PaperState {
  if (s.paperEnd === true) return 'out';
  if (s.paperNearEnd === true) return 'near_end';
  if (s.paperEnd === false) return 'ok';
  return 'unknown';
}

/** True when the status says a job would not print now (as far as we know). */
export function blocksPrinting(s: PrinterStatus): boolean {
  return s.paperEnd === true || s.coverOpen === true || s.online === false || s.unrecoverableError === true || s.cutterError === true;
}
