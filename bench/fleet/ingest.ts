/**
 * One fleet instance's ingest rate against `mosquitto_sub` draining the same stream in the same
 * run. Both subscribe to loopback Mosquitto first; then one MQTT client publishes N messages
 * (QoS 1, contract retain flags) as 1,000 simulated kiosks say them: a birth and a state each,
 * then heartbeats and events ten to one. The clock runs from the first publish until each
 * consumer has N. The fleet stores every message (SQLite, as `kiosk-fleet serve` by default);
 * mosquitto_sub only prints topics to /dev/null, so its figure is the broker and publisher's pace
 * and the ratio is how much of it one fleet instance keeps. Where Debian's PostgreSQL is
 * installed, the same for one instance and for two in one share group on one PostgreSQL database.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { type Outgoing, SimKiosk } from '../../fleet/loadgen/messages.js';
import type { BenchResult } from '../run.js';
import { PG_BIN, startPostgres } from '../../test/fleet/fixtures/postgres.js';
import { isProbeLine, sleep, startLoadBroker, startProbe } from './_rig.js';

const N = Number(process.env['BENCH_FLEET_N'] ?? 20_000);
const KIOSKS = 1000;

function stream(n: number): Outgoing[] {
  const base = Date.now();
  const sims = Array.from({ length: KIOSKS }, (_, i) => new SimKiosk({ kioskId: `BI-${String(i + 1).padStart(5, '0')}`, district: 'Jaipur', lsp: 'Bench LSP', heartbeatSec: 60, keepaliveSec: 60, base }));
  const out: Outgoing[] = [];
  for (const s of sims) out.push(s.connect().birth(), s.state());
  for (let i = 0; out.length < n; i++) {
    const s = sims[i % KIOSKS]!;
    out.push(i % 11 === 10 ? s.event() : s.heartbeat());
  }
  return out.slice(0, n);
}

interface Measured {
  fleetRate: number;
  subRate: number;
  pubMs: number;
  split: number[];
}

/**
 * One run on a fresh broker: the fleet instances (one per database URL or file, one share group)
 * and mosquitto_sub subscribe, the stream is published, each consumer is timed to N.
 */
async function measure(dir: string, messages: Outgoing[], dbs: string[]): Promise<Measured> {
  const broker = await startLoadBroker(dir);
  const probes: Awaited<ReturnType<typeof startProbe>>[] = [];
  try {
    // One after the other: the first brings the schema up to date.
    for (const db of dbs) probes.push(await startProbe(broker.url, db, { catchupMs: 0, everyMs: 100 }));
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'kiosk/v1/+/+', '-C', String(N), '-F', '%t'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const subDone = new Promise<number>((r) => sub.once('exit', () => r(performance.now())));
    await sleep(1000); // everyone subscribed
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-fleet-pub' });
    const t0 = performance.now();
    const wall0 = Date.now();
    await Promise.all(messages.map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain })));
    const pubMs = performance.now() - t0;
    const subMs = (await subDone) - t0;
    const handled = (): number[] => probes.map((p) => (isProbeLine(p.latest) ? p.latest.handled : 0));
    let fleetEnd: number | undefined;
    const deadline = Date.now() + 300_000;
    while (fleetEnd === undefined && Date.now() < deadline) {
      if (handled().reduce((a, b) => a + b, 0) >= N) fleetEnd = Math.max(...probes.map((p) => (isProbeLine(p.latest) ? p.latest.at : 0)));
      else await sleep(100);
    }
    await pub.endAsync();
    if (fleetEnd === undefined) throw new Error(`the fleet handled ${handled().join(' + ')} of ${N} within 5 minutes`);
    return { fleetRate: (N / (fleetEnd - wall0)) * 1000, subRate: (N / subMs) * 1000, pubMs, split: handled() };
  } finally {
    for (const p of probes) await p.stop();
    await broker.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  try {
    const messages = stream(N);
    const bytes = messages.reduce((a, m) => a + m.payload.length, 0);
    const lite = await measure(dir, messages, [join(dir, 'fleet.db')]);
    const results: BenchResult[] = [
      { name: 'fleet ingest (one instance, SQLite)', value: lite.fleetRate, unit: 'msgs/s', note: `${N} messages of ${KIOSKS} simulated kiosks, mean ${Math.round(bytes / N)} bytes; every one validated and stored` },
      { name: 'mosquitto_sub, same stream', value: lite.subRate, unit: 'msgs/s', note: `publisher done in ${(lite.pubMs / 1000).toFixed(1)} s` },
      { name: 'ingest ratio fleet / mosquitto_sub', value: lite.fleetRate / lite.subRate, unit: '×', note: `10,000 kiosks at 60 s need ~190 msgs/s: ${(lite.fleetRate / 190).toFixed(1)}× headroom` },
    ];
    if (!PG_BIN) return [...results, { name: 'PostgreSQL runs', value: 0, unit: '', note: 'skipped: no PostgreSQL server (Debian package postgresql)' }];
    const server = await startPostgres({ durable: true });
    try {
      const one = await measure(dir, messages, [await server.createDatabase()]);
      const db = await server.createDatabase();
      const two = await measure(dir, messages, [db, db]);
      results.push(
        { name: 'fleet ingest (one instance, PostgreSQL)', value: one.fleetRate, unit: 'msgs/s', note: `ratio to mosquitto_sub in its run ${(one.fleetRate / one.subRate).toFixed(3)}; a local server with fsync on` },
        { name: 'fleet ingest (two instances, one share group, PostgreSQL)', value: two.fleetRate, unit: 'msgs/s', note: `ratio ${(two.fleetRate / two.subRate).toFixed(3)}; split ${two.split.join(' / ')}; both on this machine's 2 cores` },
      );
    } finally {
      await server.stop();
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
