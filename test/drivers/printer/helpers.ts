/** Shared helpers for the printer driver tests. */
import { once } from 'node:events';
import { encodeJob, textLines, type EscposOp } from '../../../protocols/escpos/index.js';
import type { PrinterDriver, PrinterDriverEvents } from '../../../drivers/printer/printer.js';

export const job = (line: string): Uint8Array => encodeJob([{ type: 'text', text: line }, { type: 'cut' }], { paper: 58, feedBeforeCut: 1 });

export const linesOf = (ops: readonly EscposOp[]): string[] => textLines(ops).filter((l) => l.trim() !== '');

/** Resolves once the driver is (or becomes) in lifecycle `l`; no race with an event already gone. */
export async function lifecycleIs(d: PrinterDriver, l: PrinterDriver['lifecycle'], ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (d.lifecycle !== l) {
    if (Date.now() > end) throw new Error(`driver still ${d.lifecycle}, wanted ${l}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves when `pred` holds for an emitted event (checked on each emission). */
export async function until<K extends keyof PrinterDriverEvents>(
  d: PrinterDriver,
  ev: K,
  pred: (...a: PrinterDriverEvents[K]) => boolean,
  ms = 3000,
): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    for (;;) {
      const args = (await once(d as never, ev, { signal: ac.signal })) as PrinterDriverEvents[K];
      if (pred(...args)) return;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A queue renderer for tests: doc = { line }, DUPLICATE prefixed on reprints. */
export const textRender = (doc: unknown, duplicate: boolean): Uint8Array => job(`${duplicate ? 'DUPLICATE ' : ''}${(doc as { line: string }).line}`);
