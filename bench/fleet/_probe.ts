/**
 * One fleet instance for the load run and the fleet benchmarks, in a process of its own: the
 * same `startFleet` as `kiosk-fleet serve`, plus one JSON line on stdout every PROBE_EVERY_MS with
 * what a harness needs and the CLI does not print: messages handled, kiosks with messages waiting
 * in ingest, the lag from a message's kiosk timestamp to its arrival and to its stored end
 * (kiosk and fleet share this machine's clock), event-loop delay, CPU and memory.
 *
 *   node dist/bench/fleet/_probe.js <mqtt-url> <db> [share-group] [heartbeat-misses] [check-every-ms]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '../../fleet/log.js';
import { startFleet } from '../../fleet/serve.js';

export interface ProbeLine {
  at: number;
  listening: boolean;
  handled: number;
  stored: number;
  duplicate: number;
  invalid: number;
  failed: number;
  /** Messages taken from the broker whose store has not finished. */
  pending: number;
  /** Over the interval: mean and max of (arrival − kiosk ts) and (stored − kiosk ts), ms. */
  arriveLagMeanMs: number;
  arriveLagMaxMs: number;
  storeLagMeanMs: number;
  storeLagMaxMs: number;
  loopDelayMaxMs: number;
  cpuMs: number;
  rssMb: number;
  /** Liveness changes seen, with when (for the offline-time benchmark). */
  offline: { kioskId: string; reason: string; at: number }[];
}

async function main(): Promise<void> {
  const [url, db, group = 'kiosk-fleet', misses = '3', checkEvery = '1000'] = process.argv.slice(2);
  if (!url || !db) throw new Error('usage: _probe.js <mqtt-url> <db> [share-group] [heartbeat-misses] [check-every-ms]');
  const log = createLogger((process.env['PROBE_LOG'] as 'warn' | undefined) ?? 'warn', process.stderr);
  const offline: ProbeLine['offline'] = [];
  const fleet = await startFleet({
    mqttUrl: url,
    db,
    shareGroup: group,
    heartbeatMisses: Number(misses),
    checkEveryMs: Number(checkEvery),
    log,
    catchupMs: Number(process.env['PROBE_CATCHUP_MS'] ?? 5000),
  });
  let pending = 0;
  let arrive = { n: 0, sum: 0, max: 0 };
  let store = { n: 0, sum: 0, max: 0 };
  const handle = fleet.ingest.handle.bind(fleet.ingest);
  fleet.ingest.handle = (topic, payload) => {
    const t0 = Date.now();
    let ts: number | undefined;
    // A cheap look at the kiosk's ts without a second full parse of big payloads.
    const m = /"ts":(\d+)/.exec(Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, 200)).toString());
    if (m) ts = Number(m[1]);
    pending++;
    if (ts !== undefined) {
      const d = t0 - ts;
      arrive.n++;
      arrive.sum += d;
      arrive.max = Math.max(arrive.max, d);
    }
    const p = handle(topic, payload);
    const done = (): void => {
      pending--;
      if (ts === undefined) return;
      const d = Date.now() - ts;
      store.n++;
      store.sum += d;
      store.max = Math.max(store.max, d);
    };
    p.then(done, done);
    return p;
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const every = Number(process.env['PROBE_EVERY_MS'] ?? 1000);
  const timer = setInterval(() => {
    const s = fleet.ingest.stats;
    const cpu = process.cpuUsage();
    const line: ProbeLine = {
      at: Date.now(),
      listening: fleet.source.listeningSince !== undefined,
      handled: s.stored + s.duplicate + s.invalid + s.ignored + s.failed,
      stored: s.stored,
      duplicate: s.duplicate,
      invalid: s.invalid,
      failed: s.failed,
      pending,
      arriveLagMeanMs: arrive.n ? Math.round(arrive.sum / arrive.n) : 0,
      arriveLagMaxMs: arrive.max,
      storeLagMeanMs: store.n ? Math.round(store.sum / store.n) : 0,
      storeLagMaxMs: store.max,
      loopDelayMaxMs: Math.round(loop.max / 1e6),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      offline: offline.splice(0),
    };
    arrive = { n: 0, sum: 0, max: 0 };
    store = { n: 0, sum: 0, max: 0 };
    loop.reset();
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }, every);
  // A liveness change is announced once it is stored: that instant is when the dashboard can show it.
  fleet.ops.subscribe((c) => {
    if (c.kind !== 'kiosk' || c.channel !== 'liveness') return;
    const at = Date.now();
    void fleet.repo.getKiosk(c.kioskId).then((k) => {
      if (k?.liveness === 'offline') offline.push({ kioskId: c.kioskId, reason: k.reason, at });
    });
  });
  await fleet.ready;
  process.stdout.write(`${JSON.stringify({ ready: true, at: Date.now() })}\n`);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await fleet.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${(err as Error).message}\n`);
  process.exit(1);
});
