// The capture queue in process (issue 7): capture → seal → one transaction with its outbox row;
// idempotent requests; the bound; OTP needs the link; results applied once.
import t from 'tap';
import { open } from '../../../protocols/seal/seal.js';
import { CaptureEnvelope, decodeMessage, SealedContent } from '../../../protocols/telemetry/index.js';
import { ApiError } from '../../../agent/api/problem.js';
import { central, request, rig } from './fixtures.js';
import { keyIdOf } from '../../../protocols/seal/seal.js';

const problemCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'none';
  } catch (err) {
    return err instanceof ApiError ? err.code : `other: ${(err as Error).message}`;
  }
};

t.test('a capture is sealed and queued with its outbox row; central can open it, the row holds no secret', async (t) => {
  const r = await rig(t);
  const v = await r.service.take(request(1));
  t.match(v, { state: 'queued', service: 'EKYC', modality: 'fingerprint', transactionRecorded: false });
  const rows = await r.outbox.peek(0, 10);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.topic, 'kiosk/v1/RJ-JAI-0001/captures');
  const decoded = decodeMessage(rows[0]!.topic, Buffer.from(rows[0]!.payload));
  t.ok(decoded.ok, 'valid against the contract');
  const env = decoded.ok ? (decoded.message as CaptureEnvelope) : undefined;
  t.equal(env?.captureId, v.id);
  const plain = open(env!.seal, central.privateKey, keyIdOf(central.publicKey), { kioskId: 'RJ-JAI-0001', captureId: v.id, capturedAt: env!.capturedAt });
  const content = SealedContent.parse(JSON.parse(plain.toString()));
  t.equal(content.citizenRef, `samagra:${request(1).samagraId}`);
  t.match(content.pidData, /<PidData>/);
  t.notOk(rows[0]!.payload.includes(request(1).samagraId), 'no citizen reference in clear');
  const dump = JSON.stringify(await r.store.all('SELECT * FROM captures'));
  t.notOk(dump.includes(request(1).samagraId), 'capture row holds no citizen reference');
  t.equal(r.sim.requests.filter((q) => q.method === 'CAPTURE').length, 1);
  t.same(await r.service.get(v.id), v);
});

t.test('a retried request (same requestId) returns the capture already taken', async (t) => {
  const r = await rig(t);
  const a = await r.service.take(request(1, { requestId: 'req-000001' }));
  const b = await r.service.take(request(1, { requestId: 'req-000001' }));
  t.equal(a.id, b.id);
  t.equal(r.outbox.depth().rows, 1);
  t.equal(r.sim.requests.filter((q) => q.method === 'CAPTURE').length, 1, 'no second finger asked');
});

t.test('bounded: a full queue refuses new captures with queue-full, keeps the queued ones', async (t) => {
  const r = await rig(t, { maxQueued: 3 });
  for (let i = 1; i <= 3; i++) await r.service.take(request(i));
  t.equal(await problemCode(r.service.take(request(4))), 'queue-full');
  t.equal(r.sim.requests.filter((q) => q.method === 'CAPTURE').length, 3, 'refused before the finger is asked for');
  t.equal(r.outbox.depth().rows, 3, 'nothing dropped');
  t.same(await r.service.summary(), { queued: 3 });
});

t.test('OTP needs a live link: offline a clear error, online queued', async (t) => {
  const r = await rig(t);
  t.equal(await problemCode(r.service.take(request(1, { modality: 'otp', otp: '123456' }))), 'otp-needs-link');
  t.equal(r.outbox.depth().rows, 0);
  r.link.state = 'up';
  t.equal(await problemCode(r.service.take(request(1, { modality: 'otp' }))), 'otp-missing');
  const v = await r.service.take(request(1, { modality: 'otp', otp: '123456' }));
  t.match(v, { state: 'queued', modality: 'otp', ttlSec: 300 });
  t.equal(r.sim.requests.filter((q) => q.method === 'CAPTURE').length, 0, 'no fingerprint for OTP');
});

t.test('reader errors become bilingual problems', async (t) => {
  const r = await rig(t);
  r.sim.opts.captureError = '700';
  const err = (await r.service.take(request(1)).catch((e: unknown) => e)) as ApiError;
  t.match(err, { code: 'capture-failed', status: 422 });
  t.ok(err.detailHi, 'Hindi detail');
  r.sim.opts.captureError = '710';
  t.equal(await problemCode(r.service.take(request(1))), 'reader-busy');
  await r.sim.close();
  t.equal(await problemCode(r.service.take(request(1))), 'reader-unavailable');
  t.equal(r.outbox.depth().rows, 0);
  t.equal(await problemCode(r.service.take(request(1, { service: 'OTHER' }))), 'unknown-service');
});

