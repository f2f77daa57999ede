/**
 * Several fleet instances on one shared subscription (DESIGN §7): a real Mosquitto, a real
 * PostgreSQL, two `kiosk-fleet serve` processes in one share group on one database, and the load
 * generator's kiosks. Shows that the load is split, every message is handled by one instance
 * and every event stored once, per-kiosk gap accounting stays right while the two instances
 * overtake each other, an instance stopped with SIGTERM hands over without losing anything, and
 * an instance killed with SIGKILL and restarted under the same --instance name resumes its
 * persistent session and gets what the broker held for it, so nothing is lost and no hole stays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { LoadGenerator } from '../../fleet/loadgen/generator.js';
import { PgFleetRepository } from '../../fleet/store/pg-repository.js';
import { childEnv, requireBuild, ROOT } from '../helpers/agent-process.js';
import { Mosquitto, mosquittoPath } from '../helpers/mosquitto.js';
import { waitFor } from './fixtures/helpers.js';
import { PG_BIN, type PgServer, startPostgres } from './fixtures/postgres.js';

const FLEET_BIN = join(ROOT, 'bin/kiosk-fleet');
const GROUP = 'fleet-mi';

interface Instance {
  proc: ChildProcess;
  name: string;
  subscribed: boolean;
  /** The CONNACK's session-present flag, from the 'connected' line. */
  sessionPresent: boolean | undefined;
  /** From the instance's periodic "ingest totals" line. */
  totals: { stored: number; duplicate: number; invalid: number; ignored: number; failed: number };
  exited: Promise<void>;
  log: string[];
}

