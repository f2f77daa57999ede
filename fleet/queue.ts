/** Runs tasks one after another per key (one kiosk's messages in order), keys in parallel. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget an idle key, so the map holds only kiosks with work in flight.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get size(): number {
    return this.tails.size;
  }

  /** Resolves when every task queued so far has finished. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}

/** Lets the first of a burst through per key, then one per interval with the count it held back. */
export class RateLimiter {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): { pass: boolean; suppressed: number } {
    const t = this.now();
    const entry = this.seen.get(key);
    if (entry && t - entry.at < this.intervalMs) {
      entry.suppressed++;
      return { pass: false, suppressed: entry.suppressed };
    }
    const suppressed = entry?.suppressed ?? 0;
    if (!entry && this.seen.size >= this.maxKeys) this.prune(t);
    this.seen.set(key, { at: t, suppressed: 0 });
    return { pass: true, suppressed };
  }

  private prune(t: number): void {
    for (const [k, v] of this.seen) if (t - v.at >= this.intervalMs) this.seen.delete(k);
    // Still full (a flood of distinct keys): start over rather than grow without bound.
    if (this.seen.size >= this.maxKeys) this.seen.clear();
  }
}
