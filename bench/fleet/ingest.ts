/**
 * One fleet instance's ingest rate against `mosquitto_sub` draining the same stream in the same
 * run. Both subscribe to loopback Mosquitto first; then one MQTT client publishes N messages
 * (QoS 1, contract retain flags) as 1,000 simulated kiosks say them: a birth and a state each,
 * then heartbeats and events ten to one. The clock runs from the first publish until each
 * consumer has N. The fleet stores every message (SQLite, as `kiosk-fleet serve` by default);
 * mosquitto_sub only prints topics to /dev/null, so its figure is the broker and publisher's pace
 * and the ratio is how much of it one fleet instance keeps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { type Outgoing, SimKiosk } from '../../fleet/loadgen/messages.js';
import type { BenchResult } from '../run.js';
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

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const broker = await startLoadBroker(dir);
  try {
    const messages = stream(N);
    const bytes = messages.reduce((a, m) => a + m.payload.length, 0);
    const probe = await startProbe(broker.url, join(dir, 'fleet.db'), { catchupMs: 0, everyMs: 100 });
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'kiosk/v1/+/+', '-C', String(N), '-F', '%t'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const subDone = new Promise<number>((r) => sub.once('exit', () => r(performance.now())));
    await sleep(1000); // both subscribed
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-fleet-pub' });
    const t0 = performance.now();
    const wall0 = Date.now();
    await Promise.all(messages.map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain })));
    const pubMs = performance.now() - t0;
    const subMs = (await subDone) - t0;
    let fleetEnd: number | undefined;
    const deadline = Date.now() + 300_000;
    while (fleetEnd === undefined && Date.now() < deadline) {
      const l = probe.latest;
      if (isProbeLine(l) && l.handled >= N) fleetEnd = l.at;
      else await sleep(100);
    }
    const last = probe.latest;
    await probe.stop();
    await pub.endAsync();
    if (fleetEnd === undefined) throw new Error(`the fleet handled ${isProbeLine(last) ? last.handled : 0} of ${N} within 5 minutes`);
    const fleetMs = fleetEnd - wall0;
    const fleetRate = (N / fleetMs) * 1000;
    const subRate = (N / subMs) * 1000;
    return [
      { name: 'fleet ingest (one instance, SQLite)', value: fleetRate, unit: 'msgs/s', note: `${N} messages of ${KIOSKS} simulated kiosks, mean ${Math.round(bytes / N)} bytes; every one validated and stored` },
      { name: 'mosquitto_sub, same stream', value: subRate, unit: 'msgs/s', note: `publisher done in ${(pubMs / 1000).toFixed(1)} s` },
      { name: 'ingest ratio fleet / mosquitto_sub', value: fleetRate / subRate, unit: '×', note: `10,000 kiosks at 60 s need ~190 msgs/s: ${(fleetRate / 190).toFixed(1)}× headroom` },
    ];
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
