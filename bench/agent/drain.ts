/**
 * Outbox drain rate: 10,000 events queued while the broker was unreachable, then the agent
 * started against a loopback Mosquitto; the clock stops when a subscriber has all 10,000.
 * The baseline is `mosquitto_pub -q 1 -l` sending the same count of the same payload size,
 * timed the same way, in the same run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { EventLog } from '../../agent/outbox/events.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { Store } from '../../agent/store/db.js';
import { silentLogger } from '../../drivers/common/logger.js';
import type { BenchResult } from '../run.js';
import { spawnAgent, startMosquitto, stop, tempDir, writeConfig } from './_support.js';

const N = Number(process.env['BENCH_DRAIN_N'] ?? 10_000);

async function counted(url: string, topic: string, n: number): Promise<{ done: Promise<number>; close: () => Promise<void> }> {
  const sub = await mqtt.connectAsync(url, { clientId: `bench-sub-${Math.random().toString(16).slice(2)}` });
  await sub.subscribeAsync(topic, { qos: 1 });
  let count = 0;
  const done = new Promise<number>((resolve) => {
    sub.on('message', () => {
      if (++count === n) resolve(performance.now());
    });
  });
  return { done, close: () => sub.endAsync() };
}

export async function run(): Promise<BenchResult[]> {
  const dir = tempDir('bench-drain-');
  const broker = await startMosquitto(dir);
  try {
    // Queue N events exactly as the agent does (same modules, same database file).
    const agentDir = join(dir, 'agent');
    const config = writeConfig(agentDir, 'RJ-JAI-0300', broker.url, { outbox: { maxRows: N * 2, maxBytes: 500_000_000 } });
    const store = await Store.open(join(agentDir, 'agent.db'), { logger: silentLogger });
    const time = { now: () => ({ ts: Date.now(), mono: Math.round(performance.now()), boot: 'bench', synced: true }) };
    const outbox = await Outbox.open(store, 'RJ-JAI-0300', time, { maxRows: N * 2, maxBytes: 500_000_000 }, silentLogger);
    const events = new EventLog(store, outbox, silentLogger);
    for (let n = 0; n < N; n++) await events.emit('sim.tick', 'info', { n });
    const sample = (await outbox.peek(0, 1))[0]!.payload;
    await store.close();

    const agentSub = await counted(broker.url, 'kiosk/v1/RJ-JAI-0300/events', N + 1); // + agent.start
    const t0 = performance.now();
    const agent = spawnAgent(config);
    const agentMs = (await agentSub.done) - t0;
    await stop(agent);
    await agentSub.close();

    const lines = `${Array.from({ length: N }, () => sample).join('\n')}\n`;
    const pubSub = await counted(broker.url, 'bench/baseline', N);
    const t1 = performance.now();
    const pub = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'bench/baseline', '-l'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    pub.stdin.end(lines);
    const pubMs = (await pubSub.done) - t1;
    await new Promise((r) => pub.once('exit', r));
    await pubSub.close();

    const agentRate = (N / agentMs) * 1000;
    const pubRate = (N / pubMs) * 1000;
    return [
      { name: 'agent outbox drain', value: agentRate, unit: 'events/s', note: `${N} queued events, process start included; bar ≥ 2000` },
      { name: 'mosquitto_pub -q 1 baseline', value: pubRate, unit: 'msgs/s', note: `${N} lines of the same ${sample.length}-byte payload` },
      { name: 'drain ratio agent / mosquitto_pub', value: agentRate / pubRate, unit: '×' },
    ];
  } finally {
    await broker.close();
  }
}
