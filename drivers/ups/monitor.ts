/**
 * Polls a UPS source, feeds the power policy and publishes what it decides. The agent subscribes:
 * `reading` → state/heartbeat, `event` → outbox, `shutdown` → the shutdown sequence. Polls never
 * overlap (a slow read skips a tick rather than queueing reads behind it), and a failure is just an
 * input to the policy, which turns a long enough silence into `ups.comm_lost`.
 */
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../common/logger.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { errorCode } from './errors.js';
import { DEFAULT_POWER_POLICY, PowerPolicy, type PolicyEffect, type PolicyState, type PowerEvent, type PowerPolicyConfig, type ShutdownDecision } from './power-policy.js';
import type { UpsSource } from './source.js';
import { summary, type UpsState } from './state.js';

export interface UpsMonitorOptions {
  source: UpsSource;
  /** Poll period, ms. Default 2000 (NUT's own pollinterval). */
  pollIntervalMs?: number;
  policy?: Partial<PowerPolicyConfig>;
  clock?: Clock;
  logger?: Logger;
}

export interface UpsMonitorEvents {
  reading: [state: UpsState];
  event: [event: PowerEvent];
  shutdown: [decision: ShutdownDecision];
}

export interface UpsSnapshot {
  backend: UpsSource['backend'];
  comm: PolicyState['comm'];
  line: PolicyState['line'];
  lastError: string | null;
  state: UpsState | null;
  shutdown: ShutdownDecision | null;
  /** One line for the heartbeat, e.g. "ups:OB 62% 540s". */
  summary: string;
}

export class UpsMonitor extends EventEmitter<UpsMonitorEvents> {
  readonly source: UpsSource;
  readonly pollIntervalMs: number;
  readonly policy: PowerPolicy;
  #clock: Clock;
  #log: Logger;
  #timer: TimerHandle | undefined;
  #running = false;
  #busy = false;
  #failures = 0;
  /** Resolves when the poll in progress (if any) is done; lets tests and stop() wait for it. */
  #current: Promise<void> = Promise.resolve();

  constructor(opts: UpsMonitorOptions) {
    super();
    this.source = opts.source;
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
    this.#clock = opts.clock ?? systemClock;
    this.#log = (opts.logger ?? silentLogger).child({ ns: 'kiosk:driver:ups', backend: opts.source.backend });
    this.policy = new PowerPolicy({ ...DEFAULT_POWER_POLICY, ...opts.policy }, this.#clock.now());
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.source.start();
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    await this.#current;
    await this.source.stop();
  }

  get snapshot(): UpsSnapshot {
    const s = this.policy.state;
    return {
      backend: this.source.backend,
      comm: s.comm,
      line: s.line,
      lastError: s.lastError,
      state: s.last,
      shutdown: s.shutdown,
      summary: summary(s.last, s.comm === 'lost'),
    };
  }

  /** One poll now (the timer calls it; tests may too). */
  poll(): Promise<void> {
    if (this.#busy) {
      // A read that hangs must still let the silence count towards comm lost.
      this.#apply(this.policy.feed({ kind: 'tick', at: this.#clock.now() }));
      return this.#current;
    }
    this.#busy = true;
    this.#current = this.source.read().then(
      (state) => {
        if (this.#failures > 0) this.#log.info({ after: this.#failures }, 'UPS readings resumed');
        this.#failures = 0;
        // The policy sees the reading first, so a 'reading' listener finds the snapshot up to date;
        // the events it caused follow the reading.
        const fx = this.policy.feed({ kind: 'reading', at: state.at, ups: state });
        this.emit('reading', state);
        this.#apply(fx);
      },
      (err: unknown) => {
        const code = errorCode(err);
        // One warning per outage, then debug: a dead UPS link must not flood the journal.
        if (this.#failures++ === 0) this.#log.warn({ code, err: String(err) }, 'UPS read failed');
        else this.#log.debug({ code, failures: this.#failures }, 'UPS read failed');
        this.#apply(this.policy.feed({ kind: 'failure', at: this.#clock.now(), error: code }));
      },
    ).finally(() => {
      this.#busy = false;
    });
    return this.#current;
  }

  #tick(): void {
    if (!this.#running) return;
    void this.poll();
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.pollIntervalMs);
  }

  #apply(fx: PolicyEffect[]): void {
    for (const f of fx) {
      if (f.kind === 'event') {
        this.#log.info({ type: f.event.type, data: f.event.data }, 'power event');
        this.emit('event', f.event);
      } else {
        this.#log.error({ reason: f.decision.reason }, 'shutdown decided');
        this.emit('shutdown', f.decision);
      }
    }
  }
}
