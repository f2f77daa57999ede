/** Wiring for `kiosk-fleet serve --ca-cert --ca-key`: the claim service beside ingest. */
import type { IClientOptions } from 'mqtt';
import type { Clock } from '../clock.js';
import { child, type Logger } from '../log.js';
import { loadCa } from './ca.js';
import { ClaimStore } from './claims.js';
import { ClaimService } from './service.js';

export interface ProvisioningOptions {
  caCert: string;
  caKey: string;
  /** Validity of issued kiosk certificates, days (default 825). */
  certDays?: number;
  mqtt?: Partial<IClientOptions>;
}

export interface RunningProvisioning {
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function startProvisioning(
  o: ProvisioningOptions & { url: string; db: string; clock: Clock; log: Logger },
): Promise<RunningProvisioning> {
  const ca = await loadCa(o.caCert, o.caKey).catch((err: unknown) => {
    throw new Error(`cannot load the kiosk CA (${o.caCert}, ${o.caKey}): ${(err as Error).message}`);
  });
  const claims = await ClaimStore.open(o.db);
  const service = new ClaimService({
    url: o.url,
    ca,
    claims,
    clock: o.clock,
    log: child(o.log, 'claims'),
    ...(o.mqtt ? { mqtt: o.mqtt } : {}),
    ...(o.certDays ? { certDays: o.certDays } : {}),
  });
  const ready = service.start();
  return {
    ready,
    close: async () => {
      await service.stop();
      await claims.close();
    },
  };
}
