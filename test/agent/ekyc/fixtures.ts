// Shared pieces of the capture tests: central's capture key, a test UIDAI key for the RD simulator,
// the ekyc configuration, and an in-process capture service over a real store and a fake clock.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { Test } from 'tap';
import { EkycConfig } from '../../../agent/ekyc/config.js';
import type { EkycTransactionInput, RecordTransaction } from '../../../agent/ekyc/hooks.js';
import { EkycService } from '../../../agent/ekyc/service.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { Store } from '../../../agent/store/db.js';
import { RdServiceClient } from '../../../drivers/fingerprint/rd-service/client.js';
import { RdServiceSimulator } from '../../../drivers/fingerprint/rd-service-simulator.js';
import { silentLogger, type Logger } from '../../../drivers/common/logger.js';
import { CaptureReceiver } from '../../../fleet/captures/receiver.js';
import { silentLogger as silentFleetLog } from '../../../fleet/log.js';
import { keyIdOf, rawPublicKey } from '../../../protocols/seal/seal.js';
import { startAedes, type TestBroker } from '../../helpers/aedes.js';

export const central = generateKeyPairSync('x25519');
export const centralPem = central.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const uidai = generateKeyPairSync('rsa', { modulusLength: 2048 });

export function ekycSection(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    central: { publicKey: rawPublicKey(central.publicKey).toString('base64'), keyId: keyIdOf(central.publicKey) },
    apiRole: 'public',
    ...extra,
  };
}

export async function startRd(t: Test, opts: Partial<ConstructorParameters<typeof RdServiceSimulator>[0]> = {}): Promise<RdServiceSimulator> {
  const sim = new RdServiceSimulator({ uidaiPublicKey: uidai.publicKey, ...opts });
  await sim.listen(0);
  t.teardown(() => sim.close());
  return sim;
}

/** Central's side for a real agent: an embedded broker and the capture receiver on it, subscribed. */
export async function startCentral(t: Test): Promise<{ broker: TestBroker; receiver: CaptureReceiver }> {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const receiver = await CaptureReceiver.start({ url: broker.url, privateKeyPem: centralPem, log: silentFleetLog, retryMs: 100 });
  t.teardown(() => receiver.stop());
  await receiver.ready();
  return { broker, receiver };
}

/** A clock whose wall and monotonic readings the test sets. */
export class FakeTime {
  ts = 1_760_000_000_000;
  mono = 5_000;
  boot = 'boot-1';
  synced = false;
  now() {
    return { ts: this.ts, mono: this.mono, boot: this.boot, synced: this.synced };
  }
  advance(ms: number): void {
    this.ts += ms;
    this.mono += ms;
  }
}

export interface Rig {
  store: Store;
  outbox: Outbox;
  time: FakeTime;
  link: { state: string };
  service: EkycService;
  recorded: EkycTransactionInput[];
  printed: string[];
  sim: RdServiceSimulator;
  /** Reopens the service on the same database (a restart), optionally after a reboot. */
  restart(o?: { reboot?: boolean }): Promise<void>;
}

export async function rig(t: Test, extra: Record<string, unknown> = {}, logger: Logger = silentLogger, dir = t.testdir({})): Promise<Rig> {
  const sim = await startRd(t);
  const time = new FakeTime();
  const link = { state: 'waiting' };
  const recorded: EkycTransactionInput[] = [];
  const printed: string[] = [];
  const record: RecordTransaction = (tx, input) => {
    recorded.push(input);
    return tx.run('INSERT INTO kv (key, value) VALUES (?, ?)', [`txn:${input.idempotencyKey}`, String(input.commissionPaise)]).then(() => ({ txnId: `T-${recorded.length}` }));
  };
  const config = EkycConfig.parse(ekycSection(extra));
  const r = {} as Rig;
  const open = async () => {
    const store = await Store.open(join(dir, 'agent.db'), { logger: silentLogger });
    const outbox = await Outbox.open(store, 'RJ-JAI-0001', time, { maxRows: 10_000, maxBytes: 50_000_000 }, silentLogger);
    const service = new EkycService({
      store,
      outbox,
      clock: time,
      link,
      kioskId: 'RJ-JAI-0001',
      config,
      rd: new RdServiceClient({ probes: [{ scheme: 'http', port: sim.port }], probeTimeoutMs: 1000 }),
      recordTransaction: record,
      printer: { printEkycAck: (rc) => (printed.push(rc.captureId), Promise.resolve()) },
      logger,
    });
    await service.start();
    Object.assign(r, { store, outbox, service });
  };
  await open();
  Object.assign(r, {
    time,
    link,
    recorded,
    printed,
    sim,
    restart: async (o: { reboot?: boolean } = {}) => {
      await r.service.stop();
      await r.store.close();
      if (o.reboot) {
        time.boot = `boot-${Number(time.boot.split('-')[1]) + 1}`;
        time.mono = 2_000;
      }
      await open();
    },
  });
  t.teardown(async () => {
    await r.service.stop();
    await r.store.close();
  });
  return r;
}

export const request = (n = 1, extra: Record<string, unknown> = {}) => ({
  samagraId: String(123456000 + n).padStart(9, '0').replace(/000$/, '001'),
  consent: true as const,
  modality: 'fingerprint' as const,
  service: 'EKYC',
  ...extra,
});
