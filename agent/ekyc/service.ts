/**
 * e-KYC captures (issue 7): capture through the RD service, seal to central's key (DESIGN §6),
 * queue durably, expire, and apply central's results.
 *
 * A capture is one transaction: the capture row and its outbox row (the sealed envelope) commit
 * together, so a kill -9 leaves either both or neither. What reaches the database, the logs and
 * the errors is the capture id, states, codes and sizes: never the citizen reference, the PidData
 * or a key (reference rd-service-ekyc.md §2.6, reg 17(1)(c)).
 *
 * This file takes captures and owns the counters; the queue sweep is sweep.ts, applying central's
 * results is results.ts, and the API's view of a capture is capture-view.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../drivers/common/logger.js';
import { isFingerprintError } from '../../drivers/fingerprint/errors.js';
import { keyIdOf, parsePublicKey, seal, type Recipient } from '../../protocols/seal/seal.js';
import { CAPTURE_ENVELOPE_VERSION, type Modality, type SealedContent } from '../../protocols/telemetry/captures.js';
import { ApiError } from '../api/problem.js';
import type { ClockReading } from '../clock.js';
import type { Added, Outbox } from '../outbox/outbox.js';
import { OutboxFullError } from '../outbox/outbox.js';
import type { Queries, Store } from '../store/db.js';
import { view, type CaptureView } from './capture-view.js';
import type { EkycConfig } from './config.js';
import type { CaptureSource, ReceiptPrinter, RecordTransaction } from './hooks.js';
import { ekycProblems } from './problems.js';
import { applyCaptureResult, type ResultStatus } from './results.js';
import { countQueued, getByRequest, getCapture, markSent } from './store.js';
import { logSweep, sweepCaptures } from './sweep.js';

export { view, type CaptureView } from './capture-view.js';
export type { ResultStatus } from './results.js';

export interface CaptureRequest {
  samagraId: string;
  consent: true;
  modality: Modality;
  service: string;
  /** Client-chosen idempotency key: a retried POST returns the capture it already made. */
  requestId?: string;
  otp?: string;
  operator?: string;
}

export interface EkycServiceOptions {
  store: Store;
  outbox: Outbox;
  clock: { now(): ClockReading };
  link: { readonly state: string };
  kioskId: string;
  kioskName?: string;
  config: EkycConfig;
  rd: CaptureSource;
  recordTransaction?: RecordTransaction;
  /** The official rate and commission of a service (the rate list); e-KYC defaults to Rs 0 and Rs 18. */
  rateOf?: (service: string) => { officialPaise: number; commissionPaise: number } | undefined;
  printer?: ReceiptPrinter;
  logger: Logger;
  /** Called after the counts by state changed (the state snapshot has a captures section). */
  onChange?: () => void;
}

export class EkycService {
  readonly #o: EkycServiceOptions;
  readonly #to: Recipient;
  #turn: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> = Promise.resolve();
  readonly stats = { taken: 0, expired: 0, accepted: 0, rejected: 0, duplicate: 0 };
  /** Captures waiting to be sent, as of the last change or sweep (for the heartbeat summary). */
  queued = 0;

  constructor(o: EkycServiceOptions) {
    this.#o = o;
    const publicKey = parsePublicKey(o.config.central.publicKey);
    if (keyIdOf(publicKey) !== o.config.central.keyId) throw new Error('ekyc.central.keyId does not match ekyc.central.publicKey');
    this.#to = { publicKey, keyId: o.config.central.keyId };
  }

  /** Runs the first sweep (expiring what aged while the agent was down) and then one every sweepSec. */
  async start(): Promise<void> {
    await this.sweep();
    this.#timer = setInterval(() => void this.sweep().catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'capture sweep failed')), this.#o.config.sweepSec * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping.catch(() => undefined);
    await this.#turn.catch(() => undefined);
  }

  /** One capture at a time: the reader serves one finger, and the queue bound is checked in order. */
  take(req: CaptureRequest): Promise<CaptureView> {
    const next = this.#turn.then(() => this.#take(req));
    this.#turn = next.catch(() => undefined);
    return next;
  }

  async #take(req: CaptureRequest): Promise<CaptureView> {
    const o = this.#o;
    if (req.requestId) {
      const existing = await getByRequest(o.store, req.requestId);
      if (existing) return view(existing);
    }
    if (!o.config.services.includes(req.service)) throw ekycProblems.unknownService(o.config.services);
    if (req.modality === 'otp') {
      // An OTP is valid for minutes and needs the AUA online (reference §4): never queued offline.
      if (o.link.state !== 'up') throw ekycProblems.otpNeedsLink();
      if (!req.otp) throw ekycProblems.otpMissing();
    }
    // Refuse before asking the citizen for a finger, and again inside the transaction.
    if ((await countQueued(o.store)) >= o.config.maxQueued || o.outbox.overLimit) throw ekycProblems.queueFull();

