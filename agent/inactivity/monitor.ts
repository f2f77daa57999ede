/**
 * Runs the inactivity count (counter.ts) in the agent: at start, every `checkEverySec`, when the
 * clock's trust changes and after a transaction. Each check is one SQLite transaction that reads
 * the last successful transaction, advances the persisted count and writes any warning or breach
 * event with the flag that says it was sent, so across crashes and reboots each goes out once.
 */
import type { Clock } from '../clock.js';
import { recordEvent } from '../outbox/events.js';
import type { Added, Outbox } from '../outbox/outbox.js';
import type { Queries, Store } from '../store/db.js';
import { getKv, setKv } from '../store/kv.js';
import { readSetting } from '../ledger/settings.js';
import { istDate } from '../ledger/report.js';
import { advance, breachAt, crossings, daysOf, initialState, isEstimated, type InactivityState, type LastTxn, type Rules } from './counter.js';

export interface InactivitySettings {
  warnDays: number[];
  breachDays: number;
  penaltyPaise: number;
  checkEverySec: number;
}

export interface InactivitySection {
  [key: string]: unknown;
  days: number;
  breachDay: number;
  breachAtTs: number;
  breachOn: string;
  estimated: boolean;
  lastTxnTs?: number;
  warnDays: number[];
  penaltyPaise: number;
}

const KEY = 'inactivity';

async function lastTxn(q: Queries): Promise<LastTxn | undefined> {
  const row = await q.get<{ id: string; ts: number; mono: number; boot: string; synced: number }>(
    "SELECT id, ts, mono, boot, synced FROM ledger_txns WHERE status = 'success' ORDER BY rowid DESC LIMIT 1",
  );
  return row ? { id: row.id, ts: row.ts, mono: row.mono, boot: row.boot, synced: row.synced === 1 } : undefined;
}

export class InactivityMonitor {
  #state: InactivityState | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #lastDays = -1;

  constructor(
    private readonly store: Store,
    private readonly outbox: Outbox,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly settings: InactivitySettings,
    private readonly changed: () => void,
  ) {}

  async #rules(q: Queries): Promise<Rules> {
    return { warnDays: (await readSetting(q, 'inactivity.warnDays')) ?? this.settings.warnDays, breachDays: this.settings.breachDays };
  }

  /** Brings the count up to now; serialised, so overlapping triggers make consecutive checks. */
  check(): Promise<void> {
    this.#running = this.#running.then(() => this.#check());
    return this.#running;
  }

  async #check(): Promise<void> {
    const added: Added[] = [];
    const state = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      const raw = await getKv(tx, KEY);
      const prev = raw ? (JSON.parse(raw) as InactivityState) : initialState(now);
      const rules = await this.#rules(tx);
      const { state, due } = crossings(advance(prev, now, await lastTxn(tx)), rules);
      for (const c of due) {
        const estimated = isEstimated(state);
        if (c.kind === 'warning') {
          added.push(
            await recordEvent(tx, this.outbox, 'inactivity.warning', 'warning', {
              days: daysOf(state),
              breachDay: rules.breachDays,
              breachAtTs: breachAt(state, now, rules),
              estimated,
            }),
          );
        } else {
          added.push(
            await recordEvent(tx, this.outbox, 'inactivity.breach', 'critical', {
              days: daysOf(state),
              penaltyPaise: this.settings.penaltyPaise,
              count: c.count,
              estimated,
            }),
          );
        }
      }
      await setKv(tx, KEY, JSON.stringify(state));
      return state;
    });
    this.outbox.committed(...added);
    this.#state = state;
    const days = daysOf(state);
    if (days !== this.#lastDays || added.length) this.changed();
    this.#lastDays = days;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check().catch(() => undefined), this.settings.checkEverySec * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running.catch(() => undefined);
  }

  /** The `inactivity` section of the state snapshot and of GET /v1/wallet's neighbours. */
  async section(): Promise<InactivitySection> {
    const s = this.#state;
    const now = this.clock.now();
    const rules = await this.#rules(this.store);
    if (!s) return { days: 0, breachDay: rules.breachDays, breachAtTs: 0, breachOn: '', estimated: true, warnDays: rules.warnDays, penaltyPaise: this.settings.penaltyPaise };
    const at = breachAt(s, now, rules);
    return {
      days: daysOf(s),
      breachDay: rules.breachDays * (s.breaches + 1),
      breachAtTs: at,
      breachOn: istDate(at),
      estimated: isEstimated(s),
      ...(s.originTs !== undefined ? { lastTxnTs: s.originTs } : {}),
      warnDays: rules.warnDays,
      penaltyPaise: this.settings.penaltyPaise,
    };
  }

  get days(): number {
    return this.#state ? daysOf(this.#state) : 0;
  }
}
