/**
 * `make load`: the fleet under a full fleet's traffic. A Mosquitto with no connection cap, one
 * fleet instance (the probe: `startFleet` plus a JSON line of its counters a second) on a fresh
 * SQLite database, and `kiosk-fleet loadgen` with LOAD_KIOSKS kiosks (default 10,000) at 60 s
 * heartbeats plus events, for LOAD_MINUTES (default 10) after the ramp. Every 10 s it prints and
 * keeps one sample: messages the broker acknowledged to the kiosks, messages the fleet handled,
 * the backlog between them, messages waiting inside the fleet, the lag from a kiosk's timestamp
 * to the fleet storing it, the broker's stored-message count, and CPU of each process.
 * The fleet keeps up when the backlog and the lag do not grow from the first half of the run to
 * the second. The figures go into BENCHMARKS.md as the `fleet/load` section.
 *
 * LOAD_EVENTS_PER_HOUR (default 6), LOAD_DB (a postgres:// URL instead of SQLite), LOAD_WRITE=0
 * (print only, leave BENCHMARKS.md alone).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProbeLine, procUsage, ROOT, sleep, startLoadBroker, startLoadgen, startProbe, watchSys } from './_rig.js';

interface Sample {
  t: number;
  connected: number;
  acked: number;
  handled: number;
  backlog: number;
  pending: number;
  storeLagMeanMs: number;
  storeLagMaxMs: number;
  brokerStored: number;
  fleetCpuPct: number;
  loadgenCpuPct: number;
  brokerCpuPct: number;
  fleetRssMb: number;
  load1: number;
}

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);

async function main(): Promise<void> {
  const kiosks = env('LOAD_KIOSKS', 10_000);
  const minutes = env('LOAD_MINUTES', 10);
  const eventsPerHour = env('LOAD_EVENTS_PER_HOUR', 6);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-load-'));
  const db = process.env['LOAD_DB'] ?? join(dir, 'fleet.db');
  const broker = await startLoadBroker(dir);
  const sys = await watchSys(broker.url);
  const probe = await startProbe(broker.url, db);
  // Past the fleet's catch-up window, so no message is counted twice through both subscriptions.
  await sleep(5500);
  const say = (s: string): void => void process.stdout.write(`${s}\n`);
  say(`load: ${kiosks} kiosks, heartbeat 60 s, ${eventsPerHour} events/kiosk/h, ${minutes} min after the ramp; broker ${broker.url}; db ${db.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}`);
  const t0 = Date.now();
  const gen = startLoadgen(['--mqtt-url', broker.url, '--count', String(kiosks), '--heartbeat', '60', '--events-per-hour', String(eventsPerHour), '--duration', String(minutes * 60), '--report-every', '1', '--connect-rate', '250']);
  while (!gen.lines.some((l) => l.phase === 'ramped')) {
    if (gen.proc.exitCode !== null) throw new Error('the load generator stopped during the ramp');
    await sleep(500);
  }
  const rampSec = (Date.now() - t0) / 1000;
  say(`ramp: ${kiosks} kiosks connected in ${rampSec.toFixed(1)} s`);
  say('   t  connected      acked    handled  backlog  pending  lag mean/max ms  broker stored  cpu fleet/loadgen/broker %  fleet RSS  load1');
  const samples: Sample[] = [];
  let prev = { at: Date.now(), fleet: procUsage(probe.proc.pid!).cpuMs, gen: procUsage(gen.proc.pid!).cpuMs, broker: procUsage(broker.pid).cpuMs };
  const start = Date.now();
  let storeLag = { sum: 0, n: 0, max: 0 };
  probe.onLine = (l) => {
    if (!isProbeLine(l)) return;
    storeLag.sum += l.storeLagMeanMs;
    storeLag.n++;
    storeLag.max = Math.max(storeLag.max, l.storeLagMaxMs);
  };
  // Samples of the steady run only: the kiosks' stop (a shutdown notice each) is the drain's.
  while (Date.now() - start < minutes * 60_000 - 5000) {
    await sleep(10_000);
    const p = probe.latest;
    const g = gen.latest;
    if (gen.proc.exitCode !== null || g?.phase === 'stopped') break;
    if (!isProbeLine(p) || !g) continue;
    const now = Date.now();
    const cpu = { fleet: procUsage(probe.proc.pid!).cpuMs, gen: procUsage(gen.proc.pid!).cpuMs, broker: procUsage(broker.pid).cpuMs };
    const span = now - prev.at;
    const s: Sample = {
      t: Math.round((now - start) / 1000),
      connected: g.connected,
      acked: g.acked,
      handled: p.handled,
      backlog: g.acked - p.handled,
      pending: p.pending,
      storeLagMeanMs: storeLag.n ? Math.round(storeLag.sum / storeLag.n) : 0,
      storeLagMaxMs: storeLag.max,
      brokerStored: sys.values.get('store/messages/count') ?? sys.values.get('messages/stored') ?? 0,
      fleetCpuPct: Math.round(((cpu.fleet - prev.fleet) / span) * 100),
      loadgenCpuPct: Math.round(((cpu.gen - prev.gen) / span) * 100),
      brokerCpuPct: Math.round(((cpu.broker - prev.broker) / span) * 100),
      fleetRssMb: p.rssMb,
      load1: Number(loadavg()[0]!.toFixed(2)),
    };
    prev = { at: now, ...cpu };
    storeLag = { sum: 0, n: 0, max: 0 };
    samples.push(s);
    say(
      `${String(s.t).padStart(4)}  ${String(s.connected).padStart(9)}  ${String(s.acked).padStart(9)}  ${String(s.handled).padStart(9)}  ${String(s.backlog).padStart(7)}  ${String(s.pending).padStart(7)}  ${`${s.storeLagMeanMs}/${s.storeLagMaxMs}`.padStart(15)}  ${String(s.brokerStored).padStart(13)}  ${`${s.fleetCpuPct}/${s.loadgenCpuPct}/${s.brokerCpuPct}`.padStart(25)}  ${String(s.fleetRssMb).padStart(6)} MB  ${s.load1}`,
    );
  }
  // Drain: how long until the fleet has handled everything the broker took.
  while (gen.proc.exitCode === null) await sleep(200);
  const finalAcked = gen.lines.filter((l) => l.phase === 'stopped').at(-1)?.acked ?? gen.latest?.acked ?? 0;
  const drainStart = Date.now();
  while (Date.now() - drainStart < 60_000) {
    const p = probe.latest;
    if (isProbeLine(p) && p.handled >= finalAcked && p.pending === 0) break;
    await sleep(200);
  }
  const drainMs = Date.now() - drainStart;
  const last = probe.latest;
  await probe.stop();
  await sys.close();
  await broker.close();
  const summary = summarize(samples, { kiosks, minutes, eventsPerHour, rampSec, drainMs, finalAcked, handled: isProbeLine(last) ? last.handled : 0, failed: isProbeLine(last) ? last.failed : 0, invalid: isProbeLine(last) ? last.invalid : 0, db });
  say(summary.text);
  if (process.env['LOAD_WRITE'] !== '0') writeSection(summary.section);
  if (!process.env['LOAD_DB']) rmSync(dir, { recursive: true, force: true });
}

function summarize(
  samples: Sample[],
  r: { kiosks: number; minutes: number; eventsPerHour: number; rampSec: number; drainMs: number; finalAcked: number; handled: number; failed: number; invalid: number; db: string },
): { text: string; section: string } {
  const steady = samples.slice(Math.min(3, Math.floor(samples.length / 4)));
  const half = Math.floor(steady.length / 2);
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const first = steady.slice(0, half);
  const second = steady.slice(half);
  const backlog1 = mean(first.map((s) => s.backlog));
  const backlog2 = mean(second.map((s) => s.backlog));
  const lag1 = mean(first.map((s) => s.storeLagMeanMs));
  const lag2 = mean(second.map((s) => s.storeLagMeanMs));
  const lastS = samples.at(-1);
  const firstS = samples[0];
  const spanSec = lastS && firstS ? lastS.t - firstS.t : 0;
  const rate = lastS && firstS && spanSec > 0 ? (lastS.handled - firstS.handled) / spanSec : 0;
  const maxBacklog = Math.max(0, ...samples.map((s) => s.backlog));
  const keeps = backlog2 <= Math.max(backlog1 * 1.5, 50) && lag2 <= Math.max(lag1 * 1.5, 100) && r.handled >= r.finalAcked;
  const rows: [string, string | number, string, string][] = [
    ['kiosks', r.kiosks, 'kiosks', `heartbeat 60 s ±5 %, ${r.eventsPerHour} events/kiosk/h, 1 state/kiosk/h; each its own connection, client id and will`],
    ['ramp', r.rampSec.toFixed(1), 's', 'all kiosks connected (250 connections/s)'],
    ['steady run', r.minutes, 'min', `sampled every 10 s (${samples.length} samples); ${r.db.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}`],
    ['fleet ingest rate', rate.toFixed(1), 'msgs/s', 'handled by the one fleet instance, over the run'],
    ['backlog, first half of run (mean)', backlog1.toFixed(0), 'msgs', 'broker-acknowledged minus fleet-handled'],
    ['backlog, second half of run (mean)', backlog2.toFixed(0), 'msgs', `max ${maxBacklog}`],
    ['kiosk ts → stored, first half (mean)', lag1.toFixed(0), 'ms', ''],
    ['kiosk ts → stored, second half (mean)', lag2.toFixed(0), 'ms', `max in any sample ${Math.max(0, ...samples.map((s) => s.storeLagMaxMs))} ms`],
    ['messages pending in the fleet (max)', Math.max(0, ...samples.map((s) => s.pending)), 'msgs', ''],
    ['broker stored messages (max)', Math.max(0, ...samples.map((s) => s.brokerStored)), 'msgs', '$SYS store/messages/count (retained status and state of every kiosk included)'],
    ['drain after the kiosks stopped', r.drainMs, 'ms', `${r.handled} handled of ${r.finalAcked} acknowledged; ${r.failed} store failures, ${r.invalid} invalid`],
    ['fleet CPU (mean)', mean(steady.map((s) => s.fleetCpuPct)).toFixed(0), '% of one core', `RSS ${Math.max(0, ...samples.map((s) => s.fleetRssMb))} MB max`],
    ['loadgen CPU (mean)', mean(steady.map((s) => s.loadgenCpuPct)).toFixed(0), '% of one core', ''],
    ['broker CPU (mean)', mean(steady.map((s) => s.brokerCpuPct)).toFixed(0), '% of one core', ''],
    ['machine load (1 min, mean)', mean(samples.map((s) => s.load1)).toFixed(2), '', `${cpus().length} cores shared with other work during the run`],
    ['keeps up', keeps ? 1 : 0, 'yes=1', 'backlog and lag of the second half within 1.5× the first, everything handled'],
  ];
  const table = `| measure | value | unit | note |\n|---|---:|---|---|\n${rows.map((x) => `| ${x.join(' | ')} |`).join('\n')}`;
  const sampleRows = samples
    .map((s) => `| ${s.t} | ${s.connected} | ${s.acked} | ${s.handled} | ${s.backlog} | ${s.pending} | ${s.storeLagMeanMs}/${s.storeLagMaxMs} | ${s.brokerStored} | ${s.fleetCpuPct}/${s.loadgenCpuPct}/${s.brokerCpuPct} | ${s.load1} |`)
    .join('\n');
  const section = `### fleet/load

\`make load\` (LOAD_KIOSKS=${r.kiosks} LOAD_MINUTES=${r.minutes}): ${r.kiosks} simulated kiosks into Mosquitto, one fleet instance. Run by hand, not part of \`make bench\`.

${table}

<details><summary>samples every 10 s</summary>

| t s | connected | broker-acked | fleet-handled | backlog | pending | lag mean/max ms | broker stored | CPU % fleet/loadgen/broker | load1 |
|---:|---:|---:|---:|---:|---:|---|---:|---|---:|
${sampleRows}

</details>

(run ${new Date().toISOString().slice(0, 16)}Z)
`;
  return { text: `\n${table}\n`, section };
}

/** Replaces (or adds) the `### fleet/load` section of BENCHMARKS.md, leaving the others as they are. */
function writeSection(section: string): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  if (!existsSync(file)) return;
  const doc = readFileSync(file, 'utf8');
  const parts = doc.split(/^(?=### )/m);
  const i = parts.findIndex((p) => p.startsWith('### fleet/load\n'));
  if (i >= 0) parts[i] = `${section}\n`;
  else {
    // Sections are in name order, as bench/run.ts writes them.
    const at = parts.findIndex((p, k) => k > 0 && p.slice(4, p.indexOf('\n')) > 'fleet/load');
    parts.splice(at < 0 ? parts.length : at, 0, `${section}\n`);
  }
  writeFileSync(file, parts.join(''));
}

main().catch((err: unknown) => {
  process.stderr.write(`load: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
