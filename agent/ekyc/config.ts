/**
 * The `ekyc` section of the agent configuration (issue 7). Absent: the kiosk takes no e-KYC
 * captures. Central's public key and its key id are pinned here (DESIGN §6); the key id must be
 * the one derived from the key, so a mis-pasted key is caught at start-up, not at central.
 */
import { z } from 'zod';
import { keyIdOf, parsePublicKey } from '../../protocols/seal/seal.js';
import { ServiceCode } from '../../protocols/telemetry/captures.js';

export const EkycConfig = z
  .strictObject({
    central: z
      .strictObject({
        publicKey: z.string().min(40).describe("Central's X25519 capture key: base64 of the 32 raw bytes, or PEM"),
        keyId: z.string().min(1).max(64).describe('Its key id (x25519:<16 hex>), pinned beside it'),
      })
      .superRefine((c, ctx) => {
        try {
          const id = keyIdOf(parsePublicKey(c.publicKey));
          if (id !== c.keyId) ctx.addIssue({ code: 'custom', path: ['keyId'], message: `does not match the public key (its id is ${id})` });
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['publicKey'], message: (err as Error).message });
        }
      }),
    ttlSec: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(6 * 3600)
      .describe('Time to live of a sealed capture, s (default 21600 = 6 h): older ones are deleted and expire, unsent or unanswered by central'),
    otpTtlSec: z.number().int().min(30).max(3600).default(300).describe('Time to live of an OTP capture, s (default 300)'),
    maxQueued: z.number().int().min(1).max(100_000).default(2_000).describe('Captures held unsent at most (default 2000); more are refused'),
    sweepSec: z.number().int().min(1).max(3600).default(30).describe('How often expiry and delivery are checked, s (default 30)'),
    resendSec: z
      .number()
      .int()
      .min(2)
      .max(86_400)
      .default(120)
      .describe("How long a capture the broker acknowledged waits for central's answer before it is sent again, s (default 120; the wait doubles with each resend, to at most 32 times this)"),
    services: z
      .array(ServiceCode)
      .min(1)
      .default(['EKYC'])
      .describe('Service codes an e-KYC capture may be taken for; each must be on the rate list (ledger.rates), free to the citizen'),
    apiRole: z
      .enum(['operator', 'public'])
      .default('operator')
      .describe('Who may call the capture endpoints: operator (default, needs the PIN login) or public (socket group only)'),
    rd: z
      .strictObject({
        ports: z.array(z.number().int().min(1).max(65535)).optional().describe('RD-service ports to probe (default 11100-11120)'),
        captureTimeoutMs: z.number().int().min(1000).max(99_999).default(20_000).describe('PidOptions capture timeout, ms (default 20000)'),
        wadh: z.string().length(44).optional().describe('wadh from the KUA for e-KYC (base64 SHA-256)'),
        trustAnyLoopbackCert: z.boolean().default(false),
      })
      .default({ captureTimeoutMs: 20_000, trustAnyLoopbackCert: false }),
  })
  .describe('e-KYC captures: sealing key of central, time to live, queue bound, RD service');

export type EkycConfig = z.infer<typeof EkycConfig>;
