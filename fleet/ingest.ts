/**
 * Ingest: every message under kiosk/v1/+/+ is validated against the contract and then applied
 * to the store, one kiosk's messages strictly in order. A message outside the contract is
 * counted (per kiosk and in total, persisted), logged with its kiosk id — rate-limited per kiosk,
 * so one broken agent cannot flood the log — and dropped. Nothing a kiosk sends can crash this.
 */
import {
  CHANNEL_FLAGS,
  CHANNEL_SCHEMAS,
  decodeMessage,
  type EventMessage,
  type HeartbeatMessage,
  isKioskId,
  type JobStatusMessage,
  parseTopic,
  type StateMessage,
  type StatusMessage,
  type TransactionMessage,
} from '../protocols/telemetry/index.js';
import type { Clock } from './clock.js';
import { type Decision, type LivenessView, onHeartbeat, onStatus, UNKNOWN } from './liveness.js';
import type { Logger } from './log.js';
import { KeyedQueue, RateLimiter } from './queue.js';
import { emptyKiosk, type FleetRepository, type KioskRecord } from './store/repository.js';
import type { SeqMark } from './store/operations.js';

export type IngestResult =
  | 'stored' // taken and applied
  | 'duplicate' // valid, but stale or already stored (redelivery, replayed retained message)
  | 'invalid' // outside the contract: counted and dropped
  | 'ignored'; // not ours to handle: downward channels, channels without a schema yet, retained-clear

export interface IngestOptions {
  repo: FleetRepository;
  log: Logger;
  clock: Clock;
  /** Minimum gap between two invalid-message log lines for the same kiosk. */
  invalidLogIntervalMs?: number;
  /** Called after each liveness change, e.g. to log or to push to a dashboard. */
  onLiveness?: (kioskId: string, decision: Decision) => void;
  /**
   * Called when a kiosk's channel skipped sequence numbers (messages lost between the kiosk and
   * the fleet), e.g. to ask it for a fresh state snapshot.
   */
  onGap?: (kioskId: string, channel: string, gap: number, seq: number) => void;
  /**
   * How long an apparent gap waits for its stragglers before `onGap` hears of it (Sparkplug's
   * reorder timeout, reference/fleet-telemetry.md §0.3). With several fleet instances on one
   * shared subscription a kiosk's messages overtake each other, so most apparent gaps close by
   * themselves within moments. 0 (the default): at once.
   */
  gapGraceMs?: number;
  /** Called after a message changed what the fleet knows of a kiosk (alerts, live dashboard). */
  onChange?: (kioskId: string, channel: string) => void;
}

export interface IngestStats {
  stored: number;
  duplicate: number;
  invalid: number;
  ignored: number;
  failed: number;
}

function view(k: KioskRecord | undefined): LivenessView {
  if (!k) return UNKNOWN;
  const { liveness, reason, session, livenessSince, heartbeatSec, lastBeatAt } = k;
  return { liveness, reason, session, livenessSince, heartbeatSec, lastBeatAt };
}

/** A message newer than the one stored: higher seq, or from another boot (seq may restart after re-provisioning). */
function newer(msg: { seq: number; boot: string }, stored: { seq: number; boot: string } | null): boolean {
  return !stored || msg.seq > stored.seq || msg.boot !== stored.boot;
}

interface PendingGap {
  kioskId: string;
  channel: string;
  gap: number;
  seq: number;
  /** Holes open on the channel right after this gap was noted. */
  missed: number;
  due: number;
}

export class Ingestor {
  readonly stats: IngestStats = { stored: 0, duplicate: 0, invalid: 0, ignored: 0, failed: 0 };
  private readonly queue = new KeyedQueue();
  private readonly limiter: RateLimiter;
  private pendingGaps: PendingGap[] = [];
  private gapTimer: unknown;
  private gapCheck: Promise<void> = Promise.resolve();

  constructor(private readonly opts: IngestOptions) {
    this.limiter = new RateLimiter(opts.invalidLogIntervalMs ?? 60_000, () => opts.clock.now());
  }

  /**
   * Takes one message. Resolves once it is stored (so the caller may acknowledge it); rejects only
   * when the store itself fails, never because of what the message contains.
   */
  handle(topic: string, payload: Uint8Array): Promise<IngestResult> {
    const segment = topic.split('/')[2] ?? '';
    const key = isKioskId(segment) ? segment : '';
    return this.queue.run(key, async () => {
      const result = await this.process(topic, payload);
      this.stats[result]++;
      return result;
    }).catch((err: unknown) => {
      this.stats.failed++;
      throw err;
    });
  }

