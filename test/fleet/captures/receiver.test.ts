// The capture receiver over a real broker (aedes with the kiosk ACL): results on the kiosk's topic,
// captures published while the receiver is down are decided when it returns, decisions survive a
// restart, and a kiosk publishing on another kiosk's topic is refused by the broker.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { kioskPublishAcl, mayPublish } from '../../../fleet/captures/acl.js';
import { CaptureReceiver } from '../../../fleet/captures/receiver.js';
import { silentLogger } from '../../../fleet/log.js';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { keyIdOf, seal } from '../../../protocols/seal/seal.js';
import { CONTRACT_VERSION } from '../../../protocols/telemetry/index.js';
import { Collector } from '../../helpers/collector.js';
import { Mosquitto, mosquittoPath } from '../../helpers/mosquitto.js';

const central = generateKeyPairSync('x25519');
const pem = central.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const sim = new RdServiceSimulator({ uidaiPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey });

function envelope(kiosk: string, seq: number): { id: string; payload: string } {
  const id = randomUUID();
  const capturedAt = Date.now();
  const content = { v: 1, citizenRef: 'samagra:123456789', consent: { given: true, at: capturedAt }, pidData: sim.pidDataXml(2, '') };
  const box = seal(Buffer.from(JSON.stringify(content)), { publicKey: central.publicKey, keyId: keyIdOf(central.publicKey) }, { kioskId: kiosk, captureId: id, capturedAt });
  return {
    id,
    payload: JSON.stringify({ v: CONTRACT_VERSION, ts: capturedAt, mono: 1, boot: 'b', synced: true, seq, env: 1, captureId: id, kiosk, capturedAt, modality: 'fingerprint', service: 'EKYC', seal: box }),
  };
}

