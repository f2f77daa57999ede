/**
 * The kiosk side of enrollment by claim: connect with the kit's claim certificate under a
 * throw-away client id, send the CSR, inventory and claim code, wait (bounded) for the fleet's
 * answer, and check the certificate it returns really is for this kiosk and this key before
 * anything is written.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'mqtt';
import {
  type ClaimRequest,
  ClaimResponse,
  type InventoryItem,
  requestTopic,
  responseTopic,
} from '../protocols/telemetry/claim.js';
import { certFacts } from './pki.js';

export interface EnrollOptions {
  url: string;
  caFile: string;
  claimCert: string;
  claimKey: string;
  claimCode: string;
  kioskId: string;
  district: string;
  lsp: string;
  csr: string;
  tlsKeyPem: string;
  inventory: InventoryItem[];
  timeoutMs: number;
}

export class EnrollError extends Error {
  override name = 'EnrollError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Enrolled = { certificate: string; fingerprint: string; issuer: string };

/**
 * Tries again after a failed connection until the time allowed is used up: on a 2G link the
 * first attempts often fail. Asking again is safe, the fleet answers a retry from the kiosk that
 * spent the claim with the same certificate.
 */
export async function enroll(o: EnrollOptions, retryMs = 3000): Promise<Enrolled> {
  const [ca, cert, key] = await Promise.all([readFile(o.caFile), readFile(o.claimCert), readFile(o.claimKey)]).catch((err: unknown) => {
    throw new EnrollError('claim_kit', `cannot read the claim kit: ${(err as Error).message}`);
  });
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    try {
      return await attempt(o, { ca, cert, key }, Math.max(1000, deadline - Date.now()));
    } catch (err) {
      if (!(err instanceof EnrollError) || err.code !== 'connect' || Date.now() + retryMs >= deadline) throw err;
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
}

async function attempt(o: EnrollOptions, kit: { ca: Buffer; cert: Buffer; key: Buffer }, timeoutMs: number): Promise<Enrolled> {
  const { ca, cert, key } = kit;
  const clientId = `claim-${randomBytes(8).toString('hex')}`;
  const client = connect(o.url, {
    clientId,
    // mqtt.js turns mqtt:// into mqtts:// when given a client certificate; a plain URL (tests, a
    // provisioning LAN) gets none.
    ...(/^(mqtts|ssl|wss):/.test(o.url) ? { ca, cert, key } : {}),
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: Math.min(timeoutMs, 30_000),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const response = await new Promise<ClaimResponse>((resolve, reject) => {
      timer = setTimeout(() => reject(new EnrollError('timeout', `no answer from central within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      client.once('error', (err) => reject(new EnrollError('connect', `cannot connect to ${o.url} with the claim certificate: ${err.message}`)));
      client.on('message', (_topic, payload) => {
        try {
          const r = ClaimResponse.safeParse(JSON.parse(payload.toString('utf8')));
          if (r.success) resolve(r.data);
          else reject(new EnrollError('bad_response', 'central sent an answer this kiosk cannot read'));
        } catch {
          reject(new EnrollError('bad_response', 'central sent an answer that is not JSON'));
        }
      });
      client.once('connect', () => {
        client.subscribe(responseTopic(clientId), { qos: 1 }, (err, granted) => {
          if (err || granted?.[0]?.qos === 128) {
            reject(new EnrollError('acl', 'the broker refused the provisioning topic to the claim certificate'));
            return;
          }
          const req: ClaimRequest = {
            v: 1,
            claimCode: o.claimCode,
            kioskId: o.kioskId,
            district: o.district,
            lsp: o.lsp,
            csr: o.csr,
            inventory: o.inventory,
          };
          client.publish(requestTopic(clientId), JSON.stringify(req), { qos: 1 });
        });
      });
    });
    if (!response.ok) throw new EnrollError(response.code, response.message);
    const facts = certFacts(response.certificate, o.tlsKeyPem);
    if (facts.commonName !== o.kioskId) throw new EnrollError('bad_certificate', `certificate is for ${facts.commonName ?? '?'}, not ${o.kioskId}`);
    if (!facts.keyMatches) throw new EnrollError('bad_certificate', "certificate is not for this kiosk's key");
    return { certificate: response.certificate, fingerprint: facts.fingerprint, issuer: response.issuer };
  } finally {
    clearTimeout(timer);
    await client.endAsync(true).catch(() => undefined);
  }
}
