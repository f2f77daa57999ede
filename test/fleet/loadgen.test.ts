/**
 * The load generator: what one simulated kiosk says is valid under the contract, with the seq
 * and session rules of the agent; against a real broker every kiosk connects as itself with its
 * own will, heartbeats and events arrive, a killed kiosk's will is published by the broker, a
 * stopped one says shutdown; the fleet ingests it all; the CLI refuses bad options.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { connectAsync } from 'mqtt';
import { run } from '../../fleet/cli.js';
import { Ingestor } from '../../fleet/ingest.js';
import { kioskIds, LoadGenerator } from '../../fleet/loadgen/generator.js';
import { parseLoadgenArgs } from '../../fleet/loadgen/cli.js';
import { SimKiosk } from '../../fleet/loadgen/messages.js';
import { silentLogger } from '../../fleet/log.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { systemClock } from '../../fleet/clock.js';
import { decodeMessage } from '../../protocols/telemetry/index.js';
import { startAedes } from '../helpers/aedes.js';
import { tempDir, waitFor } from './fixtures/helpers.js';
import { join } from 'node:path';

const parse = (m: { topic: string; payload: string }): Record<string, unknown> => {
  const d = decodeMessage(m.topic, Buffer.from(m.payload));
  if (!d.ok) throw new Error(d.error);
  return d.message as Record<string, unknown>;
};

t.test('a simulated kiosk: contract-valid messages, seq per channel, will and birth of one session', (t) => {
  let now = 1_764_000_000_000;
  const k = new SimKiosk({ kioskId: 'LG-00001', district: 'Jaipur', lsp: 'LSP 1', heartbeatSec: 60, keepaliveSec: 60, base: 1000, now: () => now });
  const c1 = k.connect();
  const will = parse(c1.will);
  const birth = parse(c1.birth());
  t.match(will, { state: 'offline', reason: 'will', session: 1001, seq: 1001 });
  t.match(birth, { state: 'online', session: 1001, seq: 1002, district: 'Jaipur', heartbeatSec: 60 });
  t.equal(c1.will.retain && c1.birth().retain, true, 'status is retained');
  now += 60_000;
  t.match(parse(k.heartbeat()), { seq: 1001, up: 60, synced: true, boot: k.boot });
  t.match(parse(k.heartbeat()), { seq: 1002 });
  t.match(parse(k.event()), { seq: 1001, type: 'sim.tick', data: { n: 1 } });
  t.match(parse(k.state()), { seq: 1001, wallet: { belowMinimum: false } });
  t.equal(k.state().retain, true);
  const c2 = k.connect();
  t.match(parse(c2.will), { session: 1002, seq: 1003 }, 'a reconnect is a new session; the will takes the next status seq');
  t.match(parse(c2.birth()), { session: 1002, seq: 1004 });
  t.match(parse(k.shutdown()), { state: 'offline', reason: 'shutdown', session: 1002, seq: 1005 });
  t.same(kioskIds('LG', 3), ['LG-00001', 'LG-00002', 'LG-00003']);
  t.end();
});

t.test('against a broker: each kiosk its own client and will; the fleet ingests everything', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const clients = new Set<string>();
  broker.broker.on('client', (c) => clients.add(c.id));
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const ingest = new Ingestor({ repo, log: silentLogger, clock: systemClock });
  const sub = await connectAsync(broker.url, { clientId: 'fleet-test' });
  t.teardown(() => sub.endAsync());
  const seen: string[] = [];
  sub.on('message', (topic, payload) => {
    seen.push(topic);
    void ingest.handle(topic, payload);
  });
  await sub.subscribeAsync('kiosk/v1/+/+', { qos: 1 });

  const gen = new LoadGenerator({ url: broker.url, count: 5, heartbeatSec: 1, eventsPerHour: 3600 * 4, statesPerHour: 0, idPrefix: 'LGT', districts: ['Jaipur', 'Kota'], connectRate: 50, validateAll: true });
  await gen.start();
  t.same([...clients].filter((c) => c.startsWith('LGT-')).sort(), kioskIds('LGT', 5), 'each kiosk connects with its kiosk id as client id');
  await waitFor(() => seen.filter((s) => s.endsWith('/heartbeat')).length >= 5 && seen.filter((s) => s.endsWith('/events')).length >= 5, 'heartbeats and events', 10_000);

  gen.kiosk('LGT-00001')!.kill();
  await waitFor(async () => (await repo.getKiosk('LGT-00001'))?.reason === 'will', 'the will of the killed kiosk', 5000);
  await gen.stop('shutdown');
  const r = gen.report();
  t.equal(r.errors, 0, r.lastError);
  t.equal(r.inflight, 0);
  t.equal(r.acked, r.published);
  await waitFor(() => seen.length >= r.published + 1, 'everything published (and the will)', 5000);
  await ingest.idle();
  t.equal(ingest.stats.invalid, 0, 'every message valid under the contract');
  const kiosks = await repo.listKiosks();
  t.same(kiosks.map((k) => [k.kioskId, k.liveness, k.reason, k.district]), [
    ['LGT-00001', 'offline', 'will', 'Jaipur'],
    ['LGT-00002', 'offline', 'shutdown', 'Kota'],
    ['LGT-00003', 'offline', 'shutdown', 'Jaipur'],
    ['LGT-00004', 'offline', 'shutdown', 'Kota'],
    ['LGT-00005', 'offline', 'shutdown', 'Jaipur'],
  ]);
  for (const k of kiosks) t.equal((await repo.seqGaps(k.kioskId)).missed, 0, `${k.kioskId}: no gap`);
});

t.test('the CLI: options and clear refusals', async (t) => {
  const p = parseLoadgenArgs(['--count', '10000', '--heartbeat', '30', '--events-per-hour', '12', '--districts', 'Jaipur, Kota', '--duration', '600', '--stop', 'drop']);
  t.match(p, { options: { count: 10000, heartbeatSec: 30, eventsPerHour: 12, districts: ['Jaipur', 'Kota'] }, durationSec: 600, stop: 'drop' });
  const out = new PassThrough();
  const err = new PassThrough();
  let errText = '';
  err.on('data', (d: Buffer) => (errText += d.toString()));
  out.resume();
  t.equal(await run(['loadgen', '--count', 'many'], { stdout: out, stderr: err }), 2);
  t.match(errText, /--count must be a number/);
  t.equal(await run(['loadgen', '--id-prefix', 'lower'], { stdout: out, stderr: err }), 2);
  t.match(errText, /id prefix must be upper-case/);
  t.equal(await run(['loadgen', '--stop', 'later'], { stdout: out, stderr: err }), 2);
  t.match(errText, /--stop must be drop or shutdown/);
  t.equal(await run(['loadgen', '--help'], { stdout: out, stderr: err }), 0);
});

t.test('a run with --duration reports and stops by itself', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const code = await run(['loadgen', '--mqtt-url', broker.url, '--count', '3', '--heartbeat', '1', '--duration', '2', '--report-every', '1', '--json', '--id-prefix', 'LGD'], { stdout: out, stderr: new PassThrough() });
  t.equal(code, 0);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { phase: string; connected: number; published: number; byChannel: Record<string, number> });
  t.equal(lines[0]?.phase, 'ramped');
  const last = lines.at(-1)!;
  t.equal(last.phase, 'stopped');
  t.ok(last.byChannel['heartbeat']! >= 3, 'heartbeats sent');
  t.equal(last.byChannel['status'], 6, 'a birth and a shutdown each');
});
