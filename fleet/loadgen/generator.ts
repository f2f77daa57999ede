/**
 * The load generator: N simulated kiosks against a broker, each with its own MQTT connection,
 * client id (its kiosk id) and last will, as the agent connects (agent/mqtt/link.ts): birth after
 * CONNACK, the retained state, heartbeats every `heartbeatSec` with jitter, events and state
 * changes at a random (Poisson) rate, all QoS 1 with the retain flags of the contract. A dropped
 * connection reconnects as a new session with a new will, as a kiosk does. Kiosks connect at a
 * bounded rate so the ramp itself is not a connection storm.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { KIOSK_ID_PATTERN, type UpChannel } from '../../protocols/telemetry/index.js';
import { checkAgainstContract, type Outgoing, SimKiosk } from './messages.js';

export interface LoadOptions {
  url: string;
  count: number;
  heartbeatSec: number;
  /** Events per kiosk per hour (sim.tick); 0 for none. */
  eventsPerHour: number;
  /** State snapshots per kiosk per hour beyond the one after each birth. */
  statesPerHour: number;
  idPrefix: string;
  districts: readonly string[];
  /** New connections per second during the ramp. */
  connectRate: number;
  /** Heartbeat jitter, as a fraction of the interval either way. */
  jitter?: number;
  keepaliveSec?: number;
  /** Run every message through the contract's validator (costs CPU; the first of each channel is always checked). */
  validateAll?: boolean;
  base?: number;
}

export type ChannelCounts = Partial<Record<UpChannel, number>>;

export interface LoadReport {
  at: number;
  kiosks: number;
  connected: number;
  connects: number;
  connectFailures: number;
  drops: number;
  published: number;
  acked: number;
  /** Publishes that failed (connection lost before the PUBACK). */
  unacked: number;
  /** Published but not yet acknowledged by the broker. */
  inflight: number;
  byChannel: ChannelCounts;
  errors: number;
  lastError: string;
}

/** Kiosk ids: PREFIX-00001 … (zero-padded to at least five digits). */
export function kioskIds(prefix: string, count: number): string[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}

export function checkPrefix(prefix: string): string | undefined {
  return KIOSK_ID_PATTERN.test(`${prefix}-00001`) ? undefined : `id prefix must be upper-case letters and digits in dash-separated parts, got '${prefix}'`;
}

/** A delay drawn from the exponential distribution of a Poisson process of `perHour` a kiosk. */
function poissonDelayMs(perHour: number): number {
  return (-Math.log(1 - Math.random()) * 3_600_000) / perHour;
}

class Kiosk {
  client: MqttClient | undefined;
  connected = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly sim: SimKiosk,
    private readonly gen: LoadGenerator,
  ) {}

  connect(): void {
    const { will, birth } = this.sim.connect();
    const o = this.gen.opts;
    const client = mqtt.connect(o.url, {
      clientId: this.sim.opts.kioskId,
      protocolVersion: 4,
      // Clean sessions: thousands of persistent sessions would outlive the run on the broker.
      clean: true,
      keepalive: this.sim.opts.keepaliveSec,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.connected = true;
      this.gen.counts.connects++;
      this.gen.send(this, birth());
      this.gen.send(this, this.sim.state());
      // The first heartbeat somewhere in the first interval, so the fleet's load is spread out.
      this.every(() => this.gen.send(this, this.sim.heartbeat()), () => this.beatDelay(), Math.random() * o.heartbeatSec * 1000);
      if (o.eventsPerHour > 0) this.every(() => this.gen.send(this, this.sim.event()), () => poissonDelayMs(o.eventsPerHour));
      if (o.statesPerHour > 0) this.every(() => this.gen.send(this, this.sim.state()), () => poissonDelayMs(o.statesPerHour));
    });
    client.on('error', (err) => this.gen.error(err));
    client.on('close', () => {
      if (client !== this.client) return;
      this.clearTimers();
      if (this.connected) this.gen.counts.drops++;
      else this.gen.counts.connectFailures++;
      this.connected = false;
      this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      // A new session, after a jittered pause, as a kiosk reconnects (full jitter, 1–5 s).
      if (!this.gen.stopping) this.later(() => this.connect(), 1000 + Math.random() * 4000);
    });
  }

  private beatDelay(): number {
    const j = this.gen.opts.jitter ?? 0.05;
    return this.gen.opts.heartbeatSec * 1000 * (1 + (Math.random() * 2 - 1) * j);
  }

  private every(fn: () => void, delay: () => number, first = delay()): void {
    const tick = (): void => {
      fn();
      this.later(tick, delay());
    };
    this.later(tick, first);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      fn();
    }, ms);
    this.timers.push(t);
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** Clean stop: the shutdown notice, then DISCONNECT (which suppresses the will). */
  async shutdown(): Promise<void> {
    this.clearTimers();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.connected) {
      const bye = this.sim.shutdown();
      const c = this.gen.counts;
      c.published++;
      this.gen.byChannel.status = (this.gen.byChannel.status ?? 0) + 1;
      await client.publishAsync(bye.topic, bye.payload, { qos: 1, retain: true }).then(
        () => c.acked++,
        () => c.unacked++,
      );
    }
    await client.endAsync(false).catch(() => client.end(true));
  }

  /** The agent hangs with its connection up: nothing more is sent, the broker sees no death. */
  mute(): void {
    this.clearTimers();
  }

  /** The connection dies without DISCONNECT (power cut, network gone): the broker sends the will. */
  kill(): void {
    this.clearTimers();
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.stream.destroy();
    client.end(true);
  }
}

