// The central capture desk (issue 7): opens envelopes, refuses tampering and a kiosk speaking for
// another, answers resends `duplicate` with the first outcome, and never logs the content.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import t from 'tap';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { CaptureDesk } from '../../../fleet/captures/desk.js';
import { SimulatedAuthenticator } from '../../../fleet/captures/authenticator.js';
import { MemoryOutcomeStore } from '../../../fleet/captures/outcomes.js';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { keyIdOf, seal } from '../../../protocols/seal/seal.js';
import { CONTRACT_VERSION, type CaptureEnvelope } from '../../../protocols/telemetry/index.js';

const central = generateKeyPairSync('x25519');
const uidai = generateKeyPairSync('rsa', { modulusLength: 2048 });
const sim = new RdServiceSimulator({ uidaiPublicKey: uidai.publicKey });

function envelope(kiosk: string, o: { samagra?: string; claim?: string; otp?: string; pid?: string; id?: string } = {}): CaptureEnvelope {
  const captureId = o.id ?? randomUUID();
  const capturedAt = 1_760_000_000_000;
  const content = { v: 1, citizenRef: `samagra:${o.samagra ?? '123456789'}`, consent: { given: true, at: capturedAt }, ...(o.otp ? { otp: o.otp } : { pidData: o.pid ?? sim.pidDataXml(2, '') }) };
  const claim = o.claim ?? kiosk;
  return {
    v: CONTRACT_VERSION, ts: capturedAt, mono: 1, boot: 'b', synced: true, seq: 1, env: 1,
    captureId, kiosk: claim, capturedAt, modality: o.otp ? 'otp' : 'fingerprint', service: 'EKYC',
    seal: seal(Buffer.from(JSON.stringify(content)), { publicKey: central.publicKey, keyId: keyIdOf(central.publicKey) }, { kioskId: claim, captureId, capturedAt }),
  };
}

function desk() {
  let logged = '';
  const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => ((logged += c.toString()), cb()) }));
  const d = new CaptureDesk({ privateKey: central.privateKey, authenticator: new SimulatedAuthenticator(), outcomes: new MemoryOutcomeStore(), log, now: () => 42 });
  return { d, logs: () => logged };
}

const send = (d: CaptureDesk, kiosk: string, env: unknown) => d.decide(`kiosk/v1/${kiosk}/captures`, Buffer.from(JSON.stringify(env)));

t.test('accepted once; a resend is answered duplicate with the first outcome', async (t) => {
  const { d, logs } = desk();
  const env = envelope('RJ-JAI-0001');
  t.match(await send(d, 'RJ-JAI-0001', env), { kioskId: 'RJ-JAI-0001', result: { v: 1, ts: 42, captureId: env.captureId, result: 'accepted', authRef: /^SIM-/ } });
  t.match(await send(d, 'RJ-JAI-0001', { ...env, seq: 2 }), { result: { result: 'duplicate', original: 'accepted' } });
  t.same(d.stats, { accepted: 1, rejected: 0, duplicate: 1, tampered: 0, invalid: 0 });
  t.notOk(logs().includes('123456789'), 'no citizen reference in the logs');
  t.notOk(logs().includes('PidData'), 'no PidData in the logs');
});

t.test('rules: mismatch, low quality, bad PID, OTP', async (t) => {
  const { d } = desk();
  t.match(await send(d, 'RJ-JAI-0001', envelope('RJ-JAI-0001', { samagra: '123456000' })), { result: { result: 'rejected', code: 'AUTH_FAILED' } });
  const low = sim.pidDataXml(2, '').replace('qScore="72"', 'qScore="30"');
  t.match(await send(d, 'RJ-JAI-0001', envelope('RJ-JAI-0001', { pid: low })), { result: { result: 'rejected', code: 'LOW_QUALITY' } });
  t.match(await send(d, 'RJ-JAI-0001', envelope('RJ-JAI-0001', { pid: '<PidData/>' })), { result: { result: 'rejected', code: 'BAD_PID' } });
  t.match(await send(d, 'RJ-JAI-0001', envelope('RJ-JAI-0001', { otp: '000000' })), { result: { result: 'rejected', code: 'OTP_INVALID' } });
  t.match(await send(d, 'RJ-JAI-0001', envelope('RJ-JAI-0001', { otp: '482913' })), { result: { result: 'accepted' } });
  const rej = envelope('RJ-JAI-0001', { samagra: '987654000' });
  await send(d, 'RJ-JAI-0001', rej);
  t.match(await send(d, 'RJ-JAI-0001', rej), { result: { result: 'duplicate', original: 'rejected', code: 'AUTH_FAILED' } });
});

t.test('a tampered envelope is rejected and reported, and does not take the capture id', async (t) => {
  const { d, logs } = desk();
  const env = envelope('RJ-JAI-0001');
  const ct = Buffer.from(env.seal.ct, 'base64url');
  ct[10]! ^= 0xff;
  t.match(await send(d, 'RJ-JAI-0001', { ...env, seal: { ...env.seal, ct: ct.toString('base64url') } }), { kioskId: 'RJ-JAI-0001', result: { result: 'rejected', code: 'SEAL_AUTH' } });
  t.match(await send(d, 'RJ-JAI-0001', { ...env, capturedAt: env.capturedAt - 1 }), { result: { result: 'rejected', code: 'SEAL_AUTH' } }, 'time edited');
  t.match(await send(d, 'RJ-JAI-0001', { ...env, service: 'EKYC-OTHER' }), { result: { result: 'accepted' } }, 'service is not bound; the id is still fresh');
  t.equal(d.stats.tampered, 2);
  t.match(logs(), /does not open; rejected/);
  t.match(await send(d, 'RJ-JAI-0001', { ...env, seal: { ...env.seal, kid: 'x25519:ffffffffffffffff' } }), { result: { code: 'SEAL_KID' } });
  t.match(await send(d, 'RJ-JAI-0001', { captureId: env.captureId, junk: true }), { result: { result: 'rejected', code: 'INVALID' } });
  t.same(await send(d, 'RJ-JAI-0001', { junk: true }), {}, 'nobody to answer without a capture id');
});

t.test('a kiosk cannot submit a capture under another kiosk id', async (t) => {
  const { d } = desk();
  // Kiosk 0002 names 0001 in its envelope (sealed consistently): refused on the kiosk check.
  const claim = envelope('RJ-JAI-0002', { claim: 'RJ-JAI-0001' });
  t.match(await send(d, 'RJ-JAI-0002', claim), { kioskId: 'RJ-JAI-0002', result: { result: 'rejected', code: 'KIOSK_MISMATCH' } });
  // 0001's genuine envelope, relabelled and replayed on 0002's topic: the associated data fails.
  const genuine = envelope('RJ-JAI-0001');
  t.match(await send(d, 'RJ-JAI-0002', { ...genuine, kiosk: 'RJ-JAI-0002' }), { kioskId: 'RJ-JAI-0002', result: { result: 'rejected', code: 'SEAL_AUTH' } });
  // Neither attempt poisoned the id: the genuine capture is still accepted.
  t.match(await send(d, 'RJ-JAI-0001', genuine), { kioskId: 'RJ-JAI-0001', result: { result: 'accepted' } });
  // And once decided, the same id from another kiosk is a conflict, not a duplicate.
  t.match(await send(d, 'RJ-JAI-0002', envelope('RJ-JAI-0002', { id: genuine.captureId })), { result: { result: 'rejected', code: 'ID_CONFLICT' } });
  t.equal(d.stats.accepted, 1);
});
