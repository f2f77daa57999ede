/**
 * `kiosk/v1/<id>/events` (QoS 1): typed events. The union is open: a known `type` must carry
 * the data its schema says, and an unknown but well-formed type is accepted with free-form
 * data, so a fleet that predates a newer agent still stores its events. Later capabilities
 * add their types to KNOWN_EVENTS.
 */
import { z } from 'zod';
import { Meta } from './meta.js';

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

const EventData = z.record(z.string(), z.unknown());
const PowerNumber = z.number().nonnegative().nullable();
const PowerCause = z
  .enum(['low_battery', 'runtime', 'charge', 'forced_shutdown', 'comm_lost_on_battery'])
  .describe('LB set; runtime or charge under the configured minimum; FSD; or the UPS went silent while on battery');

/** The event types this contract version defines, with their data. */
export const KNOWN_EVENTS = {
  'agent.start': z.object({
    version: z.string(),
    pid: z.number().int(),
    previousExit: z.enum(['clean', 'unclean', 'first']).describe('How the previous run ended'),
  }),
  'agent.stop': z.object({ reason: z.string().max(200) }),
  'config.rejected': z.object({ source: z.string(), error: z.string().max(500) }),
  'message.rejected': z.object({ topic: z.string(), error: z.string().max(500) }),
  'outbox.over_limit': z.object({ depth: z.number().int(), bytes: z.number().int() }),
  'clock.synced': z.object({ source: z.string(), stepMs: z.number().int() }),
  'sim.tick': z.object({ n: z.number().int().nonnegative() }).describe('Demo/test traffic from a simulated kiosk'),
  // UPS and power (issue 6): from drivers/ups' power policy; numbers are null when the UPS does not report them.
  'power.lost': z
    .object({ chargePct: PowerNumber, runtimeS: PowerNumber.describe('Runtime left, s'), inputVoltage: PowerNumber })
    .describe('Mains failed: the kiosk runs on its UPS battery (debounced; once per outage, also across an agent restart)'),
  'power.restored': z
    .object({
      onBatteryMs: z.number().int().nonnegative().nullable().describe('Time on battery; null when the outage spanned an agent restart'),
      chargePct: PowerNumber,
      acrossRestart: z.boolean().optional().describe('The outage began before this agent run (e.g. the kiosk shut down on battery)'),
    })
    .describe('Mains is back after a power.lost'),
  'battery.low': z
    .object({ reason: PowerCause, chargePct: PowerNumber, runtimeS: PowerNumber })
    .describe('The UPS battery is critical: the agent shuts the kiosk down (agent.shutting_down follows)'),
  'ups.comm_lost': z
    .object({
      lastSeenAgoMs: z.number().int().nonnegative().nullable(),
      error: z.string().max(200).nullable().describe('Driver error code, e.g. UPS_UNREACHABLE'),
      line: z.enum(['unknown', 'mains', 'battery']).describe('The power line as last known'),
    })
    .describe('No fresh data from the UPS (upsd down, cable pulled, unit silent) for the configured time'),
  'ups.comm_restored': z.object({ downMs: z.number().int().nonnegative() }).describe('The UPS answers again'),
  'agent.shutting_down': z
    .object({
      reason: z.literal('power'),
      cause: PowerCause,
      chargePct: PowerNumber,
      runtimeS: PowerNumber,
      command: z.array(z.string().max(200)).max(16).describe('The shutdown command (argv) the agent runs once its store is closed'),
      dryRun: z.boolean().describe('Test/demo mode: the command is recorded, not run'),
    })
    .describe('The agent is powering the kiosk off on low battery: last event before agent.stop and the offline status'),
  'wallet.below_minimum': z
    .object({ balancePaise: z.number().int(), minimumPaise: z.number().int().nonnegative() })
    .describe('The e-wallet fell below the required minimum (Rs 20,000 by default); sent once per crossing'),
  'inactivity.warning': z
    .object({
      days: z.number().int().nonnegative().describe('Days since the last successful transaction'),
      breachDay: z.number().int().positive(),
      breachAtTs: z.number().int().nonnegative().describe('Estimated wall-clock ms when the breach falls'),
      estimated: z.boolean().describe('Whether the count bridged a reboot without trusted time (a lower bound)'),
    })
    .describe('No transaction for a configured number of days (20, 25, 28, 29 by default); each sent once'),
  'inactivity.breach': z
    .object({
      days: z.number().int().nonnegative(),
      penaltyPaise: z.number().int().nonnegative().describe('The fine the state levies (Rs 1,000)'),
      count: z.number().int().positive().describe('1 for the first breach of this inactive spell, 2 after another full period, …'),
      estimated: z.boolean(),
    })
    .describe('No transaction for the breach period (30 days): the kiosk is fined'),
  'login.locked': z
    .object({ user: z.string().max(64), failures: z.number().int().positive(), lockoutSec: z.number().int().positive() })
    .describe('Repeated wrong PINs locked a login'),
  'capture.expired': z
    .object({
      captureId: z.uuid(),
      service: z.string(),
      ageSec: z.number().int().nonnegative(),
      ttlSec: z.number().int().positive(),
      // Optional so that events of agents before it still validate: those mean `unsent`.
      reason: z
        .enum(['unsent', 'unanswered'])
        .optional()
        .describe('unsent (the default when absent): never uploaded; unanswered: sent, but central gave no result within the time to live'),
    })
    .describe(
      'A sealed e-KYC capture outlived its time to live: its envelope is deleted (DESIGN §6). A result central gives later for an `unanswered` one is still applied',
    ),
  'capture.rejected': z
    .object({ captureId: z.uuid(), code: z.string().max(32), reason: z.string().max(200) })
    .describe('Central rejected an e-KYC capture; the reason is kept for the operator'),
  'reader.connected': z
    .object({
      reader: z.enum(['r30x', 'rd']).describe('r30x: the serial module operators log in with; rd: the UIDAI RD service for e-KYC'),
      detail: z.string().max(200).optional(),
    })
    .describe('A fingerprint reader became ready (at start, or again after it was gone or not ready); sent once per transition'),
  'reader.disconnected': z
    .object({
      reader: z.enum(['r30x', 'rd']),
      code: z.string().max(32).optional().describe('Driver error code, e.g. FP_DISCONNECTED'),
      detail: z.string().max(200).optional(),
    })
    .describe('A fingerprint reader that was there is gone (unplugged, RD service stopped); sent once, not on every retry'),
  'reader.not_ready': z
    .object({
      reader: z.enum(['r30x', 'rd']),
      status: z.string().max(32).describe('RD: NOTREADY or USED; r30x: failed (e.g. refused password)'),
      detail: z.string().max(200).optional(),
    })
    .describe('A fingerprint reader answers but cannot capture; sent once per transition'),
  // Receipt printer (issue 5): from drivers/printer/events.ts, on edges only (never one per status poll).
  'printer.connected': z
    .object({ statusSupported: z.boolean().describe('false on printers that never answer status queries (cheap USB units)') })
    .describe('The receipt printer link is open (at start, or again after it was lost)'),
  'printer.disconnected': z.object({}).describe('The receipt printer link was lost; the agent reconnects with backoff'),
  'printer.paper_out': z.object({ paper: z.literal('out') }).describe('The paper roll ran out: receipts wait in the queue until paper is loaded'),
  'printer.paper_near_end': z.object({ paper: z.literal('near_end') }).describe('The paper roll is nearly used up'),
  'printer.paper_ok': z
    .object({ paper: z.enum(['ok', 'near_end']) })
    .describe('Paper loaded again after printer.paper_out or printer.paper_near_end (near_end: a nearly used roll was put back)'),
  'printer.cover_open': z.object({}).describe('The printer cover is open: nothing prints'),
  'printer.cover_closed': z.object({}).describe('The printer cover was closed again'),
  'printer.offline': z.object({}).describe('The printer reports itself offline for a reason other than paper or cover'),
  'printer.online': z.object({}).describe('The printer is online again'),
  'printer.error': z
    .object({ cause: z.enum(['cutter', 'unrecoverable', 'mechanical', 'head_overheat']) })
    .describe('The printer reports an error condition'),
  'printer.error_cleared': z.object({ cause: z.enum(['cutter', 'unrecoverable', 'mechanical', 'head_overheat']) }).describe('A printer error condition cleared'),
  'printer.job_uncertain': z
    .object({ jobId: z.string().max(64), key: z.string().max(64).describe('Receipt number'), error: z.string().max(500) })
    .describe('A receipt may or may not be on paper (link lost mid-job, or the agent stopped while printing): shown to the operator, who confirms it or reprints it marked DUPLICATE'),
  'printer.job_failed': z
    .object({ jobId: z.string().max(64), key: z.string().max(64), error: z.string().max(500) })
    .describe('A receipt could not be rendered; nothing was sent to the printer'),
} as const satisfies Record<string, z.ZodType>;