function startInstance(name: string, url: string, db: string): Instance {
  requireBuild();
  const proc = spawn(process.execPath, [FLEET_BIN, 'serve', '--mqtt-url', url, '--db', db, '--share-group', GROUP, '--instance', name, '--stats-every', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  const inst: Instance = {
    proc,
    name,
    subscribed: false,
    sessionPresent: undefined,
    totals: { stored: 0, duplicate: 0, invalid: 0, ignored: 0, failed: 0 },
    exited: new Promise((r) => proc.once('exit', () => r())),
    log: [],
  };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    let l: Record<string, unknown>;
    try {
      l = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (l.msg === 'subscribed (shared)') inst.subscribed = true;
    if (l.msg === 'connected') inst.sessionPresent = l.sessionPresent === true;
    if (l.msg === 'ingest totals since start') inst.totals = l as unknown as Instance['totals'];
    if (typeof l.msg === 'string' && l.level !== 30) inst.log.push(`${String(l.msg)} ${JSON.stringify(l).slice(0, 200)}`);
  });
  proc.stderr?.resume();
  return inst;
}

const handled = (i: Instance): number => i.totals.stored + i.totals.duplicate + i.totals.invalid + i.totals.ignored + i.totals.failed;

async function stopInstance(i: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (i.proc.exitCode !== null || i.proc.signalCode !== null) return;
  i.proc.kill(signal);
  await i.exited;
}

/** Events stored per kiosk, and the seq range they cover. */
async function storedEvents(repo: PgFleetRepository, prefix: string): Promise<Map<string, { n: number; min: number; max: number }>> {
  const rows = await repo.db.all<{ kiosk_id: string; n: string; lo: string; hi: string }>(
    'SELECT kiosk_id, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM events WHERE kiosk_id LIKE ? GROUP BY kiosk_id',
    [`${prefix}-%`],
  );
  return new Map(rows.map((r) => [r.kiosk_id, { n: Number(r.n), min: Number(r.lo), max: Number(r.hi) }]));
}

function generator(url: string, prefix: string): LoadGenerator {
  // 20 kiosks, a heartbeat a second and two events a second each: 60 messages a second.
  return new LoadGenerator({ url, count: 20, heartbeatSec: 1, eventsPerHour: 7200, statesPerHour: 0, idPrefix: prefix, districts: ['Jaipur', 'Kota'], connectRate: 1000 });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (!PG_BIN || !mosquittoPath()) {
  t.plan(0, 'needs Debian packages postgresql and mosquitto');
} else {
  let pg: PgServer | undefined;
  const broker = new Mosquitto();
  let repo: PgFleetRepository;
  let db: string;
  const instances: Instance[] = [];
  t.before(async () => {
    await broker.start();
    pg = await startPostgres();
    db = await pg.createDatabase();
    // Migrated once here, so two instances starting together do not race on the schema.
    repo = await PgFleetRepository.open(db);
  });
  t.teardown(async () => {
    for (const i of instances) await stopInstance(i, 'SIGKILL');
    await repo?.close();
    await pg?.stop();
    await broker.stop();
  });

  const start = async (name: string): Promise<Instance> => {
    const i = startInstance(name, broker.url, db);
    instances.push(i);
    await waitFor(() => i.subscribed, `${name} subscribed`, 20_000);
    return i;
  };

  t.test('two instances split the load; every message handled once, every event stored once, no hole left', async (t) => {
    const a = await start('a');
    const b = await start('b');
    // Past the catch-up window in which each also reads the retained channels plainly.
    await sleep(5500);
    const gen = generator(broker.url, 'MI');
    await gen.start();
    await sleep(4000);
    await gen.stop('shutdown');
    const acked = gen.counts.acked;
    t.equal(gen.counts.unacked, 0);
    await waitFor(() => handled(a) + handled(b) >= acked, 'both instances to report everything', 15_000).catch(() => undefined);
    await sleep(1500); // one more totals line each, to see nothing beyond
    t.equal(handled(a) + handled(b), acked, `each of the ${acked} messages went to exactly one instance`);
    t.ok(handled(a) > acked / 5 && handled(b) > acked / 5, `the load is split (a ${handled(a)}, b ${handled(b)})`);
    t.equal(a.totals.failed + b.totals.failed + a.totals.invalid + b.totals.invalid, 0);
    const stored = await storedEvents(repo, 'MI');
    let gaps = 0;
    for (const [id, k] of gen.kiosks) {
      const last = k.sim.lastSeq('events');
      const sent = last === undefined ? 0 : last - k.sim.opts.base;
      const got = stored.get(id) ?? { n: 0, min: 0, max: 0 };
      t.equal(got.n, sent, `${id}: every event stored once`);
      const marks = await repo.seqGaps(id, 'events');
      gaps += marks.gaps;
      t.equal(marks.missed, 0, `${id}: no hole left open once the stragglers are in`);
      t.match(await repo.getKiosk(id), { liveness: 'offline', reason: 'shutdown' });
    }
    t.comment(`apparent gaps from messages overtaking each other across the instances: ${gaps} (all closed)`);
  });

  t.test('an instance stopped with SIGTERM leaves the group and hands over without losing a message', async (t) => {
    const [a, b] = instances as [Instance, Instance];
    const gen = generator(broker.url, 'MJ');
    await gen.start();
    await sleep(2000);
    const bBefore = handled(b);
    await stopInstance(a, 'SIGTERM');
    await sleep(3000);
    await gen.stop('shutdown');
    await waitFor(async () => (await storedEvents(repo, 'MJ')).size === gen.kiosks.size, 'events of every kiosk', 10_000);
    await sleep(1500);
    t.ok(handled(b) > bBefore, 'the other instance carries on');
    const stored = await storedEvents(repo, 'MJ');
    for (const [id, k] of gen.kiosks) {
      const sent = (k.sim.lastSeq('events') ?? k.sim.opts.base) - k.sim.opts.base;
      t.equal(stored.get(id)?.n ?? 0, sent, `${id}: all ${sent} events stored`);
      t.equal((await repo.seqGaps(id, 'events')).missed, 0, `${id}: no hole`);
    }
  });

  t.test('an instance killed with SIGKILL and restarted under its name gets what the broker held for it: every event stored once, no hole', async (t) => {
    const b = instances[1]!;
    const a = await start('a2');
    await sleep(5500);
    const gen = generator(broker.url, 'MK');
    await gen.start();
    await sleep(2000);
    await stopInstance(b, 'SIGKILL');
    const killedAt = Date.now();
    // While b is gone the broker keeps routing b's share of the group to b's session.
    await sleep(2500);
    const b2 = await start('b');
    t.ok(b2.sessionPresent, 'the restarted instance resumed its session (CONNACK session present)');
    await sleep(2000);
    await gen.stop('shutdown');
    const acked = gen.counts.acked;
    t.equal(gen.counts.unacked, 0);
    const sentOf = (k: { sim: { lastSeq(c: 'events'): number | undefined; opts: { base: number } } }): number => (k.sim.lastSeq('events') ?? k.sim.opts.base) - k.sim.opts.base;
    const total = [...gen.kiosks.values()].reduce((n, k) => n + sentOf(k), 0);
    await waitFor(
      async () => [...(await storedEvents(repo, 'MK')).values()].reduce((n, k) => n + k.n, 0) >= total,
      'every event stored',
      20_000,
    ).catch(() => undefined);
    await sleep(1500);
    const stored = await storedEvents(repo, 'MK');
    for (const [id, k] of gen.kiosks) {
      const sent = sentOf(k);
      const got = stored.get(id) ?? { n: 0, min: 0, max: 0 };
      t.equal(got.n, sent, `${id}: all ${sent} events stored, each once`);
      if (sent > 0) t.equal(got.max - got.min + 1, got.n, `${id}: the stored seqs are contiguous`);
      // The event row and its sequence mark are one transaction, so a kill cannot leave a stored
      // event unmarked and its redelivered copy unable to close the hole.
      t.equal((await repo.seqGaps(id, 'events')).missed, 0, `${id}: no hole left open after the kill`);
    }
    const during = await repo.db.get<{ n: string }>('SELECT COUNT(*) AS n FROM events WHERE kiosk_id LIKE ? AND received_at > ?', ['MK-%', killedAt + 500]);
    t.ok(Number(during?.n) > 40, `events kept flowing after the kill (${during?.n})`);
    t.ok(handled(a) > 0 && handled(b2) > 0, `both live instances took messages (a2 ${handled(a)}, b again ${handled(b2)})`);
    t.comment(`${acked} messages published; duplicates counted by the live instances since they started (resent after the kill, retained replays, heartbeats older than one stored): ${a.totals.duplicate + b2.totals.duplicate}`);
  });
}
