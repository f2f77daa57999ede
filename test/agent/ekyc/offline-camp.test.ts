// Acceptance (issue 7): an offline camp. The broker is down; 500 captures are taken through the
// local API of a real agent process (RD-service simulator), which is killed with SIGKILL 20 times at
// random moments while capturing and while uploading. Then the broker (Mosquitto) and the central
// receiver come up: every capture is accepted centrally exactly once, each result is applied
// once, 500 transactions are recorded once, and a resend is answered `duplicate`.
//
// The agent is already running, retrying, when the broker comes back: it reconnects and uploads
// before the receiver's session exists on the fresh broker, which acknowledges those envelopes and
// drops them (nobody is subscribed). The kiosk holds each envelope until central's answer and
// sends it again when none comes (ekyc.resendSec), so the run also shows that nothing is lost there.
//
// The same run is the "no secret anywhere" check: the database files (after the deletions), the
// agent's logs and every payload published contain none of the PidData parts, sealing keys or
// citizen references — only ciphertext.
import { diffieHellman, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import sqlite3 from 'sqlite3';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { CaptureReceiver } from '../../../fleet/captures/receiver.js';
import { silentLogger } from '../../../fleet/log.js';
import { deriveKey, rawPublicKey } from '../../../protocols/seal/seal.js';
import type { CaptureEnvelope } from '../../../protocols/telemetry/index.js';
import { spawnAgent, writeAgentConfig, type RunningAgent } from '../../helpers/agent-process.js';
import { Collector } from '../../helpers/collector.js';
import { Mosquitto, mosquittoPath } from '../../helpers/mosquitto.js';
import { central, centralPem, ekycSection, uidai } from './fixtures.js';

// About 60 s on an idle 2-core machine; the margin is for a machine busy with other suites.
t.setTimeout(300_000);

const N = Number(process.env['CAMP_CAPTURES'] ?? 500);
const KILLS_CAPTURING = 15;
const KILLS_UPLOADING = 5;
const KIOSK = 'MP-BPL-0042';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const samagra = (i: number) => `7${String(i).padStart(4, '0')}3971`;

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Keeps every PidData it hands out, so the test can search for its parts. */
class RecordingRd extends RdServiceSimulator {
  readonly produced: string[] = [];
  override pidDataXml(fType: number, wadh: string): string {
    const x = super.pidDataXml(fType, wadh);
    this.produced.push(x);
    return x;
  }
}

function post(socket: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpRequest({ socketPath: socket, path: '/v1/ekyc/captures', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

function query<T>(db: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const d = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      d.all(sql, (e: Error | null, rows: T[]) => {
        d.close();
        if (e) reject(e);
        else resolve(rows);
      });
    });
  });
}

async function started(a: RunningAgent): Promise<void> {
  for (let i = 0; i < 1500 && !a.output().includes('"agent started"'); i++) await sleep(10);
  if (!a.output().includes('"agent started"')) throw new Error(`agent did not start: ${a.output().slice(-500)}`);
}

async function kill(a: RunningAgent): Promise<void> {
  a.proc.kill('SIGKILL');
  await a.exited;
}