  /** Resolves when everything handed in so far has been processed. */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.gapCheck;
  }

  /** Stops waiting on apparent gaps (those still waiting are not reported). */
  close(): void {
    if (this.gapTimer !== undefined) this.opts.clock.clearInterval(this.gapTimer);
    this.gapTimer = undefined;
    this.pendingGaps = [];
  }

  private gapSeen(g: Omit<PendingGap, 'due'>): void {
    const grace = this.opts.gapGraceMs ?? 0;
    if (grace <= 0) {
      this.opts.onGap?.(g.kioskId, g.channel, g.gap, g.seq);
      return;
    }
    this.pendingGaps.push({ ...g, due: this.opts.clock.now() + grace });
    this.gapTimer ??= this.opts.clock.setInterval(() => {
      this.gapCheck = this.gapCheck.then(() => this.checkGaps()).catch((err: unknown) => this.opts.log.error({ err }, 'gap check failed'));
    }, Math.min(grace, 1000));
  }

  /** Reports each due gap whose holes stragglers have not all filled. */
  private async checkGaps(): Promise<void> {
    const now = this.opts.clock.now();
    const due = this.pendingGaps.filter((g) => g.due <= now);
    this.pendingGaps = this.pendingGaps.filter((g) => g.due > now);
    if (this.pendingGaps.length === 0 && this.gapTimer !== undefined) {
      this.opts.clock.clearInterval(this.gapTimer);
      this.gapTimer = undefined;
    }
    for (const g of due) {
      const { missed } = await this.opts.repo.seqGaps(g.kioskId, g.channel);
      if (missed > g.missed - g.gap) {
        this.opts.log.warn({ kiosk: g.kioskId, channel: g.channel, seq: g.seq, missing: g.gap, openHoles: missed }, 'sequence gap still open');
        this.opts.onGap?.(g.kioskId, g.channel, g.gap, g.seq);
      } else {
        this.opts.log.debug({ kiosk: g.kioskId, channel: g.channel, seq: g.seq }, 'sequence gap closed by late messages');
      }
    }
  }

  private async process(topic: string, payload: Uint8Array): Promise<IngestResult> {
    const now = this.opts.clock.now();
    const parsed = parseTopic(topic);
    if (parsed && (parsed.direction === 'down' || !CHANNEL_SCHEMAS[parsed.channel])) {
      this.opts.log.trace({ topic }, 'not a channel the monitor reads');
      return 'ignored';
    }
    // An empty payload is how MQTT clears a retained message (decommissioning a kiosk); on a
    // channel that is not retained it is just an invalid message.
    if (parsed && payload.byteLength === 0 && CHANNEL_FLAGS[parsed.channel].retain) {
      this.opts.log.info({ kiosk: parsed.kioskId, channel: parsed.channel }, 'retained message cleared');
      return 'ignored';
    }
    const decoded = decodeMessage(topic, payload);
    if (!decoded.ok) {
      const segment = topic.split('/')[2] ?? '';
      const kioskId = decoded.topic?.kioskId ?? (isKioskId(segment) ? segment : undefined);
      await this.opts.repo.countInvalid(kioskId, decoded.error, now);
      const gate = this.limiter.take(kioskId ?? '(no kiosk)');
      if (gate.pass) {
        this.opts.log.warn(
          { kiosk: kioskId ?? null, topic: topic.slice(0, 200), error: decoded.error, bytes: payload.byteLength, suppressedSinceLast: gate.suppressed },
          'invalid message dropped',
        );
      }
      return 'invalid';
    }
    const { kioskId, channel } = decoded.topic;
    const result = await this.apply(kioskId, channel, decoded.message, now);
    if (result === 'stored') {
      // Events, transactions and job-status go through the kiosk's outbox and must all arrive, so
      // a hole in their seq is a lost record (state is coalesced, status follows the session).
      // Events and transactions note their seq in the transaction that stores them; job-status
      // has no row of its own to store it with.
      if (channel === 'job-status') {
        const seq = (decoded.message as JobStatusMessage).seq;
        this.seqMarked(kioskId, channel, seq, await this.opts.repo.noteSeq(kioskId, channel, seq));
      }
      this.opts.onChange?.(kioskId, channel);
    }
    return result;
  }

  private seqMarked(kioskId: string, channel: string, seq: number, mark: SeqMark): void {
    if (mark.gap <= 0) return;
    this.opts.log.warn({ kiosk: kioskId, channel, seq, missing: mark.gap }, 'sequence gap');
    this.gapSeen({ kioskId, channel, gap: mark.gap, seq, missed: mark.missed });
  }

  private apply(kioskId: string, channel: string, message: unknown, now: number): Promise<IngestResult> {
    switch (channel) {
      case 'status':
        return this.status(kioskId, message as StatusMessage, now);
      case 'heartbeat':
        return this.heartbeat(kioskId, message as HeartbeatMessage, now);
      case 'state':
        return this.state(kioskId, message as StateMessage, now);
      case 'events':
        return this.event(kioskId, message as EventMessage, now);
      case 'transactions':
        return this.transaction(kioskId, message as TransactionMessage, now);
      case 'job-status':
        return this.jobStatus(kioskId, message as JobStatusMessage, now);
      default:
        return Promise.resolve('ignored');
    }
  }

  private async transaction(kioskId: string, msg: TransactionMessage, now: number): Promise<IngestResult> {
    const txn = msg.entry === 'transaction';
    const mark = await this.opts.repo.addTransactionMarked({
      kioskId,
      seq: msg.seq,
      entry: msg.entry,
      ts: msg.ts,
      synced: msg.synced,
      serviceCode: txn ? msg.serviceCode : null,
      status: txn ? msg.status : msg.kind,
      amountPaise: txn ? msg.walletDeltaPaise : msg.amountPaise,
      balancePaise: msg.balancePaise,
      data: msg,
      receivedAt: now,
    });
    if (!mark) return 'duplicate';
    this.seqMarked(kioskId, 'transactions', msg.seq, mark);
    await this.opts.repo.updateKiosk(kioskId, (cur) => ({ ...(cur ?? emptyKiosk(kioskId)), lastSeenAt: now }));
    return 'stored';
  }

  private async jobStatus(kioskId: string, msg: JobStatusMessage, now: number): Promise<IngestResult> {
    const known = await this.opts.repo.updateJobTarget(msg.jobId, kioskId, {
      status: msg.status,
      code: msg.code,
      reason: msg.reason,
      result: msg.result,
      at: now,
    });
    if (!known) this.opts.log.info({ kiosk: kioskId, job: msg.jobId, status: msg.status }, 'status of a job not sent to this kiosk');
    await this.opts.repo.updateKiosk(kioskId, (cur) => ({ ...(cur ?? emptyKiosk(kioskId)), lastSeenAt: now }));
    return 'stored';
  }

  private async status(kioskId: string, msg: StatusMessage, now: number): Promise<IngestResult> {
    let decision: Decision | undefined;
    await this.opts.repo.updateKiosk(kioskId, (cur) => {
      decision = onStatus(view(cur), msg, now);
      if (!decision.apply) return undefined;
      const base = cur ?? emptyKiosk(kioskId);
      const next: KioskRecord = { ...base, ...decision.next, status: msg, statusAt: now };
      if (msg.state === 'online') {
        next.district = msg.district;
        next.lsp = msg.lsp;
        next.agentVersion = msg.agent;
        next.heartbeatSec = msg.heartbeatSec;
        next.keepaliveSec = msg.keepaliveSec;
      }
      // A will is the broker speaking, not the kiosk: it is no sign of life.
      if (!(msg.state === 'offline' && msg.reason === 'will')) next.lastSeenAt = now;
      return next;
    });
    return this.report(kioskId, decision, { session: msg.session });
  }

  private async heartbeat(kioskId: string, msg: HeartbeatMessage, now: number): Promise<IngestResult> {
    let decision: Decision | undefined;
    await this.opts.repo.updateKiosk(kioskId, (cur) => {
      decision = undefined;
      if (!newer(msg, cur?.heartbeat ?? null)) return undefined;
      decision = onHeartbeat(view(cur), now);
      const base = cur ?? emptyKiosk(kioskId);
      // A heartbeat after the session ended is stored as data but does not revive the kiosk.
      return { ...base, ...decision.next, heartbeat: msg, heartbeatAt: now, lastSeenAt: now };
    });
    if (!decision) return 'duplicate';
    if (!decision.apply) {
      this.opts.log.debug({ kiosk: kioskId, seq: msg.seq }, 'heartbeat after the session ended; a birth brings it back');
    } else if (decision.note !== 'heartbeat') {
      this.liveness(kioskId, decision, { seq: msg.seq });
    }
    return 'stored';
  }

  private async state(kioskId: string, msg: StateMessage, now: number): Promise<IngestResult> {
    let taken = false;
    await this.opts.repo.updateKiosk(kioskId, (cur) => {
      taken = newer(msg, cur?.state ?? null);
      if (!taken) return undefined;
      return { ...(cur ?? emptyKiosk(kioskId)), state: msg, stateAt: now, lastSeenAt: now };
    });
    return taken ? 'stored' : 'duplicate';
  }

  private async event(kioskId: string, msg: EventMessage, now: number): Promise<IngestResult> {
    const mark = await this.opts.repo.addEventMarked({
      kioskId,
      seq: msg.seq,
      type: msg.type,
      severity: msg.severity,
      ts: msg.ts,
      mono: msg.mono,
      boot: msg.boot,
      synced: msg.synced,
      data: msg.data,
      receivedAt: now,
    });
    if (!mark) return 'duplicate';
    this.seqMarked(kioskId, 'events', msg.seq, mark);
    await this.opts.repo.updateKiosk(kioskId, (cur) => ({ ...(cur ?? emptyKiosk(kioskId)), lastSeenAt: now }));
    this.opts.log.debug({ kiosk: kioskId, type: msg.type, severity: msg.severity, seq: msg.seq }, 'event');
    return 'stored';
  }

  private report(kioskId: string, d: Decision | undefined, extra: Record<string, unknown>): IngestResult {
    if (!d) return 'duplicate';
    if (!d.apply) {
      this.opts.log.info({ kiosk: kioskId, note: d.note, ...extra, knownSession: d.next.session }, 'status ignored');
      return 'duplicate';
    }
    this.liveness(kioskId, d, extra);
    return 'stored';
  }

  private liveness(kioskId: string, d: Decision, extra: Record<string, unknown>): void {
    this.opts.log.info({ kiosk: kioskId, liveness: d.next.liveness, reason: d.next.reason, note: d.note, ...extra }, 'liveness');
    this.opts.onLiveness?.(kioskId, d);
  }
}
