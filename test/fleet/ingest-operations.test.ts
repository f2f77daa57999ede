/** Ingest of transactions and job statuses, and sequence-gap detection leading to a state.republish job. */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { Ingestor } from '../../fleet/ingest.js';
import { JobService } from '../../fleet/jobs/service.js';
import { silentLogger } from '../../fleet/log.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { birth, bytes, captureLogger, event, FakeClock, meta, tempDir, transaction } from './fixtures/helpers.js';

const K = 'RJ-JAI-0001';
const topic = (channel: string, id = K): string => `kiosk/v1/${id}/${channel}`;

async function setup(t: Test, gapGraceMs = 0) {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  const clock = new FakeClock();
  const sent: { topic: string; payload: Record<string, unknown> }[] = [];
  const jobs = new JobService({
    repo,
    clock,
    log: silentLogger,
    publisher: {
      publish: (topic, payload) => {
        sent.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> });
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    },
    republishIntervalMs: 60_000,
  });
  const gaps: [string, string, number][] = [];
  const changes: string[] = [];
  const { log, lines } = captureLogger('info');
  const ingest = new Ingestor({
    repo,
    clock,
    log,
    onGap: (kiosk, channel, gap) => {
      gaps.push([kiosk, channel, gap]);
      void jobs.requestRepublish(kiosk, `gap:${channel}`);
    },
    onChange: (kiosk, channel) => changes.push(`${kiosk}/${channel}`),
    gapGraceMs,
  });
  return { repo, clock, ingest, jobs, sent, gaps, changes, lines };
}

t.test('transactions and wallet movements are stored once each', async (t) => {
  const { repo, ingest, changes } = await setup(t);
  t.equal(await ingest.handle(topic('transactions'), bytes(transaction(1))), 'stored');
  const wallet = { ...meta(2), entry: 'wallet', movementId: 4, kind: 'credit', amountPaise: 50_000, balancePaise: 2_051_800, jobId: 'j-1' };
  t.equal(await ingest.handle(topic('transactions'), bytes(wallet)), 'stored');
  t.equal(await ingest.handle(topic('transactions'), bytes(transaction(1))), 'duplicate');
  t.equal(await ingest.handle(topic('transactions'), bytes(transaction(3, { chargedPaise: -1 }))), 'invalid', 'validated against the contract');
  t.same(
    (await repo.listTransactions(K)).map((x) => [x.seq, x.entry, x.serviceCode, x.status, x.amountPaise, x.balancePaise]),
    [
      [1, 'transaction', 'EKYC', 'success', 1800, 2_001_800],
      [2, 'wallet', null, 'credit', 50_000, 2_051_800],
    ],
  );
  t.ok((await repo.getKiosk(K))?.lastSeenAt, 'a transaction is a sign of life');
  t.same(changes, [`${K}/transactions`, `${K}/transactions`]);
});

t.test('job statuses follow the job sent to the kiosk', async (t) => {
  const { repo, ingest, jobs, sent, lines } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(1)));
  const { job } = await jobs.create({ type: 'print.test', target: { kind: 'kiosk', kioskId: K }, expiresInSec: 60, createdBy: 'ops' });
  await jobs.idle();
  t.equal(sent[0]?.topic, topic('jobs'));
  t.match(sent[0]?.payload, { v: 1, id: job.jobId, type: 'print.test', params: {} });
  const status = (seq: number, s: string, over: Record<string, unknown> = {}) => bytes({ ...meta(seq), jobId: job.jobId, type: 'print.test', status: s, ...over });
  t.equal(await ingest.handle(topic('job-status'), status(1, 'accepted')), 'stored');
  t.match((await repo.listJobTargets(job.jobId))[0], { status: 'accepted' });
  t.equal(await ingest.handle(topic('job-status'), status(2, 'succeeded', { result: { lines: 12 } })), 'stored');
  t.match((await repo.listJobTargets(job.jobId))[0], { status: 'succeeded', result: { lines: 12 } });
  t.equal(await ingest.handle(topic('job-status'), status(3, 'rejected', { jobId: 'j-unknown', code: 'duplicate' })), 'stored');
  t.ok(lines.find((l) => l.msg === 'status of a job not sent to this kiosk' && l.job === 'j-unknown'), 'a stray status is logged');
});

