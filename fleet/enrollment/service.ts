/**
 * The fleet side of enrollment by claim: reads claim requests from the broker, checks the claim
 * (single use, expiry, district) and the CSR, issues the kiosk's client certificate and answers
 * on the claimant's response topic. The CSR is checked before the claim is spent, so a kiosk with
 * a broken key does not burn the technician's code.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  ClaimRequest,
  type ClaimResponse,
  clientIdOfRequest,
  PROVISIONING_REQUEST_FILTER,
  responseTopic,
} from '../../protocols/telemetry/claim.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { type CaMaterial, checkCsr, CsrError, issueCertificate } from './ca.js';
import type { ClaimStore } from './claims.js';
import { type CryptoKey, sha256Hex, subtle } from './x509.js';

export interface ClaimServiceOptions {
  url: string;
  mqtt?: Partial<IClientOptions>;
  ca: CaMaterial;
  claims: ClaimStore;
  clock: Clock;
  log: Logger;
  certDays?: number;
}

export class ClaimService {
  private client: MqttClient | undefined;
  /** Answers already given, by claimant client id: a QoS 1 redelivery gets the same answer. */
  private readonly answered = new Map<string, ClaimResponse>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ClaimServiceOptions) {}

  /** Connects and subscribes; resolves once subscribed. */
  start(): Promise<void> {
    const client = connect(this.opts.url, {
      clientId: `kiosk-fleet-claims-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 1000,
      ...this.opts.mqtt,
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      // One at a time: claims are rare and the store's single-use check is simplest serialised.
      this.tail = this.tail.then(() => this.handle(topic, payload)).catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'claim handling failed'));
    });
    client.on('error', (err) => this.opts.log.warn({ err: err.message }, 'provisioning connection error'));
    return new Promise((resolve) => {
      client.on('connect', () => {
        client.subscribe(PROVISIONING_REQUEST_FILTER, { qos: 1 }, (err) => {
          if (err) this.opts.log.error({ err: err.message }, 'cannot subscribe to claim requests');
          else this.opts.log.info({ filter: PROVISIONING_REQUEST_FILTER }, 'accepting claim requests');
          resolve();
        });
      });
    });
  }

  async stop(): Promise<void> {
    await this.tail;
    await this.client?.endAsync();
  }

  async handle(topic: string, payload: Buffer): Promise<void> {
    const clientId = clientIdOfRequest(topic);
    if (!clientId) return;
    const previous = this.answered.get(clientId);
    const response = previous ?? (await this.decide(clientId, payload));
    this.answered.set(clientId, response);
    if (this.answered.size > 1000) this.answered.delete(this.answered.keys().next().value as string);
    await this.client?.publishAsync(responseTopic(clientId), JSON.stringify(response), { qos: 1 });
  }

  async decide(clientId: string, payload: Buffer): Promise<ClaimResponse> {
    const log = this.opts.log;
    const refuse = (code: Exclude<ClaimResponse, { ok: true }>['code'], message: string): ClaimResponse => {
      log.warn({ clientId, code, message }, 'claim refused');
      return { v: 1, ok: false, code, message };
    };
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return refuse('bad_request', 'request is not JSON');
    }
    const parsed = ClaimRequest.safeParse(body);
    if (!parsed.success) {
      return refuse('bad_request', parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ').slice(0, 500));
    }
    const req = parsed.data;
    let publicKey: CryptoKey;
    try {
      publicKey = await checkCsr(req.csr, req.kioskId);
    } catch (err) {
      if (err instanceof CsrError) return refuse('csr_invalid', err.message);
      throw err;
    }
    const now = this.opts.clock.now();
    const spki = await sha256Hex(await subtle.exportKey('spki', publicKey));
    const spent = await this.opts.claims.consume(req.claimCode, req.kioskId, req.district, now);
    if (!spent.ok) {
      const again = spent.code === 'claim_used' ? await this.opts.claims.reissuable(req.claimCode, req.kioskId, spki) : undefined;
      if (!again) return refuse(spent.code, spent.message);
      log.info({ kioskId: req.kioskId, fingerprint: again.fingerprint }, 'claim retried by the kiosk that spent it: same certificate again');
      return { v: 1, ok: true, kioskId: req.kioskId, certificate: again.certificate, issuer: this.opts.ca.cert.toString('pem') + '\n', fingerprint: again.fingerprint };
    }
    const cert = await issueCertificate(this.opts.ca, {
      commonName: req.kioskId,
      publicKey,
      usage: 'client',
      now: new Date(now),
      ...(this.opts.certDays ? { days: this.opts.certDays } : {}),
    });
    await this.opts.claims.recordEnrollment({
      kioskId: req.kioskId,
      serial: cert.serial,
      fingerprint: cert.fingerprint,
      district: req.district,
      inventory: req.inventory,
      at: now,
      claimCode: req.claimCode,
      spkiSha256: spki,
      certificate: cert.pem,
    });
    log.info({ kioskId: req.kioskId, district: req.district, serial: cert.serial, fingerprint: cert.fingerprint, devices: req.inventory.length }, 'kiosk enrolled');
    return { v: 1, ok: true, kioskId: req.kioskId, certificate: cert.pem, issuer: this.opts.ca.cert.toString('pem') + '\n', fingerprint: cert.fingerprint };
  }
}
