/** Shared pieces of the capture benchmarks: keys, configuration and a capture service over a real store. */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { EkycConfig } from '../../agent/ekyc/config.js';
import type { CaptureSource } from '../../agent/ekyc/hooks.js';
import { EkycService } from '../../agent/ekyc/service.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { Store } from '../../agent/store/db.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { RdServiceSimulator } from '../../drivers/fingerprint/rd-service-simulator.js';
import { parsePidData } from '../../protocols/rd-service/index.js';
import { keyIdOf, rawPublicKey } from '../../protocols/seal/seal.js';

export const central = generateKeyPairSync('x25519');
export const centralPem = central.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const sim = new RdServiceSimulator({ uidaiPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey });

export function ekycSection(maxQueued: number): Record<string, unknown> {
  return {
    central: { publicKey: rawPublicKey(central.publicKey).toString('base64'), keyId: keyIdOf(central.publicKey) },
    apiRole: 'public',
    maxQueued,
  };
}

/** The RD service answered at once with a fresh, real-shaped PidData: only seal + write are timed. */
export const instantRd: CaptureSource = { capture: () => Promise.resolve(parsePidData(sim.pidDataXml(2, ''))) };

/** N captures prepared before the clock starts, handed out in turn. */
export function preparedRd(n: number): CaptureSource {
  const pool = Array.from({ length: n }, () => sim.pidDataXml(2, ''));
  let i = 0;
  return { capture: () => Promise.resolve(parsePidData(pool[i++ % n]!)) };
}

export async function openQueue(dir: string, kioskId: string, maxQueued: number, rd: CaptureSource = instantRd): Promise<{ store: Store; outbox: Outbox; service: EkycService }> {
  const store = await Store.open(join(dir, 'agent.db'), { logger: silentLogger });
  const time = { now: () => ({ ts: Date.now(), mono: Math.round(performance.now()), boot: 'bench', synced: true }) };
  const outbox = await Outbox.open(store, kioskId, time, { maxRows: maxQueued * 2, maxBytes: 2_000_000_000 }, silentLogger);
  const service = new EkycService({
    store,
    outbox,
    clock: time,
    link: { state: 'waiting' },
    kioskId,
    config: EkycConfig.parse(ekycSection(maxQueued)),
    rd,
    logger: silentLogger,
  });
  return { store, outbox, service };
}

export const captureBody = (i: number) => ({
  samagraId: `7${String(i % 100_000).padStart(5, '0')}391`,
  consent: true as const,
  modality: 'fingerprint' as const,
  service: 'EKYC',
});
