/**
 * The health of every device the agent drives, by name (reader, printer, ups, …). Drivers
 * report into it; it feeds the `state` snapshot and the heartbeat's one-line summary.
 */
import type { DeviceHealth } from '../../protocols/telemetry/state.js';

export class DeviceRegistry {
  #devices = new Map<string, DeviceHealth>();
  #listeners = new Set<(name: string, health: DeviceHealth) => void>();

  set(name: string, health: DeviceHealth): void {
    const prev = this.#devices.get(name);
    // Extra fields (template count, certificate expiry, …) count as a change too; `since` stays
    // the time the state began.
    if (prev && sameHealth(prev, health)) return;
    const since = health.since ?? (prev && prev.state === health.state ? prev.since : undefined) ?? Date.now();
    this.#devices.set(name, { ...health, since });
    for (const l of this.#listeners) l(name, health);
  }

  onChange(listener: (name: string, health: DeviceHealth) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): Record<string, DeviceHealth> {
    return Object.fromEntries(this.#devices);
  }

  /** e.g. "printer:ok ups:degraded(on battery)"; "no devices" when none is configured. */
  summary(max = 160): string {
    if (this.#devices.size === 0) return 'no devices';
    const parts = [...this.#devices].map(([n, h]) => (h.state === 'ok' ? `${n}:ok` : `${n}:${h.state}${h.detail ? `(${h.detail})` : ''}`));
    const line = parts.join(' ');
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  }
}

function sameHealth(a: DeviceHealth, b: DeviceHealth): boolean {
  const { since: _a, ...restA } = a;
  const { since: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