t.test(`offline camp: ${N} captures, ${KILLS_CAPTURING + KILLS_UPLOADING} kill -9, broker up: all accepted once`, {
    skip: mosquittoPath() ? false : 'mosquitto not installed',
    timeout: 280_000,
  }, async (t) => {
  const seed = Number(process.env['CAMP_SEED'] ?? Date.now() % 100000);
  t.comment(`seed ${seed}`);
  const random = lcg(seed);
  const rd = new RecordingRd({ uidaiPublicKey: uidai.publicKey });
  await rd.listen(0);
  t.teardown(() => rd.close());
  const broker = new Mosquitto();
  const { freePort } = await import('../../helpers/ports.js');
  broker.port = await freePort();
  t.teardown(() => broker.stop());
  // While the broker is down its port stays ours: a listener that drops every connection (to the
  // agent, a broker that is not there) keeps another test's broker from taking it meanwhile.
  const holder = createServer();
  holder.on('connection', (s) => s.destroy());
  await new Promise<void>((resolve) => holder.listen(broker.port, '127.0.0.1', resolve));
  // A directory of its own: two runs of this file at once must not share a database.
  const dir = mkdtempSync(join(tmpdir(), 'camp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'agent.db');
  const configPath = writeAgentConfig({
    id: KIOSK,
    url: broker.url,
    dir,
    extra: { log: { level: 'debug' }, ekyc: ekycSection({ rd: { ports: [rd.port], captureTimeoutMs: 5000 }, sweepSec: 1, resendSec: 5 }) },
  });
  const socket = (JSON.parse(readFileSync(configPath, 'utf8')) as { api: { socket: string } }).api.socket;
  let logs = '';
  const run = async (): Promise<RunningAgent> => {
    const a = spawnAgent(configPath);
    void a.exited.then(() => (logs += a.output()));
    await started(a);
    return a;
  };

  // The camp: broker down, captures through the API, SIGKILL at random captures mid-request.
  const t0 = Date.now();
  const killAt = new Set<number>();
  while (killAt.size < KILLS_CAPTURING) killAt.add(1 + Math.floor(random() * (N - 2)));
  const ids = new Map<number, string>();
  let agent = await run();
  t.teardown(() => void agent.proc.kill('SIGKILL'));
  for (let i = 0; i < N; ) {
    const body = { samagraId: samagra(i), consent: true, modality: 'fingerprint', service: 'EKYC', requestId: `camp-${String(i).padStart(5, '0')}` };
    if (killAt.delete(i)) {
      const inflight = post(socket, body).catch(() => undefined);
      await sleep(Math.floor(random() * 25));
      await kill(agent);
      await inflight;
      agent = await run(); // the same request is retried on the next run
      continue;
    }
    const res = await post(socket, body);
    if (res.status !== 201) throw new Error(`capture ${i}: ${res.status} ${JSON.stringify(res.json)}`);
    ids.set(i, res.json['id'] as string);
    i++;
  }
  t.equal(ids.size, N, `${N} captures taken (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  t.equal(new Set(ids.values()).size, N, 'each request made one capture');
  t.same(await query(db, "SELECT state, count(*) AS n FROM captures GROUP BY state"), [{ state: 'queued', n: N }], 'all queued, none lost');

  // The link returns: central first, then the kiosk; kills while it uploads.
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  await broker.start();
  const receiver = await CaptureReceiver.start({ url: broker.url, privateKeyPem: centralPem, outcomesDb: join(dir, 'central.db'), log: process.env['CAMP_LOG'] ? (await import('pino')).pino({ level: 'debug' }, (await import('pino')).pino.destination(process.env['CAMP_LOG'])) : silentLogger, retryMs: 200 });
  t.teardown(() => receiver.stop());
  const wire = await Collector.start(broker.url, 'kiosk/v1/#', 'camp-wire');
  t.teardown(() => wire.close());
  while (!receiver.connected) await sleep(20);
  const t1 = Date.now();
  for (let k = 0; k < KILLS_UPLOADING; k++) {
    await kill(agent);
    agent = await run();
    await sleep(100 + Math.floor(random() * 600));
  }
  const accepted = async () => (await query<{ n: number }>(db, "SELECT count(*) AS n FROM captures WHERE state = 'accepted'"))[0]!.n;
  for (let i = 0; i < 1200 && (await accepted()) < N; i++) await sleep(100);
  if ((await accepted()) < N) t.comment(JSON.stringify({ receiver: receiver.stats, states: await query(db, 'SELECT state, count(*) AS n FROM captures GROUP BY state'), outbox: await query(db, 'SELECT channel, count(*) AS n FROM outbox GROUP BY channel') }));
  t.equal(await accepted(), N, `all ${N} accepted at the kiosk (${((Date.now() - t1) / 1000).toFixed(1)} s after the link returned)`);
  t.equal(receiver.stats.accepted, N, 'accepted centrally exactly once each');
  t.equal(receiver.stats.rejected + receiver.stats.tampered + receiver.stats.invalid, 0);
  t.comment(`resends answered duplicate during the run: ${receiver.stats.duplicate}`);
  const txns = await query<{ n: number; keys: number; paise: number }>(db, "SELECT count(*) AS n, count(DISTINCT idem_key) AS keys, sum(commission_paise) AS paise FROM ledger_txns WHERE service_code = 'EKYC'");
  t.same(txns, [{ n: N, keys: N, paise: N * 1800 }], `${N} transactions recorded once, Rs 18 each`);
  t.same(await query(db, "SELECT count(*) AS n FROM captures WHERE txn_recorded = 1"), [{ n: N }]);
  t.same(await query(db, "SELECT count(*) AS n FROM outbox WHERE channel = 'captures'"), [{ n: 0 }], 'no envelope left on the kiosk');

  // A resend of a delivered envelope is answered duplicate and changes nothing at the kiosk.
  const envelopes = wire.all.filter((r) => r.topic.endsWith('/captures')).map((r) => r.message as unknown as CaptureEnvelope);
  const resend = envelopes[0]!;
  await wire.client.publishAsync(`kiosk/v1/${KIOSK}/captures`, JSON.stringify(resend), { qos: 1 });
  await wire.until(() => wire.all.some((r) => r.topic.endsWith('/capture-results') && r.message['captureId'] === resend.captureId && r.message['result'] === 'duplicate'), 10_000, 'duplicate answer');
  t.pass('a resend is answered duplicate');
  await sleep(300);
  t.same(await query(db, "SELECT count(*) AS n FROM ledger_txns"), [{ n: N }], 'still one transaction per capture');
  t.equal(receiver.stats.accepted, N);

  agent.proc.kill('SIGTERM');
  await agent.exited;

  // No secret anywhere: database files, logs, published payloads.
  await receiver.stop();
  // The kiosk's database and central's outcome database, with their WAL files.
  const files = readdirSync(dir).filter((f) => f.startsWith('agent.db') || f.startsWith('central.db')).map((f) => readFileSync(join(dir, f)));
  const payloads = wire.all.map((r) => JSON.stringify(r.message));
  const haystacks: [string, Buffer | string][] = [...files.map((b, i) => [`db file ${i}`, b] as [string, Buffer]), ['logs', logs], ['published payloads', payloads.join('\n')]];
  const needles: string[] = [];
  for (const x of rd.produced) {
    for (const tag of ['Skey', 'Hmac', 'Data']) {
      const m = new RegExp(`<${tag}[^>]*>([^<]+)</${tag}>`).exec(x);
      if (m) needles.push(m[1]!.slice(0, 40));
    }
  }
  for (let i = 0; i < N; i++) needles.push(samagra(i));
  const centralRaw = rawPublicKey(central.publicKey);
  for (const e of envelopes.slice(0, 100)) {
    const epk = Buffer.from(e.seal.epk, 'base64url');
    const shared = diffieHellman({ privateKey: central.privateKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: e.seal.epk }, format: 'jwk' }) });
    const key = deriveKey(shared, epk, centralRaw);
    needles.push(key.toString('hex'), key.toString('base64'), key.toString('base64url').slice(0, 40), key.toString('latin1'));
  }
  t.ok(rd.produced.length >= N && needles.length > 3 * N, `${needles.length} secrets to look for (PidData parts, citizen references, sealing keys)`);
  t.ok(logs.length > 10_000 && files.length >= 2 && payloads.length > N, 'there is something to search');
  for (const [name, hay] of haystacks) {
    const text = typeof hay === 'string' ? hay : hay.toString('latin1');
    const found = needles.filter((n) => text.includes(n));
    t.same(found.length, 0, `no secret in the ${name}`);
  }
});
