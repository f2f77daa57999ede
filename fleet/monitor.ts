/**
 * The missed-heartbeat check. Driven by an injected clock so tests step time instead of sleeping;
 * the store picks the overdue kiosks (an indexed query, so it stays cheap for a large fleet) and
 * each is re-decided atomically, so a heartbeat that lands meanwhile wins.
 */
import type { Clock } from './clock.js';
import { type Decision, onTick } from './liveness.js';
import type { Logger } from './log.js';
import { type FleetRepository, META_LISTENING_SINCE, META_MONITOR_TICK } from './store/repository.js';

/** Used for a kiosk heard only through heartbeats, before any birth told its interval. */
export const DEFAULT_HEARTBEAT_SEC = 60;

export interface MonitorOptions {
  repo: FleetRepository;
  clock: Clock;
  log: Logger;
  heartbeatMisses: number;
  checkEveryMs?: number;
  onLiveness?: (kioskId: string, decision: Decision) => void;
  /**
   * Since when the fleet has been hearing the broker without a break (undefined: it is not).
   * Missed-heartbeat windows start no earlier, and none closes while the fleet is deaf: a broker
   * outage on the central side must not show the whole fleet offline. Without it, the monitor
   * counts from its own start.
   */
  listeningSince?: () => number | undefined;
}

export class LivenessMonitor {
  private handle: unknown;
  private running: Promise<unknown> = Promise.resolve();
  /** When this monitor began listening: no heartbeat window starts earlier. */
  private startedAt = 0;
  private listeningWritten: string | undefined;

  constructor(private readonly opts: MonitorOptions) {}

  start(): void {
    if (this.handle !== undefined) return;
    this.startedAt = this.opts.clock.now();
    this.handle = this.opts.clock.setInterval(() => this.schedule(), this.opts.checkEveryMs ?? 1000);
    this.schedule();
  }

  /** Checks now, e.g. when the fleet starts or stops hearing the broker, so `status` says so at once. */
  poke(): void {
    if (this.handle !== undefined) this.schedule();
  }

  /** One check at a time: a slow store must not pile up overlapping checks. */
  private schedule(): void {
    this.running = this.running
      .then(() => this.check())
      .catch((err: unknown) => {
        this.opts.log.error({ err }, 'liveness check failed');
      });
  }

  async stop(): Promise<void> {
    if (this.handle !== undefined) this.opts.clock.clearInterval(this.handle);
    this.handle = undefined;
    await this.running;
  }

  /** Marks every overdue kiosk offline; returns their ids. */
  async check(): Promise<string[]> {
    const { repo, clock, heartbeatMisses: misses } = this.opts;
    const now = clock.now();
    const marked: string[] = [];
    const listening = this.opts.listeningSince ? this.opts.listeningSince() : this.startedAt;
    const listeningText = listening === undefined ? '' : String(listening);
    if (listeningText !== this.listeningWritten) {
      await repo.setMeta(META_LISTENING_SINCE, listeningText);
      this.listeningWritten = listeningText;
    }
    if (listening === undefined) {
      await repo.setMeta(META_MONITOR_TICK, String(now));
      return marked;
    }
    const notBefore = Math.max(this.startedAt, listening);
    for (const id of await repo.listOverdue(now, misses, DEFAULT_HEARTBEAT_SEC, notBefore)) {
      let decision: Decision | undefined;
      await repo.updateKiosk(id, (cur) => {
        if (!cur) return undefined;
        decision = onTick(cur, now, misses, DEFAULT_HEARTBEAT_SEC, notBefore);
        return decision.apply ? { ...cur, ...decision.next } : undefined;
      });
      if (decision?.apply) {
        marked.push(id);
        this.opts.log.info({ kiosk: id, liveness: 'offline', reason: 'missed-heartbeats', misses }, 'liveness');
        this.opts.onLiveness?.(id, decision);
      }
    }
    await repo.setMeta(META_MONITOR_TICK, String(now));
    return marked;
  }
}
