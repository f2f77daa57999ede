/**
 * The decision for one capture envelope, without MQTT (issue 7, DESIGN §6):
 *
 *   validate the envelope ─► kiosk in the envelope = kiosk of the topic? ─► open the seal with the
 *   private key (associated data: kiosk, capture id, time) ─► decided before? answer `duplicate`
 *   with the first outcome ─► authenticator ─► record the outcome ─► the result to publish
 *
 * A tampered envelope or one claiming another kiosk is rejected and reported (a warning with the
 * kiosk and capture id), and is not recorded: recording it under its capture id would let a forger
 * poison the id of a genuine capture. The opened content exists only in memory for the duration of
 * the call; nothing of it is logged, stored or put in an error.
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { keyIdOf, open, SealError } from '../../protocols/seal/seal.js';
import {
  CaptureEnvelope,
  CaptureId,
  CAPTURE_ENVELOPE_VERSION,
  decodeMessage,
  parseTopic,
  SealedContent,
  type CaptureResult,
} from '../../protocols/telemetry/index.js';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticator.js';
import type { OutcomeStore } from './outcomes.js';

export interface DeskStats {
  accepted: number;
  rejected: number;
  duplicate: number;
  tampered: number;
  invalid: number;
}

export interface Decision {
  /** The kiosk to answer (the topic's), or undefined when there is nobody to answer. */
  kioskId?: string;
  result?: CaptureResult;
}

export interface DeskOptions {
  privateKey: KeyObject;
  authenticator: Authenticator;
  outcomes: OutcomeStore;
  log: Logger;
  now?: () => number;
}

export class CaptureDesk {
  readonly keyId: string;
  readonly stats: DeskStats = { accepted: 0, rejected: 0, duplicate: 0, tampered: 0, invalid: 0 };
  readonly #now: () => number;

  constructor(private readonly o: DeskOptions) {
    this.keyId = keyIdOf(createPublicKey(o.privateKey));
    this.#now = o.now ?? Date.now;
  }

  #result(captureId: string, fields: Omit<CaptureResult, 'v' | 'ts' | 'captureId'>): CaptureResult {
    return { v: CAPTURE_ENVELOPE_VERSION, ts: this.#now(), captureId, ...fields };
  }

  async decide(topic: string, payload: Uint8Array): Promise<Decision> {
    const t = parseTopic(topic);
    if (!t || t.channel !== 'captures') return {};
    const decoded = decodeMessage(topic, payload);
    if (!decoded.ok) {
      this.stats.invalid++;
      this.o.log.warn({ kiosk: t.kioskId, error: decoded.error.slice(0, 160), bytes: payload.byteLength }, 'capture envelope outside the contract');
      const id = loneCaptureId(payload);
      return id ? { kioskId: t.kioskId, result: this.#result(id, { result: 'rejected', code: 'INVALID', reason: 'the envelope is not valid' }) } : {};
    }
    const env = decoded.message as CaptureEnvelope;
    const ctx = { kioskId: env.kiosk, captureId: env.captureId, capturedAt: env.capturedAt };
    if (env.kiosk !== t.kioskId) {
      this.stats.tampered++;
      this.o.log.warn({ kiosk: t.kioskId, claimed: env.kiosk, captureId: env.captureId }, 'capture claims another kiosk; rejected');
      return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'rejected', code: 'KIOSK_MISMATCH', reason: 'the capture names another kiosk' }) };
    }
    let plain: Buffer;
    try {
      plain = open(env.seal, this.o.privateKey, this.keyId, ctx);
    } catch (err) {
      const code = err instanceof SealError ? err.code : 'SEAL_AUTH';
      this.stats.tampered++;
      this.o.log.warn({ kiosk: t.kioskId, captureId: env.captureId, code }, 'capture envelope does not open; rejected');
      const reason = code === 'SEAL_KID' ? 'sealed to a key central does not hold' : 'the envelope was altered or sealed for another kiosk';
      return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'rejected', code, reason }) };
    }
    let content: SealedContent;
    try {
      const r = SealedContent.safeParse(JSON.parse(plain.toString('utf8')));
      if (!r.success) throw new Error('content');
      content = r.data;
    } catch {
      this.stats.invalid++;
      this.o.log.warn({ kiosk: t.kioskId, captureId: env.captureId }, 'sealed content outside the contract; rejected');
      return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'rejected', code: 'CONTENT', reason: 'the sealed content is not valid' }) };
    } finally {
      plain.fill(0);
    }

    const seen = await this.o.outcomes.get(env.captureId);
    if (seen) {
      if (seen.kioskId !== t.kioskId) {
        this.stats.tampered++;
        this.o.log.warn({ kiosk: t.kioskId, captureId: env.captureId }, 'capture id already used by another kiosk; rejected');
        return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'rejected', code: 'ID_CONFLICT', reason: 'the capture id is taken' }) };
      }
      this.stats.duplicate++;
      this.o.log.info({ kiosk: t.kioskId, captureId: env.captureId, original: seen.outcome }, 'capture resent; answered duplicate');
      return {
        kioskId: t.kioskId,
        result: this.#result(env.captureId, {
          result: 'duplicate',
          original: seen.outcome,
          ...(seen.code ? { code: seen.code } : {}),
          ...(seen.reason ? { reason: seen.reason } : {}),
          ...(seen.authRef ? { authRef: seen.authRef } : {}),
        }),
      };
    }
    const outcome = await this.o.authenticator.authenticate({
      kioskId: t.kioskId,
      captureId: env.captureId,
      service: env.service,
      modality: env.modality,
      capturedAt: env.capturedAt,
      citizenRef: content.citizenRef,
      ...(content.pidData !== undefined ? { pidData: content.pidData } : {}),
      ...(content.otp !== undefined ? { otp: content.otp } : {}),
    });
    const decidedAt = this.#now();
    if (outcome.ok) {
      await this.o.outcomes.put({ captureId: env.captureId, kioskId: t.kioskId, outcome: 'accepted', ...(outcome.authRef ? { authRef: outcome.authRef } : {}), decidedAt });
      this.stats.accepted++;
      this.o.log.info({ kiosk: t.kioskId, captureId: env.captureId, service: env.service }, 'capture accepted');
      return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'accepted', ...(outcome.authRef ? { authRef: outcome.authRef } : {}) }) };
    }
    await this.o.outcomes.put({ captureId: env.captureId, kioskId: t.kioskId, outcome: 'rejected', code: outcome.code, reason: outcome.reason, decidedAt });
    this.stats.rejected++;
    this.o.log.info({ kiosk: t.kioskId, captureId: env.captureId, code: outcome.code }, 'capture rejected by the authenticator');
    return { kioskId: t.kioskId, result: this.#result(env.captureId, { result: 'rejected', code: outcome.code, reason: outcome.reason }) };
  }
}

/** The capture id of an envelope that failed validation, if it has a well-formed one. */
function loneCaptureId(payload: Uint8Array): string | undefined {
  try {
    const id = (JSON.parse(Buffer.from(payload).toString('utf8')) as { captureId?: unknown }).captureId;
    return CaptureId.safeParse(id).success ? (id as string) : undefined;
  } catch {
    return undefined;
  }
}
