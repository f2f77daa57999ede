// `kiosk-fleet serve --capture-key PATH`: the capture receiver runs beside the monitor on the
// embedded broker and answers a kiosk's capture.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import mqtt from 'mqtt';
import { run } from '../../../fleet/cli.js';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { keyIdOf, seal } from '../../../protocols/seal/seal.js';

t.test('serve --capture-key answers captures', async (t) => {
  const central = generateKeyPairSync('x25519');
  const dir = t.testdir({});
  const keyPath = join(dir, 'capture-key.pem');
  writeFileSync(keyPath, central.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const ac = new AbortController();
  let port = 0;
  const ready = new Promise<void>((resolve) => {
    void run(['serve', '--embedded-broker', '--port', '0', '--db', join(dir, 'fleet.db'), '--capture-key', keyPath, '--log-level', 'silent'], {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: ac.signal,
      onReady: (info) => {
        port = info.port ?? 0;
        resolve();
      },
    });
  });
  await ready;
  t.teardown(() => ac.abort());
  const url = `mqtt://127.0.0.1:${port}`;
  const kiosk = await mqtt.connectAsync(url, { clientId: 'RJ-JAI-0001' });
  t.teardown(() => kiosk.endAsync(true));
  const got = new Promise<Record<string, unknown>>((resolve) => kiosk.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as Record<string, unknown>)));
  await kiosk.subscribeAsync('kiosk/v1/RJ-JAI-0001/capture-results', { qos: 1 });
  await new Promise((r) => setTimeout(r, 500)); // the receiver's lanes subscribe
  const id = randomUUID();
  const capturedAt = Date.now();
  const sim = new RdServiceSimulator({ uidaiPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey });
  const content = { v: 1, citizenRef: 'samagra:123456789', consent: { given: true, at: capturedAt }, pidData: sim.pidDataXml(2, '') };
  const box = seal(Buffer.from(JSON.stringify(content)), { publicKey: central.publicKey, keyId: keyIdOf(central.publicKey) }, { kioskId: 'RJ-JAI-0001', captureId: id, capturedAt });
  const env = { v: 1, ts: capturedAt, mono: 1, boot: 'b', synced: true, seq: 1, env: 1, captureId: id, kiosk: 'RJ-JAI-0001', capturedAt, modality: 'fingerprint', service: 'EKYC', seal: box };
  await kiosk.publishAsync('kiosk/v1/RJ-JAI-0001/captures', JSON.stringify(env), { qos: 1 });
  t.match(await got, { captureId: id, result: 'accepted' });
});
