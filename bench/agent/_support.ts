/** Shared pieces of the agent benchmarks: processes, /proc readings, a byte-counting broker. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const AGENT_BIN = join(ROOT, 'bin/kiosk-agent');
const TICKS = 100; // USER_HZ on Linux

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, id: string, url: string, extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: 2,
      kiosk: { id, district: 'Jaipur', lsp: 'Bench LSP' },
      mqtt: { url },
      store: { path: join(dir, 'agent.db') },
      api: { socket: join(dir, 'api.sock') },
      log: { level: 'warn' },
      clock: { trust: 'always' },
      ...extra,
    }),
  );
  return path;
}

/** Runs the bin as installed (its shebang carries the V8 flags the agent runs with). */
export function spawnAgent(config: string): ChildProcess {
  return spawn(AGENT_BIN, ['--config', config], { stdio: 'ignore', env: { ...process.env, NOTIFY_SOCKET: '' } });
}

/** Resident set size (kB) and CPU time (ms) of a process, from /proc. */
export function procUsage(pid: number): { rssKb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  return { rssKb, cpuMs };
}

export async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 8000);
  await done;
  clearTimeout(t);
}

export interface CountingBroker {
  url: string;
  broker: Aedes;
  /** Bytes in both directions on every client connection since the start. */
  bytes(): number;
  close(): Promise<void>;
}

/** An aedes broker that counts the MQTT bytes on the wire, both directions. */
export async function countingBroker(): Promise<CountingBroker> {
  const broker = await Aedes.createBroker();
  let total = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => {
      total += s.bytesRead + s.bytesWritten;
      sockets.delete(s);
    });
    broker.handle(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    bytes: () => [...sockets].reduce((sum, s) => sum + s.bytesRead + s.bytesWritten, total),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BenchMosquitto {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A loopback Mosquitto with unbounded queues and in-flight windows, so the broker is not the limit. */
export async function startMosquitto(dir: string): Promise<BenchMosquitto> {
  const port = await new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\nlog_type error\n`);
  const bin = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => spawnSync('test', ['-x', p]).status === 0);
  if (!bin) throw new Error('mosquitto is not installed');
  const proc = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  await sleep(300);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}