export class LoadGenerator {
  readonly counts = { connects: 0, connectFailures: 0, drops: 0, published: 0, acked: 0, unacked: 0, errors: 0 };
  readonly byChannel: ChannelCounts = {};
  readonly kiosks = new Map<string, Kiosk>();
  stopping = false;
  private lastError = '';
  private readonly checked = new Set<string>();
  private ramp: NodeJS.Timeout | undefined;

  constructor(readonly opts: LoadOptions) {
    const bad = checkPrefix(opts.idPrefix);
    if (bad) throw new Error(bad);
    if (opts.districts.length === 0) throw new Error('at least one district');
    const base = opts.base ?? Date.now();
    kioskIds(opts.idPrefix, opts.count).forEach((kioskId, i) => {
      const sim = new SimKiosk({
        kioskId,
        district: opts.districts[i % opts.districts.length]!,
        lsp: `LSP ${(i % 50) + 1}`,
        heartbeatSec: opts.heartbeatSec,
        keepaliveSec: opts.keepaliveSec ?? 60,
        base,
      });
      this.kiosks.set(kioskId, new Kiosk(sim, this));
    });
  }

  /** Connects every kiosk at `connectRate` a second; resolves when all are connected (or stopped). */
  start(): Promise<void> {
    const all = [...this.kiosks.values()];
    let next = 0;
    const stepMs = 100;
    const perStep = Math.max(1, Math.round((this.opts.connectRate * stepMs) / 1000));
    return new Promise((resolve) => {
      const step = (): void => {
        if (this.stopping) return resolve();
        for (let i = 0; i < perStep && next < all.length; i++) all[next++]!.connect();
        if (next < all.length) {
          this.ramp = setTimeout(step, stepMs);
          return;
        }
        const wait = (): void => {
          if (this.stopping || all.every((k) => k.connected)) resolve();
          else this.ramp = setTimeout(wait, stepMs);
        };
        wait();
      };
      step();
    });
  }

  send(k: Kiosk, m: Outgoing): void {
    const client = k.client;
    if (!client || !k.connected) return;
    const channel = m.topic.slice(m.topic.lastIndexOf('/') + 1) as UpChannel;
    if (this.opts.validateAll || !this.checked.has(channel)) {
      checkAgainstContract(m);
      this.checked.add(channel);
    }
    this.counts.published++;
    this.byChannel[channel] = (this.byChannel[channel] ?? 0) + 1;
    client.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, (err) => {
      if (err) {
        this.counts.unacked++;
        this.error(err);
      } else this.counts.acked++;
    });
  }

  error(err: Error): void {
    this.counts.errors++;
    this.lastError = err.message.slice(0, 200);
  }

  report(): LoadReport {
    let connected = 0;
    for (const k of this.kiosks.values()) if (k.connected) connected++;
    return {
      at: Date.now(),
      kiosks: this.kiosks.size,
      connected,
      ...this.counts,
      inflight: this.counts.published - this.counts.acked - this.counts.unacked,
      byChannel: { ...this.byChannel },
      lastError: this.lastError,
    };
  }

  kiosk(id: string): { sim: SimKiosk; kill(): void; mute(): void; shutdown(): Promise<void> } | undefined {
    return this.kiosks.get(id);
  }

  /**
   * Stops every kiosk: `shutdown` as the agent stops (notice, then DISCONNECT, no will), or
   * `drop` as if the power went (the broker publishes every will).
   */
  async stop(mode: 'shutdown' | 'drop' = 'shutdown'): Promise<void> {
    this.stopping = true;
    clearTimeout(this.ramp);
    const all = [...this.kiosks.values()];
    if (mode === 'drop') {
      for (const k of all) k.kill();
      return;
    }
    // In slices, so ten thousand DISCONNECTs do not all wait on one event-loop turn.
    for (let i = 0; i < all.length; i += 500) await Promise.all(all.slice(i, i + 500).map((k) => k.shutdown()));
  }
}
