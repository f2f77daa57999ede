/**
 * The connection to the broker. MQTT.js is used as a transport only
 * (reference/fleet-telemetry.md §3): its own reconnect (a fixed period, no jitter) is off
 * (`reconnectPeriod: 0`) and its in-memory queue is never relied on; every connection is a
 * fresh client with a fresh last will, and this class schedules the next attempt with full
 * jitter (drivers/common/backoff.ts).
 *
 * Each connection takes the next session number (persisted). The will registered at CONNECT
 * and the birth published after CONNACK both carry it, so the fleet can tell a late will of an
 * old connection from the death of the current one (DESIGN §5, the Sparkplug bdSeq rule).
 *
 * Downward messages are not applied on the connection: each is written to the inbox (inbox.ts)
 * and acknowledged once durable, so the connection keeps reading (the PUBACKs of the kiosk's own
 * uploads included) while a worker applies them in order.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Backoff } from '../../drivers/common/backoff.js';
import type { Logger } from '../../drivers/common/logger.js';
import { CONTRACT_VERSION, parseTopic, topicFor, type DownChannel } from '../../protocols/telemetry/index.js';
import type { StatusOffline, StatusOnline } from '../../protocols/telemetry/status.js';
import type { AgentConfig } from '../config/schema.js';
import type { TimeSource } from '../outbox/outbox.js';
import type { Store } from '../store/db.js';
import { nextCounter } from '../store/kv.js';
import { Inbox, type DownHandler, type Handler, type TxDownHandler } from './inbox.js';

export type { DownHandler, TxDownHandler } from './inbox.js';

export type BirthFields = Omit<StatusOnline, keyof import('../../protocols/telemetry/meta.js').Meta | 'state' | 'session'>;

export interface LinkOptions {
  config: AgentConfig['mqtt'];
  kioskId: string;
  store: Store;
  time: TimeSource;
  logger: Logger;
  birth: () => BirthFields;
  onUp: (client: MqttClient, session: number) => void;
  onDown: () => void;
  /** For tests: the delay source of the backoff. */
  random?: () => number;
}

export type LinkState = 'idle' | 'connecting' | 'up' | 'waiting' | 'stopped';

/**
 * MQTT.js sends no PUBACK for a message whose handler calls back with an error, and goes on
 * reading; the link sends the PUBACK itself once the message is in the inbox.
 */
const ACK_DEFERRED = new Error('acknowledged once recorded in the inbox');

export class MqttLink {
  #client: MqttClient | undefined;
  #state: LinkState = 'idle';
  #timer: NodeJS.Timeout | undefined;
  #backoff: Backoff;
  #upSince = 0;
  #session = 0;
  #birthSeq = 0;
  #lastError = '';
  #connects = 0;
  #handlers = new Map<DownChannel, Handler>();
  readonly #inbox: Inbox;

  constructor(private readonly opts: LinkOptions) {
    const b = opts.config.backoff;
    this.#backoff = new Backoff({ baseMs: b.baseMs, capMs: b.capMs, ...(opts.random ? { random: opts.random } : {}) });
    this.#inbox = new Inbox(opts.store, this.#handlers, opts.logger, () => opts.time.now().ts);
  }

  /** Downward messages applied from the inbox since start. */
  get applied(): number {
    return this.#inbox.applied;
  }

  get state(): LinkState {
    return this.#state;
  }
  get session(): number {
    return this.#session;
  }
  get connects(): number {
    return this.#connects;
  }
  get client(): MqttClient | undefined {
    return this.#state === 'up' ? this.#client : undefined;
  }

  /**
   * Registers the handler of a downward channel (jobs, capture-results), applied from the inbox
   * after the PUBACK; it must be idempotent (by job id, capture id): a kill -9 between applying
   * and deleting the inbox row applies the message again.
   */
  onMessage(channel: DownChannel, handler: DownHandler): void {
    this.#handlers.set(channel, { kind: 'plain', fn: handler });
  }

