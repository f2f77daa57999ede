/**
 * Acceptance: kill -9 of the agent at 50 random moments while it writes events, with the
 * broker up and down. After each restart, every event the agent had committed (the `events`
 * table is the fact the outbox reports) reaches the subscriber.
 */
import t from 'tap';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { spawnAgent, writeAgentConfig, type RunningAgent } from '../helpers/agent-process.js';
import { Collector } from '../helpers/collector.js';
import { Mosquitto, mosquittoPath } from '../helpers/mosquitto.js';

const KILLS = Number(process.env['KILL9_ROUNDS'] ?? 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function committedSeqs(dbPath: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all('SELECT seq FROM events ORDER BY seq', (e: Error | null, rows: { seq: number }[]) => {
        db.close();
        if (e) reject(e);
        else resolve(rows.map((r) => r.seq));
      });
    });
  });
}

async function waitForStart(agent: RunningAgent, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!agent.output().includes('"agent started"')) {
    if (agent.proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`agent did not start (exit ${agent.proc.exitCode}): ${agent.output().slice(-2000)}`);
    }
    await sleep(10);
  }
}

// A seeded generator, so a failing run can be repeated with the same moments.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

t.test(`kill -9 at ${KILLS} random moments, broker up and down`, { skip: mosquittoPath() ? false : 'mosquitto not installed' }, async (t) => {
  const seed = Number(process.env['KILL9_SEED'] ?? Date.now() % 100000);
  t.comment(`seed ${seed}`);
  const random = lcg(seed);
  const broker = new Mosquitto();
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await Collector.start(broker.url, 'kiosk/v1/RJ-JAI-0030/events', 'kill9-collector');
  t.teardown(() => sub.close());
  const dir = t.testdir({});
  const db = join(dir, 'agent.db');
  const config = writeAgentConfig({ id: 'RJ-JAI-0030', url: broker.url, dir, eventEveryMs: 5, extra: { log: { level: 'info' } } });

  const received = () => new Set(sub.on('events').map((r) => r.message['seq'] as number));
  let brokerUp = true;
  let committedBefore: number[] = [];
  let checkedRounds = 0;
  for (let round = 0; round < KILLS; round++) {
    // Every few rounds the broker changes state, so kills land both while publishing and
    // while queueing offline.
    if (round % 7 === 3) {
      if (brokerUp) await broker.stop();
      else await broker.start();
      brokerUp = !brokerUp;
    }
    const agent = spawnAgent(config);
    // Kill once it is writing (its "agent started" line), at a random moment after.
    await waitForStart(agent, 60_000);
    if (brokerUp) {
      // After this restart, everything committed before the last kill reaches the subscriber.
      const want = committedBefore;
      await sub.until(() => {
        const got = received();
        return want.every((s) => got.has(s));
      }, 15_000, `round ${round}: events committed before the previous kill`);
      checkedRounds++;
    }
    await sleep(Math.floor(random() * 400));
    agent.proc.kill('SIGKILL');
    await agent.exited;
    committedBefore = await committedSeqs(db);
  }
  t.ok(checkedRounds > KILLS / 3, `${checkedRounds} restarts checked for delivery of earlier commits`);
  if (!brokerUp) await broker.start();

  const committed = await committedSeqs(db);
  t.ok(committed.length > KILLS, `${committed.length} events committed across ${KILLS} kills`);
  t.same(committed, Array.from({ length: committed.length }, (_, i) => i + 1), 'committed seqs have no holes');

  // A last run with the broker up delivers what is left.
  const last = spawnAgent(config);
  const want = new Set(committed);
  await sub.until(() => {
    const got = new Set(sub.on('events').map((r) => r.message['seq'] as number));
    for (const s of want) if (!got.has(s)) return false;
    return true;
  }, 30_000, 'every committed event at the subscriber');
  last.proc.kill('SIGTERM');
  await last.exited;
  const got = sub.on('events').map((r) => r.message['seq'] as number);
  const missing = committed.filter((s) => !got.includes(s));
  t.same(missing, [], 'none of the committed events is missing');
  const inOrder = got.every((s, i) => i === 0 || s > got[i - 1]!);
  t.ok(inOrder, 'in order after dedupe');
});
