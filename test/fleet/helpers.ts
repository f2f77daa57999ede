/** Shared fixtures for the fleet tests: contract-valid messages, a fake clock, temp databases. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer } from 'node:net';
import type { Clock } from '../../fleet/clock.js';
import { createLogger, type Logger } from '../../fleet/log.js';

export const BOOT = '6f1c1d52-0c4e-4d5c-9a52-6a1f0b1b2c3d';

export function meta(seq: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, ts: 1_764_000_000_000 + seq, mono: 5_000 + seq, boot: BOOT, synced: true, seq, ...over };
}

export function birth(session: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...meta(session),
    state: 'online',
    session,
    agent: '0.1.0',
    district: 'Jaipur',
    lsp: 'e-Mitra LSP 7',
    heartbeatSec: 60,
    keepaliveSec: 60,
    ...over,
  };
}

export function death(session: number, reason: 'will' | 'shutdown' = 'will'): Record<string, unknown> {
  return { ...meta(session), state: 'offline', session, reason };
}

export function heartbeat(seq: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...meta(seq), up: seq * 60, q: 0, sum: 'fp:ok prn:ok ups:mains', ...over };
}

export function state(seq: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...meta(seq),
    agent: { version: '0.1.0', startedAt: 1_764_000_000_000 },
    config: { version: 'cfg-1' },
    clock: { synced: true, source: 'ntp' },
    queue: { depth: 2, bytes: 300 },
    devices: { reader: { state: 'ok' }, printer: { state: 'degraded', detail: 'paper low' } },
    ...over,
  };
}

export function event(seq: number, type = 'sim.tick', data: Record<string, unknown> = { n: seq }): Record<string, unknown> {
  return { ...meta(seq), type, severity: 'info', data };
}

export const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** A clock whose time moves only when told; timers fire as it passes them. */
export class FakeClock implements Clock {
  private timers = new Map<number, { fn: () => void; every: number; next: number }>();
  private ids = 0;

  constructor(public t = 1_764_000_000_000) {}

  now(): number {
    return this.t;
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.set(id, { fn, every: ms, next: this.t + ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time on by `ms`, firing each due timer in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let due: { fn: () => void; every: number; next: number } | undefined;
      for (const timer of this.timers.values()) if (timer.next <= end && (!due || timer.next < due.next)) due = timer;
      if (!due) break;
      this.t = due.next;
      due.next += due.every;
      due.fn();
    }
    this.t = end;
  }
}

export function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger whose JSON lines are kept for assertions. */
export function captureLogger(level: 'info' | 'debug' | 'warn' = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger(level, sink), lines };
}

/** Polls until `check` returns a truthy value; for things that happen over a real network. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A tiny kiosk for process-level tests: connects with its last will registered, publishes its
 * birth (both retained, QoS 1) and says `ready` once the broker has the birth. Plain JavaScript,
 * so the child needs no TypeScript loader. Settings come from the environment.
 */
export const KIOSK_CHILD = `
import mqtt from 'mqtt';
const { URL, KIOSK, SESSION, KEEPALIVE } = process.env;
const session = Number(SESSION);
const meta = { v: 1, ts: Date.now(), mono: Math.round(performance.now()), boot: 'child-boot', synced: false, seq: session };
const topic = 'kiosk/v1/' + KIOSK + '/status';
const will = { ...meta, state: 'offline', session, reason: 'will' };
const birth = { ...meta, state: 'online', session, agent: '0.1.0', district: 'Ajmer', lsp: 'LSP 3', heartbeatSec: 60, keepaliveSec: Number(KEEPALIVE) };
const c = mqtt.connect(URL, { clientId: KIOSK, keepalive: Number(KEEPALIVE), reconnectPeriod: 0, clean: true,
  will: { topic, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true } });
c.on('connect', () => c.publish(topic, JSON.stringify(birth), { qos: 1, retain: true }, () => process.stdout.write('ready\\n')));
c.on('error', (e) => { process.stderr.write(String(e) + '\\n'); process.exit(3); });
`;
