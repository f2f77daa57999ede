/**
 * The power line as last reported to central, kept in the store's kv table so that it outlives the
 * agent: a kiosk that shut down on battery, or whose agent restarted during an outage, must not say
 * `power.lost` twice for one outage — and must say `power.restored` when it comes back on mains.
 * Written in the same transaction as the event that reports it (the pattern of recordEvent).
 */
import type { EventDataOf, Severity } from '../../protocols/telemetry/events.js';
import type { AgentContext } from '../context.js';
import { recordEvent } from '../outbox/events.js';
import type { Store } from '../store/db.js';
import { getKv, setKv } from '../store/kv.js';

const KEY = 'ups.power';

export type ReportedLine = 'battery' | 'mains';

interface Saved {
  line: ReportedLine;
  /** Wall-clock ms when the line began, only when the clock was trusted then. */
  since: number | null;
}

export class PowerMemory {
  /** True while the outage being reported began in an earlier run of the agent. */
  fromEarlierRun: boolean;

  private constructor(
    public line: ReportedLine | undefined,
    public since: number | null,
  ) {
    this.fromEarlierRun = line === 'battery';
  }

  static async load(store: Store): Promise<PowerMemory> {
    const raw = await getKv(store, KEY);
    if (raw === undefined) return new PowerMemory(undefined, null);
    try {
      const s = JSON.parse(raw) as Partial<Saved>;
      const line = s.line === 'battery' || s.line === 'mains' ? s.line : undefined;
      return new PowerMemory(line, typeof s.since === 'number' ? s.since : null);
    } catch {
      return new PowerMemory(undefined, null);
    }
  }

  /** Records the event and the line it reports in one transaction. */
  async record<T extends 'power.lost' | 'power.restored'>(ctx: Pick<AgentContext, 'store' | 'outbox' | 'clock'>, line: ReportedLine, type: T, severity: Severity, data: EventDataOf<T>): Promise<void> {
    const since = ctx.clock.info().synced ? Date.now() : null;
    const added = await ctx.store.transaction(async (tx) => {
      const a = await recordEvent(tx, ctx.outbox, type, severity, data);
      await setKv(tx, KEY, JSON.stringify({ line, since } satisfies Saved));
      return a;
    });
    ctx.outbox.committed(added);
    this.line = line;
    this.since = since;
    if (line === 'mains') this.fromEarlierRun = false;
  }
}
