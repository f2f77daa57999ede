/**
 * Client for a UIDAI RD service on this machine (reference rd-service-ekyc.md §1, §5):
 *
 * - discovery: `RDSERVICE` on 127.0.0.1:11100–11120, http first then https, in Eko's order
 *   (http 11100–05, https 11100–05, then both for 11106–20), ten probes at a time, 2.5 s each;
 *   every answering service is ranked READY > USED > NOTREADY and the best one kept;
 * - health: RDSERVICE status plus DEVICEINFO presence (a READY with an empty serial is NOTREADY);
 * - capture: `CAPTURE` with PidOptions; HTTP timeout = PidOptions timeout + a margin, since the
 *   driver waits for the finger itself.
 *
 * The PidData is a secret: it is returned inside a `PidBlock` (redacted when printed) and never
 * logged; log lines carry only codes, ports, scores and sizes.
 */
import { X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../common/logger.js';
import {
  buildPidOptions,
  isRdCaptureError,
  isRdServiceError,
  parseDeviceInfo,
  parsePidData,
  parseRdServiceInfo,
  rankStatus,
  rdHealth,
  type DeviceInfo,
  type PidCapture,
  type PidOptionsInput,
  type RdHealth,
  type RdServiceInfo,
} from '../../../protocols/rd-service/index.js';
import { FingerprintError, isFingerprintError } from '../errors.js';
import { rdRequest, type RdHttpRequest, type Scheme } from './http.js';

export interface RdEndpoint {
  scheme: Scheme;
  port: number;
  info: RdServiceInfo;
}

export interface RdClientOptions {
  /** Ports to probe, in order; default Eko's order over 11100–11120. */
  probes?: { scheme: Scheme; port: number }[];
  /** PEM certificates of the local RD drivers (Morpho/IDEMIA, Mantra L1 speak https). */
  trustedCerts?: string[];
  trustAnyLoopbackCert?: boolean;
  probeTimeoutMs?: number;
  concurrency?: number;
  /** Timeout for DEVICEINFO, ms. */
  requestTimeoutMs?: number;
  /** Added to the PidOptions timeout for the CAPTURE HTTP call, ms. */
  captureMarginMs?: number;
  logger?: Logger;
}

export function defaultProbes(): { scheme: Scheme; port: number }[] {
  const out: { scheme: Scheme; port: number }[] = [];
  for (let p = 11100; p <= 11105; p++) out.push({ scheme: 'http', port: p });
  for (let p = 11100; p <= 11105; p++) out.push({ scheme: 'https', port: p });
  for (let p = 11106; p <= 11120; p++) out.push({ scheme: 'http', port: p }, { scheme: 'https', port: p });
  return out;
}

/**
 * When the device certificate in DeviceInfo `mc` expires (base64 DER; 20–90 days on real devices,
 * and UIDAI rejects expired ones with 559; reference §1.3), or undefined if it is not a certificate.
 */
export function deviceCertificateExpiry(di: DeviceInfo): Date | undefined {
  if (!di.mc) return undefined;
  try {
    return new Date(new X509Certificate(Buffer.from(di.mc, 'base64')).validTo);
  } catch {
    return undefined;
  }
}

export interface RdClientEvents {
  health: [health: RdHealth, previous: RdHealth];
}

export class RdServiceClient extends EventEmitter<RdClientEvents> {
  readonly #o: Required<Omit<RdClientOptions, 'logger'>> & { logger: Logger };
  #endpoint: RdEndpoint | undefined;
  #health: RdHealth = { state: 'ABSENT', reason: 'not probed yet' };
  #capturing = false;

  constructor(opts: RdClientOptions = {}) {
    super();
    this.#o = {
      probes: defaultProbes(),
      trustedCerts: [],
      trustAnyLoopbackCert: false,
      probeTimeoutMs: 2500,
      concurrency: 10,
      requestTimeoutMs: 5000,
      captureMarginMs: 5000,
      logger: silentLogger,
      ...opts,
    };
  }

  get endpoint(): RdEndpoint | undefined {
    return this.#endpoint;
  }

  get lastHealth(): RdHealth {
    return { ...this.#health };
  }

  #req(r: Omit<RdHttpRequest, 'trustedCerts' | 'trustAnyLoopbackCert'>): ReturnType<typeof rdRequest> {
    return rdRequest({ ...r, trustedCerts: this.#o.trustedCerts, trustAnyLoopbackCert: this.#o.trustAnyLoopbackCert });
  }

  async #probe(scheme: Scheme, port: number): Promise<RdEndpoint | undefined> {
    try {
      const res = await this.#req({ scheme, port, method: 'RDSERVICE', path: '/', timeoutMs: this.#o.probeTimeoutMs });
      if (res.status !== 200) return undefined;
      return { scheme, port, info: parseRdServiceInfo(res.body) };
    } catch (e) {
      if (isRdServiceError(e)) this.#o.logger.warn({ port, scheme, code: e.code }, 'RD service on this port sent an unusable RDSERVICE reply');
      return undefined;
    }
  }

  /** Scans the probe list; keeps and returns the best service, or undefined. */
  async discover(): Promise<RdEndpoint | undefined> {
    const found: RdEndpoint[] = [];
    const queue = [...this.#o.probes];
    const worker = async (): Promise<void> => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const ep = await this.#probe(p.scheme, p.port);
        if (ep) found.push(ep);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#o.concurrency) }, worker));
    const order = new Map(this.#o.probes.map((p, i) => [`${p.scheme}:${p.port}`, i]));
    found.sort((a, b) => rankStatus(b.info.status) - rankStatus(a.info.status) || order.get(`${a.scheme}:${a.port}`)! - order.get(`${b.scheme}:${b.port}`)!);
    this.#endpoint = found[0];
    if (this.#endpoint) {
      this.#o.logger.info({ port: this.#endpoint.port, scheme: this.#endpoint.scheme, status: this.#endpoint.info.status, info: this.#endpoint.info.info, services: found.length }, 'RD service found');
    }
    return this.#endpoint;
  }

  /** Re-reads RDSERVICE (re-discovering if the service moved) and DEVICEINFO; updates health. */
  async refreshHealth(): Promise<RdHealth> {
    let ep = this.#endpoint ? await this.#probe(this.#endpoint.scheme, this.#endpoint.port) : undefined;
    if (!ep) ep = await this.discover();
    this.#endpoint = ep;
    let di: DeviceInfo | undefined;
    if (ep && ep.info.status !== 'NOTREADY' && ep.info.deviceInfoPath) {
      try {
        di = await this.#deviceInfo(ep);
      } catch (e) {
        this.#o.logger.warn({ code: isFingerprintError(e) || isRdServiceError(e) ? e.code : 'error' }, 'DEVICEINFO failed');
        return this.#setHealth({ state: 'NOTREADY', reason: 'DEVICEINFO failed' });
      }
    }
    return this.#setHealth(rdHealth(ep?.info, di));
  }

  async deviceInfo(): Promise<DeviceInfo> {
    return this.#deviceInfo(await this.#need());
  }

  async #deviceInfo(ep: RdEndpoint): Promise<DeviceInfo> {
    if (!ep.info.deviceInfoPath) throw new FingerprintError('RD_NOT_READY', 'The RD service has no DEVICEINFO interface');
    const res = await this.#req({ scheme: ep.scheme, port: ep.port, method: 'DEVICEINFO', path: ep.info.deviceInfoPath, timeoutMs: this.#o.requestTimeoutMs });
    if (res.status !== 200) throw new FingerprintError('RD_HTTP', 'The RD service refused DEVICEINFO', { context: { status: res.status } });
    try {
      return parseDeviceInfo(res.body);
    } catch (e) {
      throw new FingerprintError('RD_BAD_RESPONSE', 'The RD service sent an unreadable DeviceInfo', { cause: e, context: { code: isRdServiceError(e) ? e.code : 'error' } });
    }
  }

  async #need(): Promise<RdEndpoint> {
    const ep = this.#endpoint ?? (await this.discover());
    if (!ep) {
      this.#setHealth({ state: 'ABSENT', reason: 'no RD service found' });
      throw new FingerprintError('RD_NOT_FOUND', 'No RD service is running on this kiosk; start the fingerprint device driver');
    }
    return ep;
  }

  /**
   * One capture. Resolves with the parsed PidData (the block itself redacted when printed);
   * rejects with a FingerprintError whose code says what the operator can do: RD_BUSY (710),
   * RD_NOT_READY (720/740, or no CAPTURE interface), RD_CAPTURE (700/730/others, `errCode` in the
   * context with English and Hindi text), RD_TIMEOUT, RD_UNREACHABLE, RD_BAD_RESPONSE.
   */
  async capture(input: PidOptionsInput = {}): Promise<PidCapture> {
    // RD services serve one capture at a time; a second one would only earn a 710 from the driver.
    if (this.#capturing) throw new FingerprintError('RD_BUSY', 'A fingerprint capture is already in progress');
    this.#capturing = true;
    try {
      return await this.#capture(input);
    } finally {
      this.#capturing = false;
    }
  }

  async #capture(input: PidOptionsInput): Promise<PidCapture> {
    const body = buildPidOptions(input);
    const ep = await this.#need();
    if (!ep.info.capturePath) throw new FingerprintError('RD_NOT_READY', 'The RD service has no CAPTURE interface');
    const timeoutMs = (input.timeoutMs ?? 10_000) + this.#o.captureMarginMs;
    let res: { status: number; body: string };
    try {
      res = await this.#req({ scheme: ep.scheme, port: ep.port, method: 'CAPTURE', path: ep.info.capturePath, body, timeoutMs });
    } catch (e) {
      if (isFingerprintError(e, 'RD_UNREACHABLE')) {
        this.#endpoint = undefined; // the driver restarted or moved: discover again next time
        this.#setHealth({ state: 'ABSENT', reason: 'RD service stopped answering' });
      }
      throw e;
    }
    if (res.status !== 200) throw new FingerprintError('RD_HTTP', 'The RD service refused the capture', { context: { status: res.status } });
    try {
      const cap = parsePidData(res.body);
      this.#o.logger.info({ port: ep.port, qScore: cap.resp.qScore.join(','), nmPoints: cap.resp.nmPoints.join(','), bytes: cap.pid.sizes.xml, ci: cap.pid.ci }, 'fingerprint captured by RD service');
      if (this.#health.state !== 'READY' && this.#health.state !== 'USED') this.#setHealth({ state: 'READY' });
      return cap;
    } catch (e) {
      throw this.#captureError(e);
    }
  }

  #captureError(e: unknown): FingerprintError {
    if (isRdCaptureError(e)) {
      const context = { errCode: e.errCode, errInfo: e.errInfo, messageHi: e.text.hi };
      this.#o.logger.warn(context, 'RD capture failed');
      if (e.text.health) this.#setHealth({ state: e.text.health, reason: `RD error ${e.errCode}` });
      const code = e.errCode === '710' ? 'RD_BUSY' : e.text.health === 'NOTREADY' ? 'RD_NOT_READY' : 'RD_CAPTURE';
      return new FingerprintError(code, e.text.en, { context, cause: e });
    }
    const code = isRdServiceError(e) ? e.code : 'error';
    this.#o.logger.warn({ code }, 'RD service sent an unusable PidData');
    return new FingerprintError('RD_BAD_RESPONSE', 'The RD service sent an unreadable capture reply', { context: { code }, cause: e });
  }

  #setHealth(h: RdHealth): RdHealth {
    const prev = this.#health;
    this.#health = h;
    if (prev.state !== h.state || prev.reason !== h.reason) this.emit('health', { ...h }, prev);
    return h;
  }
}
