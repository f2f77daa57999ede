/**
 * A byte link to a printer, whatever carries it (reference B7: TCP 9100, serial, usblp device
 * file, raw USB). The driver receives an `OpenLink` factory and never opens a port itself
 * (codebase-conventions §3.4), so tests hand it a loopback socket or a pty and the agent hands
 * it whatever the configuration names.
 */
export interface PrinterLink {
  /** e.g. `tcp`, `serial`, `lp`, `usb`. */
  readonly kind: string;
  /** Where it goes, for logs and the technician (`10.0.0.5:9100`, `/dev/ttyUSB0`). */
  readonly address: string;
  /** False when nothing can come back (lp without bulk IN): status is then never known. */
  readonly canRead: boolean;
  /** Resolves once the bytes are handed to the OS / bus. Rejects with PrinterError. */
  write(bytes: Uint8Array): Promise<void>;
  /** Replaces the data listener (one consumer: the driver). */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Called once when the link goes away, with the reason if it was not `close()`. */
  onClose(cb: (err?: Error) => void): void;
  close(): Promise<void>;
}

export type OpenLink = () => Promise<PrinterLink>;

/**
 * Fan-in helper the links share: one data and one close listener, close reported once. Bytes
 * that arrive before the listener is set (a read loop starts while the link is being handed
 * over) are kept, up to 4 KiB, and delivered when it is.
 */
export class LinkEvents {
  #data: ((c: Uint8Array) => void) | undefined;
  #early: Uint8Array[] = [];
  #earlyBytes = 0;
  #close: (err?: Error) => void = () => undefined;
  #closed = false;

  onData(cb: (c: Uint8Array) => void): void {
    this.#data = cb;
    for (const c of this.#early.splice(0)) cb(c);
  }
  onClose(cb: (err?: Error) => void): void {
    this.#close = cb;
  }
  data(c: Uint8Array): void {
    if (this.#closed) return;
    if (this.#data) return this.#data(c);
    if (this.#earlyBytes + c.length <= 4096) {
      this.#early.push(c);
      this.#earlyBytes += c.length;
    }
  }
  close(err?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close(err);
  }
  get closed(): boolean {
    return this.#closed;
  }
}
