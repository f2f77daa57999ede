/**
 * Splits the bytes a printer sends back into replies. Printers send no framing, so replies are
 * told apart by their fixed bits (Citizen CT-S310II appendix 5.3, reference B4):
 *   DLE EOT reply 0xx1xx10 · ASB first byte 0xx1xx00 + three bytes 0xx0xxxx ·
 *   GS r / GS I reply 0xx0xxxx · XON 0x11 · XOFF 0x13.
 * Anything else is reported as discarded (never thrown). The splitter keeps at most the three
 * bytes of an unfinished ASB, so its buffer is bounded by construction.
 */
import { decodeAsb, isAsbHeader, isDleEotReply, isSequentialReply, type PrinterStatus } from './status.js';

export type PrinterReply =
  | { kind: 'realtime'; byte: number }
  | { kind: 'asb'; bytes: Uint8Array; status: PrinterStatus }
  | { kind: 'sequential'; byte: number }
  | { kind: 'flow'; xon: boolean }
  | { kind: 'discarded'; bytes: Uint8Array };

export class ReplySplitter {
  #asb: number[] = [];

  push(chunk: Uint8Array): PrinterReply[] {
    const out: PrinterReply[] = [];
    for (const b of chunk) {
      if (this.#asb.length > 0) {
        if (isSequentialReply(b)) {
          this.#asb.push(b);
          if (this.#asb.length === 4) {
            const bytes = Uint8Array.from(this.#asb);
            this.#asb = [];
            out.push({ kind: 'asb', bytes, status: decodeAsb(bytes) });
          }
          continue;
        }
        // A header not followed by three ASB bytes was not an ASB: drop it and read b afresh.
        out.push({ kind: 'discarded', bytes: Uint8Array.from(this.#asb) });
        this.#asb = [];
      }
      if (isDleEotReply(b)) out.push({ kind: 'realtime', byte: b });
      else if (isAsbHeader(b)) this.#asb.push(b);
      else if (b === 0x11 || b === 0x13) out.push({ kind: 'flow', xon: b === 0x11 });
      else if (isSequentialReply(b)) out.push({ kind: 'sequential', byte: b });
      else out.push({ kind: 'discarded', bytes: Uint8Array.of(b) });
    }
    return out;
  }

  /** Forgets an unfinished ASB, e.g. after reconnecting. */
  reset(): void {
    this.#asb = [];
  }
}