t.test('a sequence gap on events asks the kiosk for its state, once per interval', async (t) => {
  const { repo, clock, ingest, jobs, sent, gaps, lines } = await setup(t);
  await ingest.handle(topic('status'), bytes(birth(1)));
  for (const seq of [1, 2, 3]) await ingest.handle(topic('events'), bytes(event(seq)));
  t.same(gaps, [], 'consecutive: no gap');
  await ingest.handle(topic('events'), bytes(event(7)));
  t.same(gaps, [[K, 'events', 3]]);
  t.ok(lines.find((l) => l.msg === 'sequence gap' && l.missing === 3));
  await ingest.handle(topic('events'), bytes(event(5)));
  t.same(gaps.length, 1, 'a straggler fills in without a new gap');
  await ingest.handle(topic('events'), bytes(event(7)));
  t.same(gaps.length, 1, 'a duplicate is no gap');
  await jobs.idle();
  t.same(sent.map((s) => [s.topic, s.payload.type]), [[topic('jobs'), 'state.republish']]);
  const [job] = await repo.listJobs();
  t.match(job, { type: 'state.republish', target: `kiosk:${K}`, createdBy: 'fleet:gap:events' });

  await ingest.handle(topic('events'), bytes(event(10)));
  await jobs.idle();
  t.equal(sent.length, 1, 'a second gap within the interval sends no second job');
  clock.advance(60_000);
  await ingest.handle(topic('transactions'), bytes(transaction(1)));
  await ingest.handle(topic('transactions'), bytes(transaction(4)));
  await jobs.idle();
  t.equal(sent.length, 2, 'after the interval, the next gap (transactions) asks again');
  t.same(await repo.seqGaps(K), { gaps: 3, missed: 6 }, 'the straggler 5 closed one of the holes');
});

t.test('with a grace period, a gap its stragglers fill asks for nothing; one still open afterwards asks once', async (t) => {
  const { repo, clock, ingest, gaps, lines } = await setup(t, 5000);
  await ingest.handle(topic('status'), bytes(birth(1)));
  // Two fleet instances overtaking each other: 3 is stored before 2.
  for (const seq of [1, 3]) await ingest.handle(topic('events'), bytes(event(seq)));
  t.ok(lines.find((l) => l.msg === 'sequence gap' && l.missing === 1), 'the apparent gap is logged at once');
  clock.advance(2000);
  await ingest.handle(topic('events'), bytes(event(2)));
  clock.advance(4000);
  await ingest.idle();
  t.same(gaps, [], 'closed within the grace: no republish');
  t.same(await repo.seqGaps(K, 'events'), { gaps: 1, missed: 0 });

  await ingest.handle(topic('events'), bytes(event(6)));
  clock.advance(4999);
  await ingest.idle();
  t.same(gaps, [], 'still within the grace');
  await ingest.handle(topic('events'), bytes(event(4)));
  clock.advance(1000);
  await ingest.idle();
  t.same(gaps, [[K, 'events', 2]], 'one of its two holes still open after the grace: reported once');
  t.ok(lines.find((l) => l.msg === 'sequence gap still open' && l.openHoles === 1));
  clock.advance(10_000);
  await ingest.idle();
  t.equal(gaps.length, 1, 'reported only once');
  ingest.close();
});

t.test('jobs for a district and the whole fleet; bad jobs are refused; expiry', async (t) => {
  const { ingest, jobs, sent, repo, clock } = await setup(t);
  await ingest.handle(topic('status', 'RJ-JAI-0001'), bytes(birth(1)));
  await ingest.handle(topic('status', 'RJ-JAI-0002'), bytes(birth(1)));
  await ingest.handle(topic('status', 'RJ-KOT-0001'), bytes(birth(1, { district: 'Kota' })));
  const d = await jobs.create({ type: 'wallet.credit', params: { amountPaise: 100_000 }, target: { kind: 'district', district: 'Jaipur' }, expiresInSec: 300, createdBy: 'ops' });
  t.same(d.kiosks, ['RJ-JAI-0001', 'RJ-JAI-0002']);
  const f = await jobs.create({ type: 'diagnostics', target: { kind: 'fleet' }, expiresInSec: 60, createdBy: 'ops' });
  t.same(f.kiosks.length, 3);
  await jobs.idle();
  t.equal(sent.length, 5);
  t.same((await repo.listJobTargets(f.job.jobId)).map((x) => x.status), ['sent', 'sent', 'sent'], 'the broker took each');
  await t.rejects(jobs.create({ type: 'reboot', target: { kind: 'fleet' }, expiresInSec: 60, createdBy: 'ops' }), /unknown job type/);
  await t.rejects(jobs.create({ type: 'wallet.credit', params: { amountPaise: -1 }, target: { kind: 'fleet' }, expiresInSec: 60, createdBy: 'ops' }), /invalid parameters for wallet.credit: params.amountPaise/);
  await t.rejects(jobs.create({ type: 'print.test', target: { kind: 'district', district: 'Nowhere' }, expiresInSec: 60, createdBy: 'ops' }), /no kiosk matches district:Nowhere/);
  await t.rejects(jobs.create({ type: 'print.test', target: { kind: 'fleet' }, expiresInSec: 0, createdBy: 'ops' }), /expiry/);
  clock.advance(61_000);
  t.equal(await jobs.expire(), 3, 'the fleet-wide job expired unanswered');
  t.same((await repo.listJobTargets(d.job.jobId)).map((x) => x.status), ['sent', 'sent']);
});