async function broker(t: Test) {
  const b = await Aedes.createBroker({ authorizePublish: kioskPublishAcl() });
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    b.handle(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => b.close(() => r()));
  });
  return `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

t.test('the ACL rule', (t) => {
  t.ok(mayPublish('RJ-JAI-0001', 'kiosk/v1/RJ-JAI-0001/captures'));
  t.notOk(mayPublish('RJ-JAI-0002', 'kiosk/v1/RJ-JAI-0001/captures'));
  t.notOk(mayPublish('RJ-JAI-0001', 'kiosk/v1/RJ-JAI-0001/capture-results'), 'a kiosk cannot answer itself');
  t.ok(mayPublish('kiosk-fleet-captures', 'kiosk/v1/RJ-JAI-0001/capture-results'));
  t.end();
});

t.test('results, a receiver restart, duplicates, and the broker refusing a cross-kiosk publish', async (t) => {
  const url = await broker(t);
  const db = join(t.testdir({}), 'captures.db');
  let receiver = await CaptureReceiver.start({ url, privateKeyPem: pem, outcomesDb: db, log: silentLogger, retryMs: 100 });
  t.teardown(() => receiver.stop());
  const results: { result: string; captureId: string; original?: string }[] = [];
  const kiosk = await mqtt.connectAsync(url, { clientId: 'RJ-JAI-0001', clean: false });
  t.teardown(() => kiosk.endAsync(true));
  kiosk.on('message', (_topic, p) => results.push(JSON.parse(p.toString()) as (typeof results)[number]));
  await kiosk.subscribeAsync('kiosk/v1/RJ-JAI-0001/capture-results', { qos: 1 });
  const until = async (n: number) => {
    for (let i = 0; i < 100 && results.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    t.equal(results.length, n, `${n} results`);
  };
  while (!receiver.connected) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));

  const a = envelope('RJ-JAI-0001', 1);
  await kiosk.publishAsync('kiosk/v1/RJ-JAI-0001/captures', a.payload, { qos: 1 });
  await until(1);
  t.match(results[0], { captureId: a.id, result: 'accepted' });

  // Down: a capture waits at the broker in the receiver's persistent session.
  await receiver.stop();
  const b = envelope('RJ-JAI-0001', 2);
  await kiosk.publishAsync('kiosk/v1/RJ-JAI-0001/captures', b.payload, { qos: 1 });
  receiver = await CaptureReceiver.start({ url, privateKeyPem: pem, outcomesDb: db, log: silentLogger, retryMs: 100 });
  await until(2);
  t.match(results[1], { captureId: b.id, result: 'accepted' });
  await kiosk.publishAsync('kiosk/v1/RJ-JAI-0001/captures', a.payload, { qos: 1 });
  await until(3);
  t.match(results[2], { captureId: a.id, result: 'duplicate', original: 'accepted' }, 'remembered across the restart');

  // Kiosk 0002 tries to publish on 0001's topic: the broker refuses it, the receiver never sees it.
  const intruder = mqtt.connect(url, { clientId: 'RJ-JAI-0002', reconnectPeriod: 0 });
  intruder.on('error', () => undefined);
  await new Promise((r) => intruder.once('connect', r));
  intruder.publish('kiosk/v1/RJ-JAI-0001/captures', envelope('RJ-JAI-0001', 9).payload, { qos: 1 });
  await new Promise((r) => setTimeout(r, 300));
  intruder.end(true);
  t.equal(results.length, 3, 'no result for the intruder');
  t.same(receiver.stats, { accepted: 1, rejected: 0, duplicate: 1, tampered: 0, invalid: 0 }, 'the restarted receiver: b accepted, a duplicate, nothing from the intruder');
});

t.test('lanes on a shared subscription (Mosquitto, MQTT 5): each capture decided once, resends answered duplicate, across a restart', { skip: mosquittoPath() ? false : 'mosquitto not installed' }, async (t) => {
  const m = new Mosquitto();
  await m.start();
  t.teardown(() => m.stop());
  const db = join(t.testdir({}), 'captures.db');
  const start = () => CaptureReceiver.start({ url: m.url, privateKeyPem: pem, outcomesDb: db, log: silentLogger, lanes: 3, retryMs: 100 });
  let receiver = await start();
  t.teardown(() => receiver.stop());
  while (!receiver.connected) await new Promise((r) => setTimeout(r, 20));
  t.equal(receiver.protocolVersion, 5);
  const results = await Collector.start(m.url, 'kiosk/v1/+/capture-results', 'lanes-results');
  t.teardown(() => results.close());
  const kiosks = ['RJ-JAI-0001', 'RJ-JAI-0002', 'RJ-JAI-0003'];
  const pubs = await Promise.all(kiosks.map((k) => mqtt.connectAsync(m.url, { clientId: k })));
  t.teardown(() => Promise.all(pubs.map((p) => p.endAsync(true))));
  const sent: { kiosk: string; id: string; payload: string }[] = [];
  let total = 0;
  const publish = async (n: number) => {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 3;
      const e = envelope(kiosks[k]!, sent.length + 1);
      sent.push({ kiosk: kiosks[k]!, ...e });
      batch.push(pubs[k]!.publishAsync(`kiosk/v1/${kiosks[k]}/captures`, e.payload, { qos: 1 }));
      total++;
      if (i % 5 === 4) {
        // A resend right behind the original: the two copies may land in different lanes.
        const again = sent[sent.length - 1]!;
        batch.push(pubs[k]!.publishAsync(`kiosk/v1/${again.kiosk}/captures`, again.payload, { qos: 1 }));
        total++;
      }
    }
    await Promise.all(batch);
  };
  await publish(150);
  await receiver.stop();
  await publish(60); // while the receiver is down
  receiver = await start();
  const by = (r: string) => results.all.filter((x) => x.message['result'] === r);
  const resends = total - sent.length;
  await results.until(() => new Set(by('accepted').map((x) => x.message['captureId'])).size >= sent.length && by('duplicate').length >= resends, 30_000, `${total} results`);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(new Set(by('accepted').map((x) => x.message['captureId'])).size, sent.length, `${sent.length} captures accepted`);
  t.equal(by('accepted').length, sent.length, 'each exactly once');
  // A capture whose PUBACK the stop cut off comes back once more: also answered duplicate.
  t.ok(by('duplicate').length >= resends, `every resend answered duplicate (${by('duplicate').length} for ${resends} resends)`);
  t.equal(receiver.stats.rejected + receiver.stats.tampered + receiver.stats.invalid, 0);
  t.ok(results.all.every((x) => x.topic === `kiosk/v1/${sent.find((s) => s.id === x.message['captureId'])!.kiosk}/capture-results`), 'each result on its kiosk topic');
});
