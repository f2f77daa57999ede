/**
 * Time as the UPS drivers see it, injected so tests drive timeouts and polling without sleeping
 * (conventions §3.7). `now()` is monotonic: a Raspberry Pi has no RTC and its wall clock can jump
 * when NTP syncs, which must not fake a stale source or a long outage.
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    // A pending poll or reconnect must never keep the agent process alive on its own.
    h.unref();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