t.test('sent once the broker acknowledged; results applied once', async (t) => {
  const r = await rig(t);
  const a = await r.service.take(request(1));
  const b = await r.service.take(request(2));
  const c = await r.service.take(request(3));
  const ids = (await r.outbox.peek(0, 10)).map((x) => x.id);
  await r.outbox.ack([ids[0]!]);
  t.equal((await r.service.get(a.id))?.state, 'sent');
  t.equal((await r.service.get(b.id))?.state, 'queued');

  const result = (captureId: string, fields: Record<string, unknown>) => Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId, ...fields }));
  t.equal(await r.service.onResult(result(a.id, { result: 'accepted', authRef: 'SIM-1' })), 'applied');
  t.equal(await r.service.onResult(result(a.id, { result: 'accepted', authRef: 'SIM-1' })), 'ignored', 'redelivery');
  t.equal(await r.service.onResult(result(a.id, { result: 'duplicate', original: 'accepted' })), 'ignored', 'answer to a resend');
  t.equal(r.recorded.length, 1, 'one transaction');
  t.match(r.recorded[0], { idempotencyKey: a.id, service: 'EKYC', chargedPaise: 0, officialPaise: 0, commissionPaise: 1800 });
  t.same(r.printed, [a.id], 'receipt printed once');
  t.match(await r.service.get(a.id), { state: 'accepted', authRef: 'SIM-1', transactionRecorded: true, receiptPrinted: true });

  // A duplicate for a capture whose first result was missed applies the first outcome.
  t.equal(await r.service.onResult(result(b.id, { result: 'duplicate', original: 'accepted' })), 'applied');
  t.equal((await r.service.get(b.id))?.state, 'accepted');
  t.equal(r.outbox.depth().rows, 1, 'the answered envelope left the outbox');

  t.equal(await r.service.onResult(result(c.id, { result: 'rejected', code: 'AUTH_FAILED', reason: 'biometric did not match' })), 'applied');
  t.match(await r.service.get(c.id), { state: 'rejected', code: 'AUTH_FAILED', reason: 'biometric did not match', transactionRecorded: false });
  t.equal(r.recorded.length, 2);
  const ev = (await r.outbox.peek(0, 10)).filter((x) => x.channel === 'events').map((x) => JSON.parse(x.payload) as { type: string; data: unknown });
  t.match(ev, [{ type: 'capture.rejected', data: { captureId: c.id, code: 'AUTH_FAILED' } }]);

  t.equal(await r.service.onResult(Buffer.from('not json')), 'invalid');
  t.equal(await r.service.onResult(result('00000000-0000-4000-8000-000000000000', { result: 'accepted' })), 'unknown');
});

t.test('the history of decided captures is bounded; queued ones are never pruned', async (t) => {
  const { pruneDecided } = await import('../../../agent/ekyc/store.js');
  const r = await rig(t);
  const ids = [];
  for (let i = 1; i <= 4; i++) ids.push((await r.service.take(request(i))).id);
  for (const id of ids.slice(0, 3)) await r.service.onResult(Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId: id, result: 'rejected', code: 'X', reason: 'x' })));
  t.equal(await pruneDecided(r.store, 1), 2);
  t.same(await r.service.summary(), { queued: 1, rejected: 1 });
  t.equal((await r.service.get(ids[2]!))?.state, 'rejected', 'the newest decided one is kept');
  t.equal(r.service.queued, 1, 'the cached count follows results');
  await r.service.sweep();
  t.equal(r.service.queued, 1, 'and sweeps');
});

t.test('a ledger that refuses the entry does not lose the result', async (t) => {
  const r = await rig(t);
  const v = await r.service.take(request(1));
  const { EkycService } = await import('../../../agent/ekyc/service.js');
  const { EkycConfig } = await import('../../../agent/ekyc/config.js');
  const { ekycSection } = await import('./fixtures.js');
  const refusing = new EkycService({
    store: r.store,
    outbox: r.outbox,
    clock: r.time,
    link: r.link,
    kioskId: 'RJ-JAI-0001',
    config: EkycConfig.parse(ekycSection()),
    rd: { capture: () => Promise.reject(new Error('unused')) },
    recordTransaction: async (tx) => {
      await tx.run("INSERT INTO kv (key, value) VALUES ('half-written', '1')");
      throw new Error('service EKYC is not on the rate list');
    },
    logger: (await import('../../../drivers/common/logger.js')).silentLogger,
  });
  t.equal(await refusing.onResult(Buffer.from(JSON.stringify({ v: 1, ts: 1, captureId: v.id, result: 'accepted' }))), 'applied');
  t.match(await refusing.get(v.id), { state: 'accepted', transactionRecorded: false });
  t.same(await r.store.all("SELECT * FROM kv WHERE key = 'half-written'"), [], "the ledger's partial writes rolled back");
});
