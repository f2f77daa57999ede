/**
 * Reconnect delays: capped exponential backoff with full jitter (delay drawn uniformly from
 * [0, min(cap, base·2^attempt)]). Full jitter spreads a thousand kiosks that lost the same
 * cell tower over the whole window instead of bunching them at the same instants, which is
 * why MQTT.js's fixed `reconnectPeriod` is not used (reference/fleet-telemetry.md §3, MQTT.js
 * #561). Pure: the random source is injected so tests are deterministic.
 */
export interface BackoffOptions {
  /** First window, ms. */
  baseMs: number;
  /** Largest window, ms. */
  capMs: number;
  /** Returns a number in [0, 1); Math.random by default. */
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #opts: Required<BackoffOptions>;

  constructor(opts: BackoffOptions) {
    if (!(opts.baseMs > 0) || !(opts.capMs >= opts.baseMs)) {
      throw new RangeError(`backoff needs 0 < baseMs <= capMs (got ${opts.baseMs}, ${opts.capMs})`);
    }
    this.#opts = { random: Math.random, ...opts };
  }

  /** Upper bound of the next window, ms. */
  window(): number {
    // 2^30 already exceeds any sane cap; clamping the exponent avoids Infinity.
    return Math.min(this.#opts.capMs, this.#opts.baseMs * 2 ** Math.min(this.#attempt, 30));
  }

  /** The delay before the next attempt, ms; each call widens the following window. */
  next(): number {
    const delay = Math.floor(this.#opts.random() * this.window());
    this.#attempt++;
    return delay;
  }

  get attempt(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
