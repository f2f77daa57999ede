/**
 * A simulated kiosk for the inactivity tests: true time, boots, a monotonic clock from boot, and a
 * wall clock that is right only while trusted (fake-hwclock restores and NTP corrections move it).
 */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A small seeded generator (mulberry32), so a failing sequence can be replayed by its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class World {
  trueTs = Date.UTC(2026, 9, 1, 4, 30);
  bootN = 1;
  bootStart = this.trueTs - 60_000;
  /** Wall clock minus true time. */
  err = 0;
  synced = true;

  get boot(): string {
    return `boot-${this.bootN}`;
  }
  get mono(): number {
    return this.trueTs - this.bootStart;
  }
  get wall(): number {
    return this.trueTs + this.err;
  }
  now(): { ts: number; mono: number; boot: string; synced: boolean } {
    return { ts: this.wall, mono: this.mono, boot: this.boot, synced: this.synced };
  }
  pass(ms: number): void {
    this.trueTs += ms;
  }
  /** Off for `downMs`, then a new boot; the wall clock comes back as fake-hwclock left it (`restoredErr`). */
  reboot(downMs: number, trusted: boolean, restoredErr = -downMs): void {
    this.trueTs += downMs;
    this.bootN++;
    // The agent's first reading comes 30 s into the new boot.
    this.bootStart = this.trueTs;
    this.trueTs += 30_000;
    this.synced = trusted;
    this.err = trusted ? 0 : restoredErr;
  }
  /** The wall clock steps by `ms` and is no longer trusted (a manual set, a bad time source). */
  jump(ms: number): void {
    this.err += ms;
    this.synced = false;
  }
  /** NTP synchronises: the wall clock is right again and trusted. */
  sync(): void {
    this.err = 0;
    this.synced = true;
  }
}
