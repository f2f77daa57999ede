/**
 * Pieces shared by the fleet load run and the fleet benchmarks: a Mosquitto sized for ten
 * thousand connections, the fleet probe process (_probe.ts) and the load generator
 * (`kiosk-fleet loadgen`) as child processes, and the broker's own $SYS counters.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { LoadReport } from '../../fleet/loadgen/generator.js';
import type { ProbeLine } from './_probe.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PROBE = join(ROOT, 'dist/bench/fleet/_probe.js');
const FLEET_BIN = join(ROOT, 'bin/kiosk-fleet');
/** Sockets for each process of the run: 10,000 kiosks plus headroom (the hard limit permitting). */
export const NOFILE = 20_000;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((r, j) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
    s.once('error', j);
  });
}

/** `sh -c 'ulimit -n N; exec …'`: raises the soft limit as far as the hard one allows. */
function withNofile(cmd: string, args: string[]): [string, string[]] {
  return ['sh', ['-c', `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n hard; exec "$0" "$@"`, cmd, ...args]];
}

export interface LoadBroker {
  url: string;
  port: number;
  pid: number;
  close(): Promise<void>;
}

/**
 * Mosquitto with no connection cap, a deep per-client queue (so a slow fleet shows as a growing
 * backlog rather than silently dropped messages), no persistence, $SYS every 5 s.
 */
export async function startLoadBroker(dir: string): Promise<LoadBroker> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_connections -1',
      'max_queued_messages 1000000',
      'sys_interval 5',
      'persistence false',
      'log_type error',
      '',
    ].join('\n'),
  );
  const bin = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => spawnSync('test', ['-x', p]).status === 0);
  if (!bin) throw new Error('mosquitto is not installed (Debian package mosquitto)');
  const [cmd, args] = withNofile(bin, ['-c', conf]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const end = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = tcpConnect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (up) break;
    if (Date.now() > end) throw new Error('mosquitto did not start');
    await sleep(50);
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, pid: proc.pid ?? 0, close: () => stopChild(proc) };
}

export async function stopChild(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(t);
}

/** A child that prints JSON lines; keeps the latest and hands every line to `onLine`. */
export interface JsonChild<T> {
  proc: ChildProcess;
  latest: T | undefined;
  lines: T[];
  onLine?: (line: T) => void;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function jsonChild<T>(cmd: string, args: string[], keep: boolean, env: Record<string, string> = {}): JsonChild<T> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const child: JsonChild<T> = { proc, latest: undefined, lines: [], stop: (sig) => stopChild(proc, sig) };
  createInterface({ input: proc.stdout }).on('line', (l) => {
    let v: T;
    try {
      v = JSON.parse(l) as T;
    } catch {
      return;
    }
    child.latest = v;
    if (keep) child.lines.push(v);
    child.onLine?.(v);
  });
  return child;
}

export type ProbeOutput = ProbeLine | { ready: true; at: number };

/** The fleet instance under test; resolves once it is subscribed. */
export async function startProbe(
  url: string,
  db: string,
  opts: { group?: string; misses?: number; checkEveryMs?: number; catchupMs?: number; everyMs?: number } = {},
): Promise<JsonChild<ProbeOutput>> {
  const args = [PROBE, url, db, opts.group ?? 'kiosk-fleet', String(opts.misses ?? 3), String(opts.checkEveryMs ?? 1000)];
  const env: Record<string, string> = {};
  if (opts.catchupMs !== undefined) env['PROBE_CATCHUP_MS'] = String(opts.catchupMs);
  if (opts.everyMs !== undefined) env['PROBE_EVERY_MS'] = String(opts.everyMs);
  const probe = jsonChild<ProbeOutput>(...withNofile(process.execPath, args), false, env);
  const end = Date.now() + 30_000;
  while (!probe.latest || !('ready' in probe.latest)) {
    if (probe.proc.exitCode !== null || Date.now() > end) throw new Error('the fleet probe did not become ready');
    await sleep(50);
  }
  return probe;
}

export function isProbeLine(v: ProbeOutput | undefined): v is ProbeLine {
  return v !== undefined && !('ready' in v);
}

export type LoadgenOutput = LoadReport & { phase: 'run' | 'ramped' | 'stopped' };

/** `kiosk-fleet loadgen … --json` in its own process (as an operator would run it). */
export function startLoadgen(args: string[]): JsonChild<LoadgenOutput> {
  return jsonChild<LoadgenOutput>(...withNofile(process.execPath, [FLEET_BIN, 'loadgen', '--json', ...args]), true);
}

/** The broker's $SYS counters, kept as they come (Mosquitto publishes them every sys_interval). */
export async function watchSys(url: string): Promise<{ values: Map<string, number>; close(): Promise<void> }> {
  const values = new Map<string, number>();
  const c = await mqtt.connectAsync(url, { clientId: `load-sys-${process.pid}` });
  c.on('message', (topic, payload) => {
    const n = Number.parseFloat(payload.toString());
    if (Number.isFinite(n)) values.set(topic.replace('$SYS/broker/', ''), n);
  });
  await c.subscribeAsync('$SYS/broker/#');
  return { values, close: () => c.endAsync() };
}

/** CPU time (ms) and RSS (MiB) of a process, from /proc. */
export function procUsage(pid: number): { cpuMs: number; rssMb: number } {
  try {
    const stat = spawnSync('cat', [`/proc/${pid}/stat`, `/proc/${pid}/status`], { encoding: 'utf8' }).stdout;
    const fields = stat.slice(stat.indexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * 10;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(stat)?.[1] ?? 0);
    return { cpuMs, rssMb: Math.round(rssKb / 1024) };
  } catch {
    return { cpuMs: 0, rssMb: 0 };
  }
}
