/**
 * The technician's fingerprint endpoints of the local API (issue 4 §5). Only the agent may hold
 * the reader's serial port, so `kioskctl fingerprint …` comes through here:
 *   GET    /v1/fingerprint                   both readers' health, the R30x's occupied slots
 *   POST   /v1/fingerprint/enroll            two captures → a template stored in a slot (201)
 *   POST   /v1/fingerprint/identify          one capture → the matching slot and score, or none
 *   DELETE /v1/fingerprint/templates/:slot   deletes one stored template
 * Admin only: enrolment decides who can log in. Templates never leave the module; the answers
 * carry slots, scores and counts only.
 */
import { z } from 'zod';
import { DeviceHealth } from '../../protocols/telemetry/state.js';
import { route, type Role } from '../api/router.js';

const Slot = z.coerce.number().int().min(0).max(2999);
const Deadline = z.number().int().min(1000).max(60_000).optional().describe('How long to wait for a finger, ms (default: the configured captureDeadlineMs)');

export const R30xInfo = z.object({
  configured: z.boolean(),
  state: z.enum(['stopped', 'connecting', 'ready', 'disconnected', 'failed', 'disabled', 'absent']),
  path: z.string().optional(),
  params: z
    .object({
      systemId: z.number().int(),
      capacity: z.number().int(),
      securityLevel: z.number().int(),
      address: z.number().int(),
      packetSizeCode: z.number().int(),
      packetSize: z.number().int(),
      baudN: z.number().int(),
      baudRate: z.number().int(),
    })
    .optional()
    .describe('From ReadSysPara, once connected'),
  templateCount: z.number().int().optional(),
  slots: z.array(z.number().int()).optional().describe('Occupied slots, when the reader is ready'),
  lastError: z.object({ code: z.string(), message: z.string() }).optional(),
  reconnects: z.number().int().optional(),
});
export type R30xInfo = z.infer<typeof R30xInfo>;

export const FingerprintInfo = z.object({
  r30x: R30xInfo,
  rd: DeviceHealth.optional().describe('RD service health, when it is polled (devices.fingerprint.rd)'),
});
export type FingerprintInfo = z.infer<typeof FingerprintInfo>;

export const EnrollBody = z.strictObject({
  slot: Slot.optional().describe('Store in this slot (default: the first free one)'),
  deadlineMs: Deadline,
  allowDuplicate: z.boolean().optional().describe('Enrol a finger that already matches a stored template (default false)'),
});
export const IdentifyBody = z.strictObject({ deadlineMs: Deadline });

export const EnrollResult = z.object({ slot: z.number().int(), templateCount: z.number().int().optional() });
export const IdentifyResult = z.object({ matched: z.boolean(), slot: z.number().int().optional(), score: z.number().int().optional() });
export const DeleteResult = z.object({ slot: z.number().int(), deleted: z.literal(true), templateCount: z.number().int().optional() });

export interface FingerprintApi {
  info(): Promise<FingerprintInfo>;
  enroll(o: z.infer<typeof EnrollBody>): Promise<z.infer<typeof EnrollResult>>;
  identify(o: z.infer<typeof IdentifyBody>): Promise<z.infer<typeof IdentifyResult>>;
  remove(slot: number): Promise<z.infer<typeof DeleteResult>>;
}

export function fingerprintRoutes(api: FingerprintApi, role: Role = 'admin') {
  return [
    route({
      method: 'GET',
      path: '/v1/fingerprint',
      summary: 'Fingerprint readers: R30x module state, parameters, template count and occupied slots; RD service health',
      role,
      response: FingerprintInfo,
      handler: () => api.info(),
    }),
    route({
      method: 'POST',
      path: '/v1/fingerprint/enroll',
      summary: 'Enrol a finger on the R30x module (two captures, lift in between) into a free or given slot',
      role,
      body: EnrollBody,
      response: EnrollResult,
      status: 201,
      handler: ({ body }) => api.enroll(body),
    }),
    route({
      method: 'POST',
      path: '/v1/fingerprint/identify',
      summary: 'Identify a finger against the R30x module library (1:N): its slot and score, or matched false',
      role,
      body: IdentifyBody,
      response: IdentifyResult,
      handler: ({ body }) => api.identify(body),
    }),
    route({
      method: 'DELETE',
      path: '/v1/fingerprint/templates/:slot',
      summary: 'Delete the template stored in one slot of the R30x module',
      role,
      params: z.object({ slot: Slot }),
      response: DeleteResult,
      handler: ({ params }) => api.remove(params.slot),
    }),
  ];
}
