/**
 * `kiosk/v1/<id>/jobs` (down, QoS 1) and `kiosk/v1/<id>/job-status` (up, QoS 1): commands from
 * central as jobs with an id, a type, parameters and an expiry, each answered with statuses
 * (reference/fleet-telemetry.md §0.4: a persisted job with an expiry and a terminal status).
 *
 * The job id is the idempotency key: a kiosk runs a job once, however often the broker delivers
 * it, and answers a second copy `rejected` with code `duplicate` and the first outcome.
 */
import { z } from 'zod';
import { CONTRACT_VERSION, Meta } from './meta.js';

export const JobId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'job id: letters, digits and . _ : - (max 64)');
const Paise = z.number().int();

/** The job types this contract version defines, with their parameters. */
export const JOB_PARAMS = {
  'wallet.credit': z
    .strictObject({
      amountPaise: Paise.positive().max(100_000_000_00).describe('Integer paise to add to the e-wallet'),
      reference: z.string().min(1).max(64).optional().describe("Central's payment reference"),
    })
    .describe('Adds money to the e-wallet, once per job id'),
  'wallet.sync': z
    .strictObject({
      balancePaise: Paise.describe("Central's authoritative balance, integer paise"),
      asOfTs: z.number().int().nonnegative().optional().describe("Central's time of that balance, ms"),
    })
    .describe("Sets the e-wallet to central's balance; the difference is recorded as an adjustment"),
  'print.test': z.strictObject({}).describe('Prints a test page on the receipt printer'),
  diagnostics: z.strictObject({}).describe('Answers with a health snapshot in the status `result`'),
  'config.set': z
    .strictObject({ key: z.string().min(1).max(64), value: z.unknown() })
    .describe('Sets one setting from the allow-list (wallet.minimumPaise, inactivity.warnDays, telemetry.stateDebounceMs…); validated like the file'),
  'state.republish': z.strictObject({}).describe('Sends a fresh state snapshot now'),
} as const satisfies Record<string, z.ZodType>;
export type JobType = keyof typeof JOB_PARAMS;
export const JOB_TYPES = Object.keys(JOB_PARAMS) as JobType[];

/** The envelope every job shares; `params` is checked against JOB_PARAMS[type] afterwards. */
export const JobEnvelope = z.object({
  v: z.literal(CONTRACT_VERSION),
  ts: z.number().int().nonnegative().describe("Central's wall-clock time when it sent the job, ms"),
  id: JobId,
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  expiresTs: z.number().int().nonnegative().describe('Wall-clock ms after which the job must not run'),
});
export type JobEnvelope = z.infer<typeof JobEnvelope>;

const known = Object.entries(JOB_PARAMS).map(([type, params]) =>
  JobEnvelope.extend({ type: z.literal(type), params }).meta({ id: `Job_${type.replace(/\./g, '_')}`, title: type }),
);

export const JobMessage = z
  .union(known as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  .meta({ id: 'JobMessage', title: 'Job' }) as unknown as z.ZodType<JobEnvelope>;

export const JobState = z.enum(['accepted', 'succeeded', 'failed', 'rejected', 'expired']);
export type JobState = z.infer<typeof JobState>;

export const JobStatusMessage = Meta.extend({
  jobId: z.string().min(1).max(64).describe('The id of the job (as received, possibly not a valid one)'),
  type: z.string().max(64),
  status: JobState.describe('accepted: will run; succeeded/failed: ran; rejected: refused; expired: arrived too late'),
  code: z
    .enum(['unknown-type', 'invalid', 'duplicate', 'expired', 'not-allowed', 'error'])
    .optional()
    .describe('Why a job was rejected or failed'),
  reason: z.string().max(300).optional().describe('Operator-readable English'),
  previous: JobState.optional().describe('For a duplicate: the status of the first copy'),
  result: z.record(z.string(), z.unknown()).optional().describe('What the job produced (a diagnostics snapshot, the new balance)'),
}).meta({ id: 'JobStatusMessage', title: 'Job status' });
export type JobStatusMessage = z.infer<typeof JobStatusMessage>;
