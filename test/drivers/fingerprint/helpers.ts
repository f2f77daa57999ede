// Test helpers: an in-memory port joined to a simulator, and a clock that jumps straight to the
// next timer whenever the event loop is otherwise idle (virtual time for memory-only tests).
import type { OpenPort, R30xPort } from '../../../drivers/fingerprint/r30x/port.js';
import type { R30xSimulator } from '../../../drivers/fingerprint/r30x-simulator.js';
import type { Timers } from '../../../drivers/fingerprint/errors.js';

export class AutoClock implements Timers {
  #now = 0;
  #seq = 0;
  #timers: { id: number; at: number; fn: () => void }[] = [];
  #scheduled = false;
  now = (): number => this.#now;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.#seq;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
    this.#schedule();
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== h);
  };
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#timers.shift();
      if (!next) return;
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      if (this.#timers.length) this.#schedule();
    });
  }
}

export interface MemoryLink {
  openPort: OpenPort;
  /** Simulates pulling the cable: the open port closes, opening fails until `plug()`. */
  unplug(): void;
  plug(): void;
  opens: number;
}

export function memoryLink(sim: R30xSimulator): MemoryLink {
  let plugged = true;
  let current: { close(): void } | undefined;
  const link: MemoryLink = {
    opens: 0,
    unplug: () => {
      plugged = false;
      sim.detach();
      current?.close();
    },
    plug: () => {
      plugged = true;
    },
    openPort: (path) => {
      link.opens++;
      if (!plugged) return Promise.reject(Object.assign(new Error(`cannot open ${path}`), { code: 'ENOENT' }));
      let dataCb: (b: Uint8Array) => void = () => undefined;
      const closeCbs: (() => void)[] = [];
      let open = true;
      const close = (): void => {
        if (!open) return;
        open = false;
        for (const cb of closeCbs) cb();
      };
      current = { close };
      sim.attach((b) => queueMicrotask(() => open && dataCb(b)));
      const port: R30xPort = {
        write: (b) => {
          const copy = b.slice();
          queueMicrotask(() => open && sim.receive(copy));
        },
        close: () => {
          close();
          return Promise.resolve();
        },
        onData: (cb) => {
          dataCb = cb;
        },
        onClose: (cb) => closeCbs.push(cb),
      };
      return Promise.resolve(port);
    },
  };
  return link;
}
