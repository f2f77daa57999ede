/**
 * The MQTT contract between a kiosk and central (DESIGN §5): topics, payload schemas and a
 * single validator that the fleet runs on every message it receives.
 */
import type { z } from 'zod';
import { CaptureEnvelope, CaptureResult } from './captures.js';
import { EventMessage } from './events.js';
import { HeartbeatMessage } from './heartbeat.js';
import { JobMessage, JobStatusMessage } from './jobs.js';
import { TransactionMessage } from './ledger.js';
import { StateMessage } from './state.js';
import { StatusMessage } from './status.js';
import { type Channel, parseTopic, type ParsedTopic } from './topics.js';

export * from './captures.js';
export * from './events.js';
export * from './heartbeat.js';
export * from './ids.js';
export * from './jobs.js';
export * from './ledger.js';
export * from './meta.js';
export * from './state.js';
export * from './status.js';
export * from './topics.js';

/** The schema of each channel that this contract version defines. */
export const CHANNEL_SCHEMAS: Partial<Record<Channel, z.ZodType>> = {
  status: StatusMessage,
  heartbeat: HeartbeatMessage,
  state: StateMessage,
  events: EventMessage,
  transactions: TransactionMessage,
  jobs: JobMessage,
  'job-status': JobStatusMessage,
  captures: CaptureEnvelope,
  'capture-results': CaptureResult,
};

export type Decoded =
  | { ok: true; topic: ParsedTopic; message: unknown }
  | { ok: false; topic?: ParsedTopic; error: string };

/** Upper bound on a payload: anything larger is refused before JSON parsing. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * Decodes and validates one message. Never throws: a message outside the contract comes back
 * with a one-line error naming the offending path, for the receiver to count and log.
 */
export function decodeMessage(topic: string, payload: Uint8Array): Decoded {
  const parsed = parseTopic(topic);
  if (!parsed) return { ok: false, error: `topic outside the contract: ${topic.slice(0, 120)}` };
  const schema = CHANNEL_SCHEMAS[parsed.channel];
  if (!schema) return { ok: false, topic: parsed, error: `no schema for channel ${parsed.channel}` };
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, topic: parsed, error: `payload of ${payload.byteLength} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(payload));
  } catch (err) {
    // JSON.parse quotes the offending input: keep control bytes of a binary payload out of logs.
    // eslint-disable-next-line no-control-regex -- matching control bytes is the point
    const why = (err as Error).message.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 160);
    return { ok: false, topic: parsed, error: `not JSON: ${why}` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first && first.path.length ? first.path.join('.') : '(root)';
    return { ok: false, topic: parsed, error: `schema: ${where}: ${first?.message ?? 'invalid'}` };
  }
  return { ok: true, topic: parsed, message: result.data };
}
