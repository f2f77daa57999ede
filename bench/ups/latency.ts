/**
 * Latency from a NUT state change (SET VAR ups.status on a real upsd + dummy-ups) to the power event
 * leaving the UPS monitor, which is where the agent hands it to the outbox. The outbox → broker leg is
 * measured by the agent benches; add the two for "state change to event at the broker".
 * Two configurations: the defaults (poll 2 s, debounce 1 s: expect ≈ 1–2 polls) and a fast one.
 */
import { UpsMonitor } from '../../drivers/ups/monitor.js';
import { NutClient } from '../../drivers/ups/nut-client.js';
import { NutSource } from '../../drivers/ups/nut-source.js';
import type { PowerEvent } from '../../drivers/ups/power-policy.js';
import { getVar, setVar } from '../../protocols/nut/index.js';
import { UpsdHarness, upsdInstalled, waitFor } from '../../test/fixtures/ups/upsd.js';

interface Result {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

interface Series {
  /** SET VAR sent → event. */
  total: number[];
  /** First poll that saw the new status → event: the driver's own share (debounce). */
  own: number[];
}

async function series(port: number, pollIntervalMs: number, debounceMs: number, transitions: number): Promise<Series> {
  const admin = new NutClient({ port, username: 'admin', password: 'testpass' });
  await admin.start();
  const mon = new UpsMonitor({ source: new NutSource({ port, ups: 'dummy' }), pollIntervalMs, policy: { debounceMs, staleAfterMs: 30_000 } });
  const events: (PowerEvent & { t: number })[] = [];
  mon.on('event', (e) => events.push({ ...e, t: performance.now() }));
  const readings: { onBattery: boolean; t: number }[] = [];
  mon.on('reading', (r) => readings.push({ onBattery: r.onBattery, t: performance.now() }));
  await mon.start();
  await waitFor(() => (mon.snapshot.line === 'mains' ? true : undefined), 10_000, 'mains');
  const lat: Series = { total: [], own: [] };
  try {
    for (let i = 0; i < transitions; i++) {
      const type = i % 2 === 0 ? 'power.lost' : 'power.restored';
      const before = events.length;
      const seenFrom = readings.length;
      // Random phase against the poll timer, as a real outage would have.
      await new Promise((r) => setTimeout(r, Math.random() * pollIntervalMs));
      const t0 = performance.now();
      await admin.request(setVar('dummy', 'ups.status', type === 'power.lost' ? 'OB DISCHRG' : 'OL CHRG'));
      const ev = await waitFor(() => events.slice(before).find((e) => e.type === type), 10 * pollIntervalMs + 5000, type);
      lat.total.push(ev.t - t0);
      const first = readings.slice(seenFrom).find((r) => r.onBattery === (type === 'power.lost'));
      if (first) lat.own.push(ev.t - first.t);
    }
  } finally {
    await mon.stop();
    await admin.stop();
  }
  return lat;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function run(): Promise<Result[]> {
  if (!upsdInstalled()) return [{ name: 'NUT change → power event', value: Number.NaN, unit: 'ms', note: 'skipped: nut-server not installed' }];
  const h = new UpsdHarness();
  await h.setup();
  h.startDriver();
  h.startUpsd();
  try {
    const probe = new NutClient({ port: h.port, reconnectBaseMs: 100, reconnectCapMs: 200 });
    await probe.start();
    await waitFor(async () => (probe.state === 'ready' ? await probe.request(getVar('dummy', 'ups.status')).then((v) => (v === 'OL' ? v : undefined), () => undefined) : undefined), 15_000, 'upsd data');
    await probe.stop();
    const fast = await series(h.port, 250, 0, 10);
    const def = await series(h.port, 2000, 1000, 6);
    const max = (xs: number[]): string => Math.max(...xs).toFixed(0);
    return [
      { name: 'SET VAR → power event, poll 250 ms, no debounce (median)', value: median(fast.total), unit: 'ms', note: `max ${max(fast.total)} ms over ${fast.total.length}; mostly dummy-ups applying the change` },
      { name: 'first poll showing it → event, poll 250 ms, no debounce (median)', value: median(fast.own), unit: 'ms', note: `max ${max(fast.own)} ms` },
      { name: 'SET VAR → power event, defaults poll 2 s + debounce 1 s (median)', value: median(def.total), unit: 'ms', note: `max ${max(def.total)} ms over ${def.total.length}` },
      { name: 'first poll showing it → event, defaults (median)', value: median(def.own), unit: 'ms', note: `max ${max(def.own)} ms; one poll by design (debounce), bound two polls` },
    ];
  } finally {
    await h.teardown();
  }
}
