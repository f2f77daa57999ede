/**
 * What one simulated kiosk says, message by message, exactly as the telemetry contract
 * (protocols/telemetry) types it: the will and birth of each session with their own status seq
 * (status.ts, the Sparkplug bdSeq rule), heartbeats, the retained state snapshot and events, each
 * channel with its own sequence number. The objects are typed by the contract's own types, so a
 * field the contract changes fails the build here; `checkAgainstContract` runs the fleet's own
 * validator on them.
 */
import { randomUUID } from 'node:crypto';
import {
  CONTRACT_VERSION,
  decodeMessage,
  type EventMessage,
  type HeartbeatMessage,
  type StateMessage,
  type StatusOffline,
  type StatusOnline,
  topicFor,
  type UpChannel,
} from '../../protocols/telemetry/index.js';

export interface SimKioskOptions {
  kioskId: string;
  district: string;
  lsp: string;
  heartbeatSec: number;
  keepaliveSec: number;
  /**
   * First value of every counter (session and each channel's seq). Real kiosks keep them across
   * restarts; a simulator starting from the run's start time in ms gets numbers above those of
   * any earlier run against the same fleet database, so a rerun is not taken for duplicates.
   */
  base: number;
  /** Wall clock of the simulated kiosk (trusted: `synced` true). */
  now?: () => number;
}

export interface Outgoing {
  topic: string;
  payload: string;
  retain: boolean;
}

const AGENT_VERSION = '0.1.0-loadgen';

/** One simulated kiosk's counters and message builders; no I/O. */
export class SimKiosk {
  readonly boot = randomUUID();
  private readonly startedAt: number;
  private readonly bootAt: number;
  private readonly seqs = new Map<UpChannel, number>();
  session: number;
  private ticks = 0;

  constructor(readonly opts: SimKioskOptions) {
    this.startedAt = this.now();
    // The simulated boot happened a little before the agent started.
    this.bootAt = this.startedAt - 30_000;
    this.session = opts.base;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  private next(channel: UpChannel): number {
    const seq = (this.seqs.get(channel) ?? this.opts.base) + 1;
    this.seqs.set(channel, seq);
    return seq;
  }

  /** The fields every message carries, with the next seq of its channel (or the one given). */
  private meta(channel: UpChannel, seq = this.next(channel)): { v: typeof CONTRACT_VERSION; ts: number; mono: number; boot: string; synced: boolean; seq: number } {
    const ts = this.now();
    return { v: CONTRACT_VERSION, ts, mono: ts - this.bootAt, boot: this.boot, synced: true, seq };
  }

  private out(channel: UpChannel, message: object, retain = false): Outgoing {
    return { topic: topicFor(this.opts.kioskId, channel), payload: JSON.stringify(message), retain };
  }

  /**
   * A new connection: the next session, and its will and birth, which take a status seq each now
   * (the will first, as the agent's link does, agent/mqtt/link.ts).
   */
  connect(): { will: Outgoing; birth: () => Outgoing } {
    this.session++;
    const session = this.session;
    const will: StatusOffline = { ...this.meta('status'), state: 'offline', session, reason: 'will' };
    const birthSeq = this.next('status');
    return {
      will: this.out('status', will, true),
      birth: () => {
        const birth: StatusOnline = {
          ...this.meta('status', birthSeq),
          state: 'online',
          session,
          agent: AGENT_VERSION,
          district: this.opts.district,
          lsp: this.opts.lsp,
          heartbeatSec: this.opts.heartbeatSec,
          keepaliveSec: this.opts.keepaliveSec,
        };
        return this.out('status', birth, true);
      },
    };
  }

  /** The agent's clean stop: `offline` with reason shutdown, its own status seq. */
  shutdown(): Outgoing {
    const bye: StatusOffline = { ...this.meta('status'), state: 'offline', session: this.session, reason: 'shutdown' };
    return this.out('status', bye, true);
  }

  /** Wall-clock ms of the last heartbeat built (undefined before the first). */
  lastBeatTs: number | undefined;

  heartbeat(): Outgoing {
    const ts = this.now();
    this.lastBeatTs = ts;
    const hb: HeartbeatMessage = {
      ...this.meta('heartbeat'),
      up: Math.floor((ts - this.startedAt) / 1000),
      q: 0,
      sum: 'fp:ok prn:ok ups:mains',
    };
    return this.out('heartbeat', hb);
  }

  state(): Outgoing {
    const m = this.meta('state');
    const state: StateMessage = {
      ...m,
      agent: { version: AGENT_VERSION, startedAt: this.startedAt },
      config: { version: 'loadgen-1' },
      clock: { synced: true, source: 'ntp', lastSyncTs: m.ts },
      queue: { depth: 0, bytes: 0 },
      devices: { reader: { state: 'ok' }, printer: { state: 'ok' }, ups: { state: 'ok', detail: 'mains' } },
      wallet: { balancePaise: 2_500_000, minimumPaise: 2_000_000, belowMinimum: false },
    };
    return this.out('state', state, true);
  }

  /** `sim.tick`, the contract's event type for simulated traffic. */
  event(): Outgoing {
    this.ticks++;
    const e: EventMessage = { ...this.meta('events'), type: 'sim.tick', severity: 'info', data: { n: this.ticks } };
    return this.out('events', e);
  }

  /** The last seq taken on a channel (undefined before the first). */
  lastSeq(channel: UpChannel): number | undefined {
    return this.seqs.get(channel);
  }
}

/** Runs the fleet's validator on a message; throws with its one-line reason when it fails. */
export function checkAgainstContract(m: Outgoing): void {
  const decoded = decodeMessage(m.topic, Buffer.from(m.payload));
  if (!decoded.ok) throw new Error(`simulated ${m.topic} breaks the contract: ${decoded.error}`);
}
