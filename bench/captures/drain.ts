/**
 * Capture drain rate (issue 7): 10,000 sealed captures queued while offline, then the agent
 * started against a loopback Mosquitto with the central capture receiver (SQLite outcomes,
 * simulated authenticator) listening; the clock stops when the receiver has decided all of them.
 * The baseline is the outbox's plain-event drain rate (as in bench/agent/drain.ts), measured in
 * the same run against the same broker: the ratio is the figure to compare across machines.
 *
 * The in-process cost of one receiver decision is measured too (one at a time, so each SQLite
 * outcome is its own fsync; the receiver's lane decides up to 64 at once and shares the commits).
 * The kiosk records each result in its inbox (batched commits) and applies them behind the
 * connection, several per transaction, so its uploads are not held up by the ledger entries.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import sqlite3 from 'sqlite3';
import { EventLog } from '../../agent/outbox/events.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { Store } from '../../agent/store/db.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { SimulatedAuthenticator } from '../../fleet/captures/authenticator.js';
import { CaptureDesk } from '../../fleet/captures/desk.js';
import { MemoryOutcomeStore, SqliteOutcomeStore, type OutcomeStore } from '../../fleet/captures/outcomes.js';
import { CaptureReceiver } from '../../fleet/captures/receiver.js';
import { silentLogger as fleetSilent } from '../../fleet/log.js';
import { sleep, spawnAgent, startMosquitto, stop, tempDir, writeConfig } from '../agent/_support.js';
import type { BenchResult } from '../run.js';
import { captureBody, central, centralPem, ekycSection, openQueue } from './_queue.js';

const N = Number(process.env['BENCH_CAPTURE_DRAIN_N'] ?? 10_000);

function count(db: string, sql: string): Promise<number> {
  return new Promise((resolve) => {
    const d = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (err) => {
      if (err) return resolve(0);
      d.get(sql, (e: Error | null, r: { n: number } | undefined) => {
        d.close();
        resolve(e ? 0 : (r?.n ?? 0));
      });
    });
  });
}

/** The receiver's cost per capture without the network: ms per decision with the given store. */
async function deskCost(rows: { topic: string; payload: string }[], outcomes: OutcomeStore): Promise<number> {
  const desk = new CaptureDesk({ privateKey: central.privateKey, authenticator: new SimulatedAuthenticator(), outcomes, log: fleetSilent });
  const t0 = performance.now();
  for (const r of rows) await desk.decide(r.topic, Buffer.from(r.payload));
  const ms = (performance.now() - t0) / rows.length;
  await outcomes.close();
  return ms;
}

export async function run(): Promise<BenchResult[]> {
  const dir = tempDir('bench-capture-drain-');
  const broker = await startMosquitto(dir);
  try {
    // N captures, queued exactly as the agent queues them (filled without fsync to save bench time).
    const capDir = join(dir, 'captures');
    const outboxLimits = { maxRows: N * 3, maxBytes: 2_000_000_000 };
    const capConfig = writeConfig(capDir, 'RJ-JAI-0410', broker.url, { outbox: outboxLimits, ekyc: ekycSection(N * 2) });
    const q = await openQueue(capDir, 'RJ-JAI-0410', N * 2);
    await q.store.exec('PRAGMA synchronous = OFF');
    for (let i = 0; i < N; i++) await q.service.take(captureBody(i));
    const envelopeBytes = Math.round(q.outbox.depth().bytes / N);
    const sample = await q.outbox.peek(0, Math.min(N, 500));
    const memMs = await deskCost(sample, new MemoryOutcomeStore());
    const sqlMs = await deskCost(sample, await SqliteOutcomeStore.open(join(dir, 'desk.db')));
    await q.service.stop();
    await q.store.close();

    // The baseline: N plain events.
    const evDir = join(dir, 'events');
    const evConfig = writeConfig(evDir, 'RJ-JAI-0411', broker.url, { outbox: outboxLimits });
    const store = await Store.open(join(evDir, 'agent.db'), { logger: silentLogger });
    await store.exec('PRAGMA synchronous = OFF');
    const time = { now: () => ({ ts: Date.now(), mono: Math.round(performance.now()), boot: 'bench', synced: true }) };
    const outbox = await Outbox.open(store, 'RJ-JAI-0411', time, outboxLimits, silentLogger);
    const events = new EventLog(store, outbox, silentLogger);
    for (let n = 0; n < N; n++) await events.emit('sim.tick', 'info', { n });
    await store.close();

    const sub = await mqtt.connectAsync(broker.url, { clientId: 'bench-capture-drain-sub' });
    await sub.subscribeAsync('kiosk/v1/RJ-JAI-0411/events', { qos: 1 });
    let got = 0;
    const allEvents = new Promise<number>((resolve) => sub.on('message', () => ++got === N + 1 && resolve(performance.now())));
    const t0 = performance.now();
    const evAgent = spawnAgent(evConfig);
    const eventMs = (await allEvents) - t0;
    await stop(evAgent);
    await sub.endAsync();

    const receiver = await CaptureReceiver.start({ url: broker.url, privateKeyPem: centralPem, outcomesDb: join(dir, 'central.db'), log: fleetSilent, retryMs: 200 });
    while (!receiver.connected) await sleep(20);
    const t1 = performance.now();
    const capAgent = spawnAgent(capConfig);
    while (receiver.stats.accepted + receiver.stats.duplicate < N) await sleep(5);
    const captureMs = performance.now() - t1;
    const db = join(capDir, 'agent.db');
    while ((await count(db, "SELECT count(*) AS n FROM captures WHERE state = 'accepted'")) < N) await sleep(100);
    const appliedMs = performance.now() - t1;
    await stop(capAgent);
    await receiver.stop();

    const eventRate = (N / eventMs) * 1000;
    const captureRate = (N / captureMs) * 1000;
    return [
      { name: 'captures drained to the receiver', value: captureRate, unit: 'captures/s', note: `${N} queued captures (~${envelopeBytes} bytes each), opened, authenticated (simulator), recorded, answered; process start included. Results go to the kiosk's inbox and are applied behind the connection` },
      { name: 'plain-event drain (baseline)', value: eventRate, unit: 'events/s', note: `${N} queued sim.tick events to a subscriber, same broker, same run` },
      { name: 'capture drain ratio captures / events', value: captureRate / eventRate, unit: '×' },
      { name: 'all results applied at the kiosk', value: appliedMs / 1000, unit: 's', note: 'a ledger entry per accepted capture, with the state change and the inbox row, up to 16 results per transaction' },
      { name: 'receiver decision, in process, memory outcomes', value: memMs, unit: 'ms/capture', note: 'validate, open the seal, parse the PidData (simulated authenticator)' },
      { name: 'receiver decision, in process, SQLite outcomes', value: sqlMs, unit: 'ms/capture', note: 'the same plus one synchronous=FULL commit each (one at a time; the lane shares commits)' },
    ];
  } finally {
    await broker.close();
  }
}