    const consentAt = o.clock.now().ts;
    let pidData: string | undefined;
    if (req.modality === 'fingerprint') {
      try {
        const cap = await o.rd.capture({
          timeoutMs: o.config.rd.captureTimeoutMs,
          ...(o.config.rd.wadh ? { wadh: o.config.rd.wadh } : {}),
        });
        pidData = cap.pid.reveal().xml;
        o.logger.info({ qScore: cap.resp.qScore.join(','), bytes: cap.pid.sizes.xml }, 'fingerprint captured');
      } catch (err) {
        throw this.#captureProblem(err);
      }
    }
    const id = randomUUID();
    const now = o.clock.now();
    const content: SealedContent = {
      v: 1,
      citizenRef: `samagra:${req.samagraId}`,
      consent: { given: true, at: consentAt },
      ...(pidData !== undefined ? { pidData } : {}),
      ...(req.otp ? { otp: req.otp } : {}),
    };
    // The plaintext buffer is zeroed once sealed; JS strings cannot be, so none is kept beyond here.
    const plain = Buffer.from(JSON.stringify(content), 'utf8');
    const box = seal(plain, this.#to, { kioskId: o.kioskId, captureId: id, capturedAt: now.ts });
    plain.fill(0);
    const ttlSec = req.modality === 'otp' ? o.config.otpTtlSec : o.config.ttlSec;
    let added: Added;
    try {
      added = await o.store.transaction(async (tx) => {
        if ((await countQueued(tx)) >= o.config.maxQueued) throw new OutboxFullError(o.outbox.depth());
        const a = await o.outbox.add(tx, 'captures', {
          env: CAPTURE_ENVELOPE_VERSION,
          captureId: id,
          kiosk: o.kioskId,
          capturedAt: now.ts,
          modality: req.modality,
          service: req.service,
          seal: box,
        });
        await tx.run(
          `INSERT INTO captures (id, request_id, service, modality, state, created_ts, created_synced, ttl_sec, age_ms, age_boot, age_mono, outbox_id, operator, updated_ts)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
          [id, req.requestId ?? null, req.service, req.modality, now.ts, now.synced ? 1 : 0, ttlSec, now.boot, now.mono, a.id, req.operator ?? null, now.ts],
        );
        return a;
      });
    } catch (err) {
      if (err instanceof OutboxFullError) throw ekycProblems.queueFull();
      throw err;
    }
    o.outbox.committed(added);
    this.queued++;
    o.onChange?.();
    this.stats.taken++;
    o.logger.info({ captureId: id, service: req.service, modality: req.modality, bytes: added.delta.bytes }, 'capture sealed and queued');
    return view((await getCapture(o.store, id))!);
  }

  #captureProblem(err: unknown): ApiError {
    if (!isFingerprintError(err)) {
      this.#o.logger.error({ err: err instanceof Error ? err.name : 'error' }, 'capture failed');
      return ekycProblems.readerUnavailable('capture failed');
    }
    this.#o.logger.warn({ code: err.code, errCode: err.context['errCode'] ?? null }, 'fingerprint capture failed');
    switch (err.code) {
      case 'RD_BUSY':
        return ekycProblems.readerBusy();
      case 'RD_CAPTURE':
        return ekycProblems.captureFailed(err.message, String(err.context['messageHi'] ?? ''), String(err.context['errCode'] ?? ''));
      default:
        return ekycProblems.readerUnavailable(err.message);
    }
  }

  async get(id: string): Promise<CaptureView | undefined> {
    await markSent(this.#o.store, this.#o.clock.now().ts);
    const r = await getCapture(this.#o.store, id);
    return r ? view(r) : undefined;
  }

  /**
   * Marks delivered captures sent, expires those past their time to live (with `capture.expired`:
   * queued ones `unsent`, sent ones central has not answered `unanswered`), and sends again the
   * envelopes central has not answered within resendSec.
   */
  sweep(): Promise<{ sent: number; expired: number; resent: number }> {
    const run = this.#sweep();
    this.#sweeping = run.catch(() => undefined);
    return run;
  }

  async #sweep(): Promise<{ sent: number; expired: number; resent: number }> {
    const o = this.#o;
    const pass = await sweepCaptures(o);
    const expired = pass.expiredBy.unsent + pass.expiredBy.unanswered;
    this.queued = await countQueued(o.store);
    if (expired || pass.sent) o.onChange?.();
    this.stats.expired += expired;
    logSweep(o.logger, pass, o.config.resendSec);
    return { sent: pass.sent, expired, resent: pass.resent };
  }

  /**
   * A message on capture-results, in its own transaction. Idempotent: a result for a capture
   * already decided is ignored, so a redelivery applies nothing twice. The one decided state a
   * result still changes is `expired` with reason `unanswered`: the capture was sent and central
   * may have authenticated it, so its answer applies once (marked late) rather than being lost.
   */
  async onResult(payload: Buffer): Promise<ResultStatus> {
    const r = await this.#o.store.transaction((tx) => this.applyResult(tx, payload));
    await r.after();
    return r.status;
  }

  /**
   * Applies a result inside the caller's transaction: the link's inbox applies a batch of results
   * and deletes them from the inbox in one commit, so each is applied exactly once even across a
   * kill -9. `after` runs once that transaction is committed (accounting, receipt).
   */
  applyResult(tx: Queries, payload: Buffer): Promise<{ status: ResultStatus; after: () => Promise<void> }> {
    return applyCaptureResult(this.#o, tx, payload, (outcome, from) => {
      if (outcome === 'accepted' || outcome === 'rejected' || outcome === 'duplicate') this.stats[outcome]++;
      if (from === 'queued') this.queued = Math.max(0, this.queued - 1);
    });
  }

  /** Counts by state, for the state snapshot. */
  async summary(): Promise<Record<string, number>> {
    const rows = await this.#o.store.all<{ state: string; n: number }>('SELECT state, count(*) AS n FROM captures GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
