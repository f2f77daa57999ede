/**
 * `kiosk/v1/<id>/captures` (up, QoS 1) and `kiosk/v1/<id>/capture-results` (down, QoS 1): sealed
 * e-KYC captures and central's answer to each (DESIGN §5, §6).
 *
 * In clear, an envelope carries only what routing, de-duplication and expiry need: the capture id
 * (a UUID, the idempotency key: a resend carries the same id and is answered `duplicate`), the
 * kiosk, the capture time, the modality and the service code. The citizen reference, the consent
 * record and the RD service's PidData are inside `seal` (protocols/seal), whose associated data
 * binds kiosk id, capture id and capture time.
 */
import { z } from 'zod';
import { SEAL_ALG, SEAL_VERSION } from '../seal/seal.js';
import { KioskId } from './ids.js';
import { Meta } from './meta.js';

export const CAPTURE_ENVELOPE_VERSION = 1;

export const CaptureId = z.uuid().describe('Capture id (UUID): the idempotency key of a capture, kept across resends');
export const Modality = z.enum(['fingerprint', 'otp']);
export type Modality = z.infer<typeof Modality>;
export const ServiceCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9_-]{1,31}$/, 'service code: upper-case letters, digits, _ or -, e.g. EKYC-SAMAGRA')
  .describe('Service code from the rate list');

const b64u = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url');

export const SealedBoxSchema = z
  .object({
    v: z.literal(SEAL_VERSION),
    alg: z.literal(SEAL_ALG),
    kid: z.string().min(1).max(64).describe("Id of central's key the capture is sealed to"),
    epk: b64u.describe('Ephemeral X25519 public key (32 bytes)'),
    iv: b64u.describe('AES-GCM IV (12 bytes)'),
    ct: b64u.max(200_000).describe('Ciphertext of the sealed content'),
    tag: b64u.describe('AES-GCM tag (16 bytes)'),
  })
  .meta({ id: 'SealedBox', title: 'Sealed box (X25519, HKDF-SHA256, AES-256-GCM)' });

export const CaptureEnvelope = Meta.extend({
  env: z.literal(CAPTURE_ENVELOPE_VERSION).describe('Envelope format version'),
  captureId: CaptureId,
  kiosk: KioskId.describe('The sealing kiosk; must equal the topic kiosk id and is bound in the associated data'),
  capturedAt: z.number().int().nonnegative().describe('Capture time, ms since the epoch; bound in the associated data'),
  modality: Modality,
  service: ServiceCode,
  seal: SealedBoxSchema,
}).meta({ id: 'CaptureEnvelope', title: 'Sealed e-KYC capture' });
export type CaptureEnvelope = z.infer<typeof CaptureEnvelope>;

/** What is inside the seal (JSON, UTF-8). Never logged, never written to disk by central. */
export const SealedContent = z.object({
  v: z.literal(1),
  citizenRef: z.string().min(1).max(64),
  consent: z.object({ given: z.literal(true), at: z.number().int() }),
  /** The RD service's PidData exactly as received (fingerprint), absent for OTP. */
  pidData: z.string().max(150_000).optional(),
  /** The one-time password the citizen read out (OTP modality). */
  otp: z.string().regex(/^\d{6}$/).optional(),
});
export type SealedContent = z.infer<typeof SealedContent>;

export const CaptureOutcome = z.enum(['accepted', 'rejected']);
export type CaptureOutcome = z.infer<typeof CaptureOutcome>;

export const CaptureResult = z
  .object({
    v: z.literal(CAPTURE_ENVELOPE_VERSION),
    ts: z.number().int().nonnegative().describe("Central's wall-clock time, ms"),
    captureId: CaptureId,
    result: z.enum(['accepted', 'rejected', 'duplicate']),
    original: CaptureOutcome.optional().describe('For a duplicate: the outcome of the first copy, which the kiosk applies if it missed it'),
    reason: z.string().max(200).optional().describe('Why a capture was rejected (operator-readable, English)'),
    code: z.string().max(32).optional().describe('Machine-readable reason, e.g. SEAL_AUTH, KIOSK_MISMATCH, AUTH_FAILED'),
    authRef: z.string().max(64).optional().describe('Reference of the authentication at the AUA/KUA, for the receipt'),
  })
  .meta({ id: 'CaptureResult', title: 'Result of a capture' });
export type CaptureResult = z.infer<typeof CaptureResult>;
