/**
 * Periodic and on-change telemetry: the heartbeat every `heartbeatSec`, and the retained
 * `state` snapshot at start and whenever something in it changes (debounced, so a burst of
 * device changes becomes one message on the metered link).
 */
import type { Logger } from '../../drivers/common/logger.js';
import type { HeartbeatMessage } from '../../protocols/telemetry/heartbeat.js';
import type { StateMessage } from '../../protocols/telemetry/state.js';
import type { DeviceRegistry } from '../devices/registry.js';
import type { Outbox } from '../outbox/outbox.js';

type Body<T> = Omit<T, 'v' | 'ts' | 'mono' | 'boot' | 'synced' | 'seq'>;

export interface ClockInfo {
  info(): StateMessage['clock'];
}

export interface ReporterOptions {
  outbox: Outbox;
  devices: DeviceRegistry;
  clock: ClockInfo;
  logger: Logger;
  heartbeatSec: number;
  version: string;
  configHash: string;
  startedAt: number;
  /** Debounce of state snapshots, ms. */
  stateDebounceMs?: number;
}

/** A section of the state snapshot contributed by a capability (wallet, inactivity, …). */
export type StateSection = () => Record<string, unknown> | Promise<Record<string, unknown>>;

export class Reporter {
  #sections = new Map<string, StateSection>();
  #summaries: (() => string | undefined)[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #stateTimer: NodeJS.Timeout | undefined;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ReporterOptions) {}

  /**
   * Adds a named section to every state snapshot. A capability calls `stateChanged()` when
   * what its section shows has changed.
   */
  addStateSection(name: string, section: StateSection): void {
    if (['agent', 'config', 'clock', 'queue', 'devices'].includes(name) || this.#sections.has(name)) {
      throw new Error(`state section ${name} is taken`);
    }
    this.#sections.set(name, section);
  }

  /** Adds a short fragment (e.g. "wallet:low") to the heartbeat's one-line summary. */
  addSummary(fragment: () => string | undefined): void {
    this.#summaries.push(fragment);
  }

  start(): void {
    this.#heartbeat = setInterval(() => this.#run(() => this.heartbeat()), this.o.heartbeatSec * 1000);
    this.#heartbeat.unref();
    this.#run(() => this.state());
  }

  /** Schedules a state snapshot soon; several calls within the debounce window make one. */
  stateChanged(): void {
    if (this.#stateTimer) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      this.#run(() => this.state());
    }, this.o.stateDebounceMs ?? 2000);
    this.#stateTimer.unref();
  }

  #run(task: () => Promise<unknown>): void {
    this.#pending = this.#pending
      .then(task)
      .catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'telemetry not queued'));
  }

  async heartbeat(): Promise<void> {
    const body: Body<HeartbeatMessage> = {
      up: Math.round(process.uptime()),
      q: this.o.outbox.depth().rows,
      sum: [this.o.devices.summary(), ...this.#summaries.map((f) => f())].filter(Boolean).join(' ').slice(0, 160),
    };
    await this.o.outbox.publish('heartbeat', body);
  }

  async state(): Promise<void> {
    const depth = this.o.outbox.depth();
    const oldestTs = await this.o.outbox.oldestTs();
    const body: Body<StateMessage> = {
      agent: { version: this.o.version, startedAt: this.o.startedAt },
      config: { version: this.o.configHash },
      clock: this.o.clock.info(),
      queue: { depth: depth.rows, bytes: depth.bytes, ...(oldestTs !== undefined ? { oldestTs } : {}) },
      devices: this.o.devices.snapshot(),
    };
    const extra: Record<string, unknown> = {};
    for (const [name, section] of this.#sections) extra[name] = await section();
    await this.o.outbox.publish('state', { ...body, ...extra });
  }

  /** Stops the timers and waits for what they already started. */
  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#stateTimer) clearTimeout(this.#stateTimer);
    this.#heartbeat = this.#stateTimer = undefined;
    await this.#pending;
  }
}
