/**
 * The business capability in process, on a real store, outbox, clock and router, with a fake
 * wall and monotonic clock, a recording receipt printer and the API on a temporary socket.
 */
import type { Test } from 'tap';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../agent/api/server.js';
import { Router } from '../../../agent/api/router.js';
import { Clock } from '../../../agent/clock.js';
import { AgentConfig, type AgentConfigInput } from '../../../agent/config/schema.js';
import type { AgentContext } from '../../../agent/context.js';
import { DeviceRegistry } from '../../../agent/devices/registry.js';
import { MqttLink, type DownHandler } from '../../../agent/mqtt/link.js';
import { EventLog } from '../../../agent/outbox/events.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { Store } from '../../../agent/store/db.js';
import { Reporter } from '../../../agent/telemetry/reporter.js';
import { bearerAuthenticator } from '../../../agent/auth/sessions.js';
import { businessCapability, type BusinessCapability } from '../../../agent/ledger/capability.js';
import type { ReceiptDoc, ReceiptPrinter } from '../../../agent/ledger/printer.js';
import { silentLogger } from '../../../drivers/common/logger.js';

export const KIOSK = 'RJ-JAI-0001';

/** Receipts as the printer would get them, with their DUPLICATE mark. */
export class RecordingPrinter implements ReceiptPrinter {
  readonly printed: { doc: ReceiptDoc; duplicate: boolean }[] = [];
  tests = 0;
  printReceipt(doc: ReceiptDoc, opts: { duplicate: boolean }): Promise<{ jobId: string }> {
    this.printed.push({ doc, duplicate: opts.duplicate });
    return Promise.resolve({ jobId: `P${this.printed.length}` });
  }
  printTest(): Promise<{ ok: boolean; detail?: string }> {
    this.tests++;
    return Promise.resolve({ ok: true, detail: 'test page printed' });
  }
}

/** A link that is never connected; the test delivers downward messages to its handlers. */
class CapturingLink extends MqttLink {
  readonly handlers = new Map<string, DownHandler>();
  override onMessage(channel: Parameters<MqttLink['onMessage']>[0], handler: DownHandler): void {
    this.handlers.set(channel, handler);
    super.onMessage(channel, handler);
  }
}

export class FakeTime {
  wall = Date.UTC(2026, 10, 2, 5, 0);
  mono = 40_000;
  boot = 'boot-a';
}

export interface Harness {
  dir: string;
  store: Store;
  outbox: Outbox;
  clock: Clock;
  time: FakeTime;
  router: Router;
  printer: RecordingPrinter;
  socket: string;
  /** Messages queued for central on a channel, parsed. */
  queued(channel: string): Promise<Record<string, unknown>[]>;
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  login(user: string, pin: string): Promise<string>;
  /** Hands a message to the handler of a downward channel, as the link does (PUBACK after it settles). */
  deliver(channel: string, payload: Buffer): Promise<void>;
  ctx: AgentContext;
  cap: BusinessCapability;
  stop(): Promise<void>;
}

export async function startHarness(t: Test, config: Partial<AgentConfigInput> = {}, opts: { dir?: string; time?: FakeTime; noPrinter?: boolean } = {}): Promise<Harness> {
  const dir = opts.dir ?? t.testdir({});
  const time = opts.time ?? new FakeTime();
  const cfg = AgentConfig.parse({
    schemaVersion: 2,
    kiosk: { id: KIOSK, district: 'Jaipur', lsp: 'Test LSP' },
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    store: { path: join(dir, 'agent.db') },
    clock: { trust: 'always' },
    ...config,
  });
  const store = await Store.open(cfg.store.path, { logger: silentLogger });
  const clock = await Clock.create({ trust: cfg.clock.trust, now: () => time.wall, hrtime: () => BigInt(time.mono) * 1_000_000n, readFile: () => Promise.resolve(time.boot) });
  const outbox = await Outbox.open(store, KIOSK, clock, cfg.outbox, silentLogger);
  const events = new EventLog(store, outbox, silentLogger);
  const devices = new DeviceRegistry();
  const reporter = new Reporter({ outbox, devices, clock, logger: silentLogger, heartbeatSec: 60, version: 't', configHash: 'h', startedAt: 0, stateDebounceMs: 5 });
  const link = new CapturingLink({ config: cfg.mqtt, kioskId: KIOSK, store, time: clock, logger: silentLogger, birth: () => ({ agent: 't', district: 'x', lsp: 'y', heartbeatSec: 60, keepaliveSec: 60 }), onUp: () => undefined, onDown: () => undefined });
  const router = new Router();
  const pending = new Set<Promise<unknown>>();
  const ctx: AgentContext = {
    loaded: { path: join(dir, 'config.json'), config: cfg, fileVersion: 2, hash: 'h' },
    store, clock, outbox, events, devices, reporter, link, router,
    logger: () => silentLogger,
    track: (p) => {
      const q = p.catch(() => undefined);
      pending.add(q);
      void q.finally(() => pending.delete(q));
    },
  };
  const printer = new RecordingPrinter();
  const cap = businessCapability(opts.noPrinter ? {} : { printer });
  const running = await cap.start(ctx);
  const socket = join(mkdtempSync(join(tmpdir(), 'kl-')), 'api.sock');
  const api = new ApiServer({ socketPath: socket, router, logger: silentLogger, authenticate: bearerAuthenticator(store, clock) });
  await api.listen();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await api.close();
    await running?.stop();
    await Promise.all(pending);
    await reporter.stop();
    clock.close();
    await store.close();
  };
  t.teardown(stop);
  const call: Harness['call'] = (method, path, body, token) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const req = request({ socketPath: socket, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return {
    dir, store, outbox, clock, time, router, printer, socket, ctx, cap, stop, call,
    queued: async (channel) => (await store.all<{ payload: string }>('SELECT payload FROM outbox WHERE channel = ? ORDER BY id', [channel])).map((r) => JSON.parse(r.payload) as Record<string, unknown>),
    deliver: async (channel, payload) => {
      const h = link.handlers.get(channel);
      if (!h) throw new Error(`no handler for ${channel}`);
      await h(payload, `kiosk/v1/${KIOSK}/${channel}`);
    },
    login: async (user, pin) => {
      const r = await call('POST', '/v1/login', { user, pin });
      if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body['token'] as string;
    },
  };
}
