// Acceptance (issue 4): the RD client against its simulator over real loopback sockets. Every
// status and error code surfaces as a typed error and a health state, and a capture's PidData
// checks out: the test decrypts it with the test private key (reference §2.2: IV = last 12 bytes
// of ts, AAD = last 16 bytes, Data = ts ‖ ciphertext ‖ tag, Skey = RSA PKCS#1 v1.5).
import t from 'tap';
import { createDecipheriv, createHash, generateKeyPairSync, privateDecrypt, constants, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { inspect } from 'node:util';
import { RdServiceClient } from '../../../drivers/fingerprint/rd-service/client.js';
import { RdServiceSimulator, type RdSimulatorOptions } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { isFingerprintError } from '../../../drivers/fingerprint/errors.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fixture = (n: string): string => readFileSync(new URL(`./fixtures/${n}`, import.meta.url), 'utf8');

async function sim(t: { teardown(fn: () => unknown): void }, opts: Partial<RdSimulatorOptions> = {}): Promise<RdServiceSimulator> {
  const s = new RdServiceSimulator({ uidaiPublicKey: publicKey, ...opts });
  await s.listen(0);
  t.teardown(() => s.close());
  return s;
}

function client(ports: number[], extra: ConstructorParameters<typeof RdServiceClient>[0] = {}, records: LogRecord[] = []): RdServiceClient {
  return new RdServiceClient({ probes: ports.map((port) => ({ scheme: 'http' as const, port })), probeTimeoutMs: 1000, logger: recordingLogger(records), ...extra });
}

/** RSA PKCS#1 v1.5 unwrap done by hand: Node 20 refuses PKCS1 padding for private decryption. */
function unwrapSkey(skeyB64: string, key: KeyObject): Buffer {
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(skeyB64, 'base64'));
  if (em[0] !== 0 || em[1] !== 2) throw new Error('not PKCS#1 v1.5 type 2');
  return em.subarray(em.indexOf(0, 2) + 1);
}

function gcmOpen(key: Buffer, ts: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, ts.subarray(-12));
  d.setAAD(ts.subarray(-16));
  d.setAuthTag(sealed.subarray(-16));
  return Buffer.concat([d.update(sealed.subarray(0, -16)), d.final()]);
}

const fpCode = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (isFingerprintError(e) ? e.code : `other: ${String(e)}`));