  /** The same, applied inside the transaction that deletes the inbox row: exactly once. */
  onMessageInTx(channel: DownChannel, handler: TxDownHandler): void {
    this.#handlers.set(channel, { kind: 'tx', fn: handler });
  }

  #channelOf(topic: string): DownChannel | undefined {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.direction !== 'down' || parsed.kioskId !== this.opts.kioskId) return undefined;
    return this.#handlers.has(parsed.channel as DownChannel) ? (parsed.channel as DownChannel) : undefined;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#inbox.start();
    void this.#connect();
  }

  #statusTopic(): string {
    return topicFor(this.opts.kioskId, 'status');
  }

  #meta(seq: number) {
    return { v: CONTRACT_VERSION, ...this.opts.time.now(), seq } as const;
  }

  #tlsOptions(): Partial<IClientOptions> {
    const tls = this.opts.config.tls;
    if (!tls) return {};
    const out: Partial<IClientOptions> = { rejectUnauthorized: tls.rejectUnauthorized };
    if (tls.ca) out.ca = readFileSync(tls.ca);
    if (tls.cert) out.cert = readFileSync(tls.cert);
    if (tls.key) out.key = readFileSync(tls.key);
    return out;
  }

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    let client: MqttClient;
    try {
      // The will and the birth of this connection each take a status sequence number now, so
      // a consumer deduplicating by (kiosk, channel, seq) never mistakes one for the other.
      const { session, willSeq, birthSeq } = await this.opts.store.transaction(async (tx) => ({
        session: await nextCounter(tx, 'session'),
        willSeq: await nextCounter(tx, 'seq:status'),
        birthSeq: await nextCounter(tx, 'seq:status'),
      }));
      if (this.#state !== 'connecting') return; // stopped meanwhile
      this.#session = session;
      this.#birthSeq = birthSeq;
      const will: StatusOffline = { ...this.#meta(willSeq), state: 'offline', session, reason: 'will' };
      const c = this.opts.config;
      client = mqtt.connect(c.url, {
        clientId: this.opts.kioskId,
        // A persistent session: the broker keeps jobs and capture results sent while the kiosk
        // is offline. Upward delivery does not depend on it (the outbox replays).
        clean: false,
        protocolVersion: 4,
        keepalive: c.keepaliveSec,
        connectTimeout: c.connectTimeoutSec * 1000,
        reconnectPeriod: 0,
        ...(c.username ? { username: c.username } : {}),
        ...(c.password ? { password: c.password } : {}),
        ...this.#tlsOptions(),
        will: { topic: this.#statusTopic(), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      });
    } catch (err) {
      this.#fail(err as Error);
      this.#schedule();
      return;
    }
    this.#client = client;
    client.handleMessage = (packet, done) => {
      const channel = this.#channelOf(packet.topic);
      if (!channel) {
        this.opts.logger.warn({ topic: packet.topic.slice(0, 120) }, 'message on a topic this kiosk does not handle; dropped');
        done();
        return;
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const recorded = this.#inbox.add(channel, packet.topic, payload);
      if (packet.qos === 0 || packet.messageId === undefined) {
        recorded.catch(() => undefined);
        done();
        return;
      }
      const stream = client.stream;
      const mid = packet.messageId;
      recorded.then(
        () => this.#puback(client, stream, mid),
        // Not on disk: no PUBACK. A new connection makes the broker send it again (when stopping,
        // the next start's connection does).
        () => {
          if (this.#state !== 'stopped') stream.destroy();
        },
      );
      done(ACK_DEFERRED);
    };
    client.on('connect', () => this.#onConnect(client));
    client.on('error', (err) => this.#fail(err));
    client.on('close', () => this.#onClose(client));
  }

  /**
   * PUBACK (MQTT 3.1.1 §3.4: 0x40, remaining length 2, the packet identifier), only on the
   * connection the message came on: after a kill or a reconnect the broker sends an unacknowledged
   * message again, and that copy is recorded and acknowledged in its turn (the handlers recognise
   * the repeat). Acknowledgements go out in the order the messages were recorded, which is the
   * order they arrived (§4.6).
   */
  #puback(client: MqttClient, stream: MqttClient['stream'], mid: number): void {
    if (client !== this.#client || client.stream !== stream || stream.destroyed || !stream.writable) return;
    stream.write(Buffer.from([0x40, 0x02, mid >> 8, mid & 0xff]));
  }

  #onConnect(client: MqttClient): void {
    if (client !== this.#client || this.#state === 'stopped') return;
    this.#state = 'up';
    this.#upSince = Date.now();
    this.#connects++;
    this.#lastError = '';
    const session = this.#session;
    // Subscribed before the birth goes out: the broker handles a connection's packets in order,
    // so a job central sends on seeing the birth finds the subscription already there.
    // Only the channels someone handles: a `kiosk/v1/<id>/+` filter would also echo every one of
    // the kiosk's own upward messages back over the metered link.
    const topics = [...this.#handlers.keys()].map((channel) => topicFor(this.opts.kioskId, channel));
    if (topics.length > 0) {
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) this.opts.logger.warn({ err: err.message }, 'subscription to jobs and results refused');
      });
    }
    const birth: StatusOnline = { ...this.#meta(this.#birthSeq), state: 'online', session, ...this.opts.birth() };
    client.publish(this.#statusTopic(), JSON.stringify(birth), { qos: 1, retain: true }, (err) => {
      if (err) this.opts.logger.warn({ err: err.message }, 'birth not acknowledged');
    });
    this.opts.logger.info({ session, url: redactUrl(this.opts.config.url) }, 'connected');
    this.opts.onUp(client, session);
  }

  #onClose(client: MqttClient): void {
    if (client !== this.#client) return;
    const wasUp = this.#state === 'up';
    this.#client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined); // a late socket error must not become an uncaught one
    client.end(true);
    if (wasUp) {
      // A connection that lasted resets the backoff; one that flaps keeps widening it.
      if (Date.now() - this.#upSince >= this.opts.config.backoff.stableMs) this.#backoff.reset();
      this.opts.logger.warn({ session: this.#session }, 'disconnected');
      this.opts.onDown();
    }
    if (this.#state !== 'stopped') this.#schedule();
  }

  #fail(err: Error): void {
    const msg = err.message;
    // One line per distinct error, not one per attempt: a kiosk offline for a day would
    // otherwise fill its SD card with the same line.
    if (msg !== this.#lastError) this.opts.logger.warn({ err: msg }, 'broker connection failed');
    this.#lastError = msg;
  }

  #schedule(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'waiting';
    const delay = this.#backoff.next();
    this.opts.logger.debug({ delay, attempt: this.#backoff.attempt }, 'reconnect scheduled');
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, delay);
  }

  /**
   * Clean stop: say `offline` (reason shutdown) on the status topic ourselves — a clean
   * DISCONNECT suppresses the will — then close.
   */
  async stop(timeoutMs = 3000): Promise<void> {
    const client = this.#client;
    const wasUp = this.#state === 'up';
    this.#state = 'stopped';
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    // What is being written or applied finishes; what arrives from now on is left to the broker.
    await this.#inbox.close();
    if (!client) return;
    if (wasUp) {
      const session = this.#session;
      const seq = await this.opts.store
        .transaction((tx) => nextCounter(tx, 'seq:status'))
        .catch(() => this.#birthSeq + 1); // a closed or full store must not block the goodbye
      const bye: StatusOffline = { ...this.#meta(seq), state: 'offline', session, reason: 'shutdown' };
      await withTimeout(client.publishAsync(this.#statusTopic(), JSON.stringify(bye), { qos: 1, retain: true }), timeoutMs).catch(
        (err: Error) => this.opts.logger.warn({ err: err.message }, 'offline status not acknowledged'),
      );
    }
    this.#client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await withTimeout(client.endAsync(!wasUp), timeoutMs).catch(() => client.end(true));
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
