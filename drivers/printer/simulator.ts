/**
 * A simulated ESC/POS printer: decodes what it receives with the project's own decoder, keeps
 * what it "printed" page by page (a page ends at a cut), and answers status requests from a
 * scriptable state (paper near end, paper out, cover open, offline, errors, no status at all as
 * on cheap USB units — reference B4 last bullets).
 *
 * Behaviour modelled on the manuals (reference B4):
 * - DLE EOT is real-time: answered on receipt even while the printer is stopped.
 * - While paper is out, the cover open or the printer offline, everything else is held in the
 *   receive buffer and printed, in order, once the condition clears.
 * - GS r is sequential: held with the data, so a stopped printer does not answer it.
 * - ASB (GS a n, n ≠ 0) sends 4 bytes when enabled and on every change.
 * Transports (TCP 9100, pty) live in sim-server.ts; this class does no I/O.
 */
import { EventEmitter } from 'node:events';
import {
  EscposDecoder, blocksPrinting, encodeAsb, encodeDleEot, encodeGsR1, type DleEotFunction, type EscposOp, type PrinterStatus,
} from '../../protocols/escpos/index.js';

/** How much status the simulated unit speaks. */
export type StatusSupport = 'full' | 'realtime-only' | 'none';

export interface SimState extends PrinterStatus {
  statusSupport: StatusSupport;
}

export interface SimPage {
  ops: EscposOp[];
  /** Whether the page ended with a cut (false for what is still on the platen). */
  cut: boolean;
}

export interface SimulatorOptions {
  /** Initial state; defaults to online, paper present, full status support. */
  state?: Partial<SimState>;
  /** Paper runs out right after this many cuts (scripted "paper out in the middle of a queue"). */
  paperOutAfterCuts?: number;
  /** Pages kept in `pages` (oldest dropped first), so a long demo run stays bounded. Default 500. */
  maxPages?: number;
}

export interface SimSession {
  receive(chunk: Uint8Array): void;
  close(): void;
}

interface SessionRec {
  reply: (bytes: Uint8Array) => void;
  asb: boolean;
}

export interface SimulatorEvents {
  page: [SimPage];
  state: [SimState];
}

export class PrinterSimulator extends EventEmitter<SimulatorEvents> {
  #state: SimState;
  #held: { s: SessionRec; op: EscposOp }[] = [];
  #current: EscposOp[] = [];
  readonly pages: SimPage[] = [];
  #sessions = new Set<SessionRec>();
  readonly #decoder = new EscposDecoder();
  #cuts = 0;
  #paperOutAfter: number | undefined;
  readonly #maxPages: number;
  /** Total bytes received over all sessions. */
  bytesReceived = 0;

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.#state = {
      online: true, coverOpen: false, paperNearEnd: false, paperEnd: false, feedButton: false, error: false,
      recoverableError: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false,
      drawerPin3High: false, statusSupport: 'full', ...opts.state,
    };
    this.#paperOutAfter = opts.paperOutAfterCuts;
    this.#maxPages = opts.maxPages ?? 500;
  }

  get state(): Readonly<SimState> {
    return this.#state;
  }

  /** The ops printed since the last cut. */
  get current(): readonly EscposOp[] {
    return this.#current;
  }

  /** Every printed op, all pages in order. */
  get printed(): EscposOp[] {
    return [...this.pages.flatMap((p) => p.ops), ...this.#current];
  }

  /** Prints text still in the line buffer (a printer would on the next LF). */
  flush(): void {
    const s: SessionRec = { reply: () => undefined, asb: false };
    for (const op of this.#decoder.end()) this.#accept(s, op);
  }

  /** Ops received but not printed because the printer is stopped. */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Changes the state (load paper, open the cover…); notifies ASB and releases held data. */
  set(patch: Partial<SimState>): void {
    this.#state = { ...this.#state, ...patch };
    // The "offline" bit follows the stop conditions, as on real units (DLE EOT 1 bit3).
    if (patch.online === undefined) this.#state.online = !(this.#state.paperEnd || this.#state.coverOpen || this.#state.unrecoverableError);
    this.#state.error = !!(this.#state.cutterError || this.#state.unrecoverableError || this.#state.recoverableError || this.#state.autoRecoverableError);
    this.emit('state', this.#state);
    for (const s of this.#sessions) if (s.asb) s.reply(encodeAsb(this.#state));
    this.#release();
  }

  /** Starts a host connection; `reply` receives what the printer sends back. */
  connect(reply: (bytes: Uint8Array) => void): SimSession {
    const rec: SessionRec = { reply, asb: false };
    this.#sessions.add(rec);
    return {
      receive: (chunk) => {
        this.bytesReceived += chunk.length;
        for (const op of this.#decoder.push(chunk)) this.#accept(rec, op);
      },
      // The parser state stays with the printer, not the connection: a job cut off mid-command
      // leaves the next connection's bytes inside that command, as on real units.
      close: () => {
        this.#sessions.delete(rec);
      },
    };
  }

  #stopped(): boolean {
    return blocksPrinting(this.#state);
  }

  #accept(s: SessionRec, op: EscposOp): void {
    if (op.kind === 'status-request' && (op.request === 'dle-eot' || op.request === 'dle-enq')) {
      this.#realtime(s, op.request, op.n);
      return;
    }
    if (this.#stopped() || this.#held.length > 0) {
      this.#held.push({ s, op });
      return;
    }
    this.#print(s, op);
  }

  #realtime(s: SessionRec, req: 'dle-eot' | 'dle-enq', n: number): void {
    if (this.#state.statusSupport === 'none') return;
    if (req === 'dle-enq') {
      // DLE ENQ 1/2: recover from a recoverable error (reference B4).
      if (this.#state.recoverableError || this.#state.cutterError) this.set({ recoverableError: false, cutterError: false });
      return;
    }
    if (n >= 1 && n <= 4) s.reply(Uint8Array.of(encodeDleEot(n as DleEotFunction, this.#state)));
  }

  #print(s: SessionRec, op: EscposOp): void {
    if (op.kind === 'status-request') {
      if (this.#state.statusSupport !== 'full') return;
      if (op.request === 'gs-r' && op.n % 48 === 1) s.reply(Uint8Array.of(encodeGsR1(this.#state)));
      if (op.request === 'asb') {
        s.asb = op.n !== 0;
        if (s.asb) s.reply(encodeAsb(this.#state));
      }
      return;
    }
    this.#current.push(op);
    if (op.kind === 'cut') {
      const page: SimPage = { ops: this.#current, cut: true };
      this.pages.push(page);
      if (this.pages.length > this.#maxPages) this.pages.splice(0, this.pages.length - this.#maxPages);
      this.#current = [];
      this.#cuts++;
      this.emit('page', page);
      if (this.#paperOutAfter !== undefined && this.#cuts >= this.#paperOutAfter) {
        this.#paperOutAfter = undefined;
        this.set({ paperEnd: true });
      }
    }
  }

  #release(): void {
    while (this.#held.length > 0 && !this.#stopped()) {
      const { s, op } = this.#held.shift()!;
      this.#print(s, op);
    }
  }
}