t.test('capture: a PidData whose structure and encryption check out', async (t) => {
  const s = await sim(t);
  const records: LogRecord[] = [];
  const c = client([s.port], {}, records);
  t.equal((await c.refreshHealth()).state, 'READY');
  const wadh = 'E0jzJ/P8UopUHAieZn8CKqS4WPMi5ZSYXgfnlfkWjrc=';
  const cap = await c.capture({ wadh, timeoutMs: 10000 });
  t.same(s.requests.map((r) => r.method), ['RDSERVICE', 'DEVICEINFO', 'CAPTURE']);
  t.match(cap.resp, { errCode: '0', qScore: [72], nmPoints: [38] });
  t.match(cap.deviceInfo, { dpId: 'SIMULATED.TEST', rdsId: 'SIM.LIN.001', dc: s.dc, additional: { srno: '2611SIM0042' } });
  t.same({ skey: cap.pid.sizes.skey, hmac: cap.pid.sizes.hmac }, { skey: 256, hmac: 48 }, 'RSA-2048 Skey, 32+16-byte Hmac');

  const sec = cap.pid.reveal();
  const key = unwrapSkey(sec.skey, privateKey);
  t.equal(key.length, 32, 'AES-256 session key');
  const data = Buffer.from(sec.data, 'base64');
  const ts = data.subarray(0, 19);
  t.match(ts.toString(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  t.equal(ts.toString(), cap.pid.ts);
  const pid = gcmOpen(key, ts, data.subarray(19));
  t.match(pid.toString(), new RegExp(`^<Pid ts="${ts.toString()}" ver="2.0" wadh="${wadh.replace(/[+/]/g, '\\$&')}"><Bios dih="[^"]+"><Bio type="FMR"`));
  const hmac = gcmOpen(key, ts, Buffer.from(sec.hmac, 'base64'));
  t.same(hmac, createHash('sha256').update(pid).digest(), 'Hmac = GCM(SHA-256(PID))');
  t.throws(() => gcmOpen(key, Buffer.from('2000-01-01T00:00:00'), data.subarray(19)), 'the ts is bound in as IV and AAD');

  const logged = JSON.stringify(records);
  for (const secret of [sec.skey.slice(0, 24), sec.hmac.slice(0, 24), sec.data.slice(30, 60)]) t.notOk(logged.includes(secret), 'no PID content logged');
  t.notOk(inspect(cap, { depth: 10 }).includes(sec.skey.slice(0, 24)), 'util.inspect redacts');
  t.ok(records.some((r) => r.msg === 'fingerprint captured by RD service'));
});

t.test('two captures never share a session key or ciphertext', async (t) => {
  const s = await sim(t);
  const c = client([s.port]);
  const a = (await c.capture()).pid.reveal();
  const b = (await c.capture()).pid.reveal();
  t.not(a.skey, b.skey);
  t.not(a.data, b.data);
});

t.test('statuses become health states', async (t) => {
  for (const [status, want] of [['READY', 'READY'], ['USED', 'USED'], ['NOTREADY', 'NOTREADY']] as const) {
    const s = await sim(t, { status });
    t.equal((await client([s.port]).refreshHealth()).state, want, status);
  }
  const quirk = await sim(t, { emptySerial: true });
  const h = await client([quirk.port]).refreshHealth();
  t.match(h, { state: 'NOTREADY', reason: /serial/ }, 'READY with an empty serial number is NOTREADY');
  t.match(await client([1]).refreshHealth(), { state: 'ABSENT' });
});

t.test('every capture error code is a typed error and moves health', async (t) => {
  const cases = [
    ['700', 'RD_CAPTURE', 'READY'],
    ['710', 'RD_BUSY', 'USED'],
    ['720', 'RD_NOT_READY', 'NOTREADY'],
    ['730', 'RD_CAPTURE', 'READY'],
    ['740', 'RD_NOT_READY', 'NOTREADY'],
    ['999', 'RD_CAPTURE', 'READY'],
  ] as const;
  for (const [errCode, code, health] of cases) {
    const s = await sim(t, { captureError: errCode });
    const c = client([s.port]);
    await c.refreshHealth();
    const err = await c.capture().then(() => undefined, (e: unknown) => e);
    t.ok(isFingerprintError(err, code), `${errCode} → ${code}`);
    if (isFingerprintError(err)) {
      t.equal(err.context['errCode'], errCode);
      t.match(String(err.context['messageHi']), /[\u0900-\u097F]/, 'Hindi text for the operator');
    }
    t.equal(c.lastHealth.state, health, `${errCode} → health ${health}`);
  }
  const notReady = await sim(t, { status: 'NOTREADY' });
  t.equal(await fpCode(client([notReady.port]).capture()), 'RD_NOT_READY', 'NOTREADY service answers 720');
});

t.test('one capture at a time', async (t) => {
  const s = await sim(t, { captureDelayMs: 200 });
  const c = client([s.port]);
  const first = c.capture();
  t.equal(await fpCode(c.capture()), 'RD_BUSY');
  t.equal((await first).resp.errCode, '0');
  t.equal((await c.capture()).resp.errCode, '0', 'free again afterwards');
});

t.test('options the driver rejects come back as its errCodes', async (t) => {
  const s = await sim(t);
  const c = client([s.port]);
  const err = await c.capture({ format: 1 }).then(() => undefined, (e: unknown) => e);
  t.ok(isFingerprintError(err, 'RD_CAPTURE'));
  t.equal(isFingerprintError(err) && err.context['errCode'], '210', 'protobuf not supported');
});

t.test('discovery: ranks READY over USED over NOTREADY, skips silent and foreign services', async (t) => {
  const notReady = await sim(t, { status: 'NOTREADY' });
  const used = await sim(t, { status: 'USED' });
  const ready = await sim(t, { quirkyXml: true, capturePath: '/127.0.0.1:11102/capture', deviceInfoPath: '/127.0.0.1:11102/getDeviceInfo' });
  const foreign = await sim(t, { capturePath: 'http://192.168.1.20:11100/rd/capture' });
  // Accepts and never answers (a hung driver); reading keeps the socket closable at teardown.
  const silent = net.createServer((sock) => sock.on('error', () => undefined).resume());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => silent.close(() => r())));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const records: LogRecord[] = [];
  const c = client([1, silentPort, notReady.port, used.port, foreign.port, ready.port], { probeTimeoutMs: 300 }, records);
  const ep = await c.discover();
  t.equal(ep?.port, ready.port, 'READY wins');
  t.equal(ep?.info.capturePath, '/capture', 'host-prefixed path normalised');
  t.ok(records.some((r) => r.msg?.includes('unusable RDSERVICE') && (r.obj as { code: string }).code === 'RD_NON_LOOPBACK'), 'a non-loopback interface is refused');
  const cap = await c.capture();
  t.equal(cap.resp.errCode, '0', 'capture through the quirky service works');
  t.equal(ready.requests.at(-1)?.path, '/capture');
  const c2 = client([notReady.port, used.port]);
  t.equal((await c2.discover())?.port, used.port, 'USED beats NOTREADY');
});

