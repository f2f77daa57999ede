/**
 * The capture endpoints of the local API (issue 7):
 *   POST /v1/ekyc/captures      take a capture → its id and state (201)
 *   GET  /v1/ekyc/captures/:id  its state, and the reason when central rejected it
 * The request body is never logged (the server logs paths only); validation messages name the
 * field and its rule, never the value.
 */
import { z } from 'zod';
import { CaptureId, Modality, ServiceCode } from '../../protocols/telemetry/captures.js';
import { problems } from '../api/problem.js';
import { route, type Role } from '../api/router.js';
import type { CaptureView } from './capture-view.js';
import type { CaptureRequest } from './service.js';

/** MP Samagra member id: 9 digits (the 8-digit family id does not identify a person). */
export const SamagraId = z.string().regex(/^\d{9}$/, 'Samagra member ID: 9 digits');

export const CaptureBody = z
  .strictObject({
    samagraId: SamagraId,
    consent: z.literal(true, 'the citizen must consent to e-KYC (consent: true)'),
    modality: Modality,
    service: ServiceCode,
    otp: z.string().regex(/^\d{6}$/, '6 digits').optional(),
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, '8-64 letters, digits, _ or -')
      .optional()
      .describe('Idempotency key of the request: a retried POST returns the capture already taken'),
  })
  .refine((b) => b.modality === 'otp' || b.otp === undefined, { message: 'otp is only for the otp modality', path: ['otp'] });

export const CaptureViewSchema = z.object({
  id: CaptureId,
  state: z.enum(['queued', 'sent', 'accepted', 'rejected', 'duplicate', 'expired']),
  service: z.string(),
  modality: Modality,
  createdAt: z.number().int().describe('Capture time, ms since the epoch (kiosk wall clock)'),
  ageSec: z.number().int().describe('Age on the monotonic clock at the last check, s'),
  ttlSec: z.number().int(),
  code: z.string().optional(),
  reason: z
    .string()
    .optional()
    .describe('Why central rejected it; for an expired capture `unsent` (never sent in time) or `unanswered` (sent, no result from central in time)'),
  authRef: z.string().optional(),
  transactionRecorded: z.boolean(),
  receiptPrinted: z.boolean(),
  answeredLate: z.literal(true).optional().describe('Central answered after the capture had expired unanswered; the answer was applied'),
});

export interface CaptureApi {
  take(req: CaptureRequest): Promise<CaptureView>;
  get(id: string): Promise<CaptureView | undefined>;
}

export function captureRoutes(api: CaptureApi, role: Role = 'operator') {
  return [
    route({
      method: 'POST',
      path: '/v1/ekyc/captures',
      summary: 'Take an e-KYC capture (fingerprint through the RD service, or OTP when online), seal it and queue it for central',
      role,
      body: CaptureBody,
      response: CaptureViewSchema,
      status: 201,
      handler: ({ body, caller }) => api.take({ ...body, ...(caller ? { operator: caller.user } : {}) }),
    }),
    route({
      method: 'GET',
      path: '/v1/ekyc/captures/:id',
      summary: 'State of a capture: queued, sent, accepted, rejected (with the reason), duplicate or expired',
      role,
      params: z.object({ id: CaptureId }),
      response: CaptureViewSchema,
      handler: async ({ params }) => {
        const v = await api.get(params.id);
        if (!v) throw problems.notFound('capture');
        return v;
      },
    }),
  ];
}
