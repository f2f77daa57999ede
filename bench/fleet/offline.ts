/**
 * How fast one fleet instance shows a kiosk offline. Twenty simulated kiosks on loopback
 * Mosquitto; one at a time:
 * - its connection is cut (power gone): Mosquitto publishes its will; measured from the cut to
 *   the fleet having stored the kiosk as offline (reason will), which is when the dashboard's
 *   live stream announces it;
 * - it hangs with its connection up (heartbeat 2 s, offline after 3 missed, the liveness check
 *   every 250 ms): measured from its last heartbeat to offline (reason missed-heartbeats); the
 *   rule's own window is 6 s of it.
 * The fleet's dashboard redraws at most every 2 s on top of these (c60ea24).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadGenerator } from '../../fleet/loadgen/generator.js';
import type { BenchResult } from '../run.js';
import type { ProbeLine } from './_probe.js';
import { isProbeLine, type JsonChild, type ProbeOutput, sleep, startLoadBroker, startProbe } from './_rig.js';

const KIOSKS = 20;
const BEAT_SEC = 2;
const MISSES = 3;

function offlineTimes(probe: JsonChild<ProbeOutput>): Map<string, ProbeLine['offline'][number]> {
  const seen = new Map<string, ProbeLine['offline'][number]>();
  probe.onLine = (l) => {
    if (isProbeLine(l)) for (const o of l.offline) if (!seen.has(o.kioskId)) seen.set(o.kioskId, o);
  };
  return seen;
}

async function waitOffline(seen: Map<string, unknown>, id: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!seen.has(id)) {
    if (Date.now() > end) throw new Error(`${id} was not shown offline within ${ms} ms`);
    await sleep(20);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-offline-'));
  const broker = await startLoadBroker(dir);
  try {
    const probe = await startProbe(broker.url, join(dir, 'fleet.db'), { misses: MISSES, checkEveryMs: 250, everyMs: 100, catchupMs: 0 });
    const seen = offlineTimes(probe);
    const gen = new LoadGenerator({ url: broker.url, count: KIOSKS * 2, heartbeatSec: BEAT_SEC, eventsPerHour: 0, statesPerHour: 0, idPrefix: 'BO', districts: ['Jaipur'], connectRate: 100, jitter: 0 });
    await gen.start();
    // Every kiosk heard (birth and a heartbeat or two) before anything is cut.
    await sleep(BEAT_SEC * 1000 * 2);
    const ids = [...gen.kiosks.keys()];
    const will: number[] = [];
    for (const id of ids.slice(0, KIOSKS)) {
      const cutAt = Date.now();
      gen.kiosk(id)!.kill();
      await waitOffline(seen, id, 10_000);
      const o = seen.get(id)!;
      if (o.reason !== 'will') throw new Error(`${id} offline for ${o.reason}, not its will`);
      will.push(o.at - cutAt);
    }
    const missed: number[] = [];
    for (const id of ids.slice(KIOSKS)) {
      const k = gen.kiosk(id)!;
      k.mute();
      const lastBeat = k.sim.lastBeatTs ?? Date.now();
      await waitOffline(seen, id, BEAT_SEC * 1000 * (MISSES + 3));
      const o = seen.get(id)!;
      if (o.reason !== 'missed-heartbeats') throw new Error(`${id} offline for ${o.reason}, not missed heartbeats`);
      missed.push(o.at - lastBeat);
    }
    await gen.stop('drop');
    await probe.stop();
    const window = BEAT_SEC * 1000 * MISSES;
    return [
      { name: 'will → offline (median)', value: median(will), unit: 'ms', note: `${KIOSKS} kiosks cut one at a time; max ${Math.max(...will)} ms` },
      { name: 'last heartbeat → offline (median)', value: median(missed), unit: 'ms', note: `heartbeat ${BEAT_SEC} s, ${MISSES} missed = ${window} ms window, check every 250 ms; max ${Math.max(...missed)} ms` },
      { name: 'beyond the missed-heartbeat window (median)', value: median(missed) - window, unit: 'ms', note: 'heartbeat jitter off; with 60 s heartbeats the window is 180 s' },
    ];
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