export type KnownEventType = keyof typeof KNOWN_EVENTS;
export type EventDataOf<T extends KnownEventType> = z.infer<(typeof KNOWN_EVENTS)[T]>;

const knownTypes = new Set<string>(Object.keys(KNOWN_EVENTS));

const base = Meta.extend({ severity: Severity });

const known = Object.entries(KNOWN_EVENTS).map(([type, data]) =>
  base.extend({ type: z.literal(type), data }).meta({ id: `Event_${type.replace(/\./g, '_')}`, title: type }),
);

const unknownEvent = base
  .extend({
    type: z
      .string()
      .max(64)
      .regex(EVENT_TYPE_PATTERN, 'event type: dotted lower-case, e.g. power.lost')
      .refine((t) => !knownTypes.has(t), 'known event type with data that does not match its schema'),
    data: EventData,
  })
  .meta({ id: 'Event_other', title: 'Event of a type newer than this contract' });

export const EventMessage = z
  .union([...known, unknownEvent] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  .meta({ id: 'EventMessage', title: 'Event' }) as unknown as z.ZodType<EventMessage>;

export interface EventMessage extends Meta {
  type: string;
  severity: Severity;
  data: Record<string, unknown>;
}

export function isKnownEventType(type: string): type is KnownEventType {
  return knownTypes.has(type);
}
