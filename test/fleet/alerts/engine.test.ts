/** Alerts from real ingest into a real store, notified to a real local HTTP receiver. */
import t, { type Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Ingestor } from '../../../fleet/ingest.js';
import { silentLogger } from '../../../fleet/log.js';
import { LivenessMonitor } from '../../../fleet/monitor.js';
import { type FleetChange, startOperations } from '../../../fleet/operations.js';
import { SqliteFleetRepository } from '../../../fleet/store/sqlite-repository.js';
import { WebhookNotifier } from '../../../fleet/alerts/webhook.js';
import { birth, bytes, death, event, FakeClock, heartbeat, state, tempDir, waitFor } from '../fixtures/helpers.js';

const K = 'RJ-JAI-0001';
const topic = (channel: string): string => `kiosk/v1/${K}/${channel}`;

async function receiver(t: Test, answer: (n: number) => number = () => 204) {
  const got: { body: Record<string, unknown>; auth: string | undefined }[] = [];
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = answer(++n);
      if (status < 300) got.push({ body: JSON.parse(body) as Record<string, unknown>, auth: req.headers.authorization });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, calls: () => n };
}

t.test('alerts open, update and clear with history, each notified through the webhook', async (t) => {
  const hook = await receiver(t);
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const changes: FleetChange[] = [];
  const ops = startOperations({
    repo,
    clock,
    log: silentLogger,
    url: 'mqtt://unused',
    webhookUrl: hook.url,
    webhookToken: 's3cret',
    sweepEveryMs: 3_600_000,
    publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() },
  });
  t.teardown(() => ops.close());
  ops.subscribe((c) => changes.push(c));
  const ingest = new Ingestor({ repo, clock, log: silentLogger, onGap: ops.onGap, onChange: ops.onChange, onLiveness: ops.onLiveness });
  const monitor = new LivenessMonitor({ repo, clock, log: silentLogger, heartbeatMisses: 3, onLiveness: ops.onLiveness });

  await ingest.handle(topic('status'), bytes(birth(1)));
  await ingest.handle(topic('state'), bytes(state(1, { devices: { printer: { state: 'degraded', detail: 'paper near end' } }, clock: { synced: false, source: 'assumed' } })));
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => a.kind), ['clock-not-synced', 'printer-paper-near-end']);

  clock.advance(1000);
  await ingest.handle(topic('state'), bytes(state(2, { devices: { printer: { state: 'fault', detail: 'paper out', paper: 'out' } }, clock: { synced: true, source: 'ntp' } })));
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => a.kind), ['printer-paper-out']);

  clock.advance(1000);
  await ingest.handle(topic('status'), bytes(death(1)));
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => [a.kind, a.detail]), [['offline', 'will'], ['printer-paper-out', 'paper out']]);

  // Back online by a new birth: offline clears.
  clock.advance(1000);
  await ingest.handle(topic('status'), bytes(birth(2)));
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => a.kind), ['printer-paper-out']);

  // Missed heartbeats through the monitor: offline opens again, with its reason.
  monitor.start();
  t.teardown(() => monitor.stop());
  clock.advance(181_001);
  await monitor.stop();
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => [a.kind, a.detail]), [['offline', 'missed-heartbeats'], ['printer-paper-out', 'paper out']]);
  await ingest.handle(topic('heartbeat'), bytes(heartbeat(9)));
  await ops.idle();
  t.same((await repo.listOpenAlerts(K)).map((a) => a.kind), ['printer-paper-out'], 'heartbeats resumed: offline clears');

  // An expired capture opens its alert; the sweep closes it once the window has passed.
  await ingest.handle(topic('events'), bytes(event(1, 'capture.expired', { captureId: '0b7d2f52-5c1e-4c4a-9d51-3a1b2c3d4e5f', service: 'EKYC', ageSec: 90_000, ttlSec: 86_400 })));
  await ops.idle();
  t.ok((await repo.listOpenAlerts(K)).some((a) => a.kind === 'captures-expired'));
  clock.advance(86_400_001);
  await ops.idle();
  t.notOk((await repo.listOpenAlerts(K)).some((a) => a.kind === 'captures-expired'), 'cleared by the periodic sweep');

  const history = (await repo.listAlertHistory(K)).reverse().map((h) => `${h.action} ${h.kind}`);
  t.same(history, [
    'open printer-paper-near-end',
    'open clock-not-synced',
    'open printer-paper-out',
    'clear clock-not-synced',
    'clear printer-paper-near-end',
    'open offline',
    'clear offline',
    'open offline',
    'clear offline',
    'open captures-expired',
    'clear captures-expired',
  ]);
  const received = await waitFor(() => (hook.got.length === history.length ? hook.got : undefined), 'every change at the webhook');
  t.same(received.map((r) => `${String(r.body.action)} ${String(r.body.kind)}`), history, 'notified in order');
  t.match(received.find((r) => r.body.kind === 'offline')?.body, { source: 'kiosk-fleet', kioskId: K, kind: 'offline', action: 'open', severity: 'critical', detail: 'will', district: 'Jaipur' });
  t.equal(received[0]?.auth, 'Bearer s3cret');
  t.ok(changes.some((c) => c.kind === 'alerts'), 'changes reach the dashboard listeners');
});

t.test('the webhook retries a 5xx and gives up on a 4xx', async (t) => {
  const hook = await receiver(t, (n) => (n === 1 ? 503 : n === 3 ? 400 : 204));
  const w = new WebhookNotifier({ url: hook.url, log: silentLogger, retries: 2, retryBaseMs: 10 });
  const n = { kioskId: K, kind: 'offline', action: 'open' as const, severity: 'critical' as const, detail: 'will', at: 1, openedAt: 1, district: null };
  w.notify(n);
  w.notify({ ...n, action: 'clear' });
  w.notify({ ...n, kind: 'clock-not-synced' });
  await w.idle();
  t.same(hook.got.map((g) => `${String(g.body.action)} ${String(g.body.kind)}`), ['open offline', 'open clock-not-synced']);
  t.same(w.stats, { sent: 2, failed: 1, dropped: 0 });
  t.equal(hook.calls(), 4, 'one retry after the 503, none after the 400');
  const dead = new WebhookNotifier({ url: 'http://127.0.0.1:1/none', log: silentLogger, retries: 1, retryBaseMs: 5 });
  dead.notify(n);
  await dead.idle();
  t.same(dead.stats, { sent: 0, failed: 1, dropped: 0 }, 'an unreachable receiver costs one failure, never a throw');
});