t.test('the service going away and coming back on another port', async (t) => {
  const first = await sim(t);
  const second = new RdServiceSimulator({ uidaiPublicKey: publicKey });
  const c = client([first.port]);
  await c.capture();
  await first.close();
  t.equal(await fpCode(c.capture()), 'RD_UNREACHABLE');
  t.equal(c.lastHealth.state, 'ABSENT');
  t.equal(await fpCode(c.capture()), 'RD_NOT_FOUND', 'nothing to discover');
  await second.listen(0);
  t.teardown(() => second.close());
  const c2 = client([first.port, second.port]);
  t.equal((await c2.capture()).resp.errCode, '0', 'rediscovered');
});

t.test('an HTTP call outliving its capture timeout is RD_TIMEOUT', async (t) => {
  const s = await sim(t, { captureDelayMs: 1500 });
  const c = client([s.port], { captureMarginMs: -1300 });
  t.equal(await fpCode(c.capture({ timeoutMs: 1500 })), 'RD_TIMEOUT');
});

t.test('https only with the driver certificate pinned', async (t) => {
  const tls = { key: fixture('rd-loopback.key'), cert: fixture('rd-loopback.crt') };
  const s = await sim(t, { tls });
  const probes = [{ scheme: 'http' as const, port: s.port }, { scheme: 'https' as const, port: s.port }];
  const pinned = new RdServiceClient({ probes, trustedCerts: [tls.cert], probeTimeoutMs: 1000 });
  t.equal((await pinned.discover())?.scheme, 'https');
  t.equal((await pinned.capture()).resp.errCode, '0');
  t.equal(await new RdServiceClient({ probes, probeTimeoutMs: 1000 }).discover(), undefined, 'no certificate configured: https not spoken');
  t.equal(await new RdServiceClient({ probes, trustedCerts: [fixture('rd-other.crt')], probeTimeoutMs: 1000 }).discover(), undefined, 'another certificate is refused');
});

t.test('device certificate expiry is read from DeviceInfo mc', async (t) => {
  const pem = fixture('rd-loopback.crt');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
  const s = await sim(t, { mc: der });
  const di = await client([s.port]).deviceInfo();
  const { deviceCertificateExpiry } = await import('../../../drivers/fingerprint/rd-service/client.js');
  const exp = deviceCertificateExpiry(di);
  t.ok(exp && exp.getFullYear() > 2100, `expires ${exp?.toISOString()}`);
  t.equal(deviceCertificateExpiry({ ...di, mc: 'bm90IGEgY2VydA==' }), undefined);
});

t.test('discovery over the real range 11100–11120 with the default probe list', async (t) => {
  const s = new RdServiceSimulator({ uidaiPublicKey: publicKey });
  let port = 0;
  for (let p = 11120; p >= 11106 && !port; p--) port = await s.listen(p).catch(() => 0);
  if (!port) {
    t.pass('every port in 11106–11120 is taken: nothing to probe');
    return;
  }
  t.teardown(() => s.close());
  const ep = await new RdServiceClient({ probeTimeoutMs: 1000 }).discover();
  t.ok(ep, 'a service was found');
  t.ok(s.requests.some((r) => r.method === 'RDSERVICE' && r.path === '/'), `our service on ${port} was probed with RDSERVICE /`);
});

t.test('default probe order follows the reference (http 11100–05, https 11100–05, then pairs)', async (t) => {
  const { defaultProbes } = await import('../../../drivers/fingerprint/rd-service/client.js');
  const p = defaultProbes();
  t.equal(p.length, 42);
  t.same(p.slice(0, 2), [{ scheme: 'http', port: 11100 }, { scheme: 'http', port: 11101 }]);
  t.same(p[6], { scheme: 'https', port: 11100 });
  t.same(p.slice(12, 14), [{ scheme: 'http', port: 11106 }, { scheme: 'https', port: 11106 }]);
  t.same(p.at(-1), { scheme: 'https', port: 11120 });
});
