/**
 * The central capture receiver (issue 7): subscribes to `kiosk/v1/+/captures`, decides each
 * envelope (desk.ts) and publishes the result on the kiosk's `capture-results` topic.
 *
 * Delivery: persistent sessions (clean: false, fixed client ids), so captures published while the
 * receiver is down wait at the broker; each envelope is acknowledged only after its outcome is
 * recorded and its result acknowledged by the broker. A crash in between makes the broker send the
 * envelope again, which is then answered `duplicate` with the recorded outcome: at least once,
 * and each capture authenticated once.
 *
 * Within a lane, captures are decided concurrently (up to LANE_WINDOW at once): MQTT.js reads
 * nothing more from a connection until its message handler calls back, so the handler calls back at
 * once without MQTT.js's PUBACK and the lane sends the PUBACKs itself (fleet/acks.ts, as ingest
 * does), in the order the envelopes arrived (MQTT 3.1.1 §4.6), each once its capture's outcome is
 * recorded and its result acknowledged, and only on the connection the envelope came on (a packet
 * id of a dropped connection may name another message on the next one). The outcome store commits
 * what was decided meanwhile together (one fsync for several).
 *
 * Lanes: where the broker speaks MQTT 5 the receiver opens `lanes` connections on one shared
 * subscription (`$share/<group>/kiosk/v1/+/captures`, as the fleet monitor does, DESIGN §7); the
 * outcome store commits what the lanes decided together (one fsync for several), and captures with
 * the same id never run in two lanes at once. Against a 3.1.1-only broker (aedes) there is one lane.
 * Keep the lane count stable: a lane's persistent session holds what the broker queued for it.
 *
 * Results go out on a separate connection: waiting in the handler for the PUBACK of a result
 * published on the handler's own connection would wait for ever.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { parsePrivateKey } from '../../protocols/seal/seal.js';
import { TOPIC_ROOT, topicFor } from '../../protocols/telemetry/index.js';
import { InOrderAcks } from '../acks.js';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticator.js';
import { SimulatedAuthenticator } from './authenticator.js';
import { CaptureDesk, type DeskStats } from './desk.js';
import { MemoryOutcomeStore, SqliteOutcomeStore, type OutcomeStore } from './outcomes.js';

export const CAPTURES_FILTER = `${TOPIC_ROOT}/+/captures`;

export interface ReceiverOptions {
  url: string;
  /** PEM (PKCS#8) of central's X25519 capture key, or its path. */
  privateKeyPem?: string;
  privateKeyPath?: string;
  /** Where decided capture ids are kept (SQLite); in memory when absent. */
  outcomesDb?: string;
  authenticator?: Authenticator;
  log: Logger;
  clientId?: string;
  /**
   * Connections on a shared subscription where the broker speaks MQTT 5 (default 1: one
   * connection, a plain subscription). More lanes decide faster, but under heavy load a run against
   * Mosquitto stopped receiving on its lanes (no error, no reconnect), so they are opt-in for now.
   */
  lanes?: number;
  shareGroup?: string;
  retryMs?: number;
}

const RESULT_TIMEOUT_MS = 10_000;

/** Envelopes a lane decides at once; beyond it the lane stops reading until one is done. */
const LANE_WINDOW = 64;

/** Seven days: what the broker keeps for a lane that is away (MQTT 5 session expiry, s). */
const SESSION_EXPIRY_SEC = 7 * 86_400;

export class CaptureReceiver {
  readonly desk: CaptureDesk;
  #lanes: MqttClient[] = [];
  #out: MqttClient | undefined;
  #busy = new Map<string, Promise<unknown>>();
  #inflight = new Set<Promise<unknown>>();
  #stopped = false;
  protocolVersion: 4 | 5 | undefined;

  private constructor(
    private readonly o: ReceiverOptions,
    private readonly outcomes: OutcomeStore,
  ) {
    const pem = o.privateKeyPem ?? (o.privateKeyPath ? readFileSync(o.privateKeyPath) : undefined);
    if (!pem) throw new Error('the capture receiver needs the private capture key');
    this.desk = new CaptureDesk({
      privateKey: parsePrivateKey(pem),
      authenticator: o.authenticator ?? new SimulatedAuthenticator(),
      outcomes,
      log: o.log,
    });
  }

  static async start(o: ReceiverOptions): Promise<CaptureReceiver> {
    const outcomes = o.outcomesDb ? await SqliteOutcomeStore.open(o.outcomesDb) : new MemoryOutcomeStore();
    let r: CaptureReceiver;
    try {
      r = new CaptureReceiver(o, outcomes);
    } catch (err) {
      await outcomes.close();
      throw err;
    }
    o.log.info({ keyId: r.desk.keyId, filter: CAPTURES_FILTER }, 'capture receiver starting');
    void r.#begin();
    return r;
  }

  get stats(): DeskStats {
    return this.desk.stats;
  }

  /**
   * Connected and subscribed on every lane. A broker drops what is published on a topic nobody is
   * subscribed to, so the receiver's sessions must exist before kiosks upload: start it first
   * (its persistent sessions then keep everything while it is away).
   */
  get connected(): boolean {
    return this.#lanes.length > 0 && this.#lanes.every((c) => c.connected && this.#subscribed.has(c)) && (this.#out?.connected ?? false);
  }

  /** Resolves once `connected`; rejects after `timeoutMs`. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected) {
      if (Date.now() > deadline) throw new Error('the capture receiver did not connect and subscribe in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #subscribed = new WeakSet<MqttClient>();

  get #id(): string {
    return this.o.clientId ?? 'kiosk-fleet-captures';
  }

  #openOut(): void {
    const out = mqtt.connect(this.o.url, { clientId: `${this.#id}-results`, clean: true, protocolVersion: 4, reconnectPeriod: this.o.retryMs ?? 1000, keepalive: 30 });
    out.on('error', (err) => this.o.log.warn({ err: err.message }, 'capture results connection error'));
    this.#out = out;
  }

  async #begin(): Promise<void> {
    this.#openOut();
    // Does the broker speak MQTT 5? Ask once; a refusal at CONNACK means 3.1.1 and one lane.
    while (!this.#stopped && this.protocolVersion === undefined) {
      this.protocolVersion = await probeV5(this.o.url, `${this.#id}-probe`).catch(() => undefined);
      if (this.protocolVersion === undefined) await new Promise((r) => setTimeout(r, this.o.retryMs ?? 1000));
    }
    if (this.#stopped) return;
    const n = this.protocolVersion === 5 ? Math.max(1, this.o.lanes ?? 1) : 1;
    if (n === 1) this.protocolVersion = 4;
    for (let k = 0; k < n; k++) this.#lanes.push(this.#lane(n === 1 ? this.#id : `${this.#id}-${k}`));
    this.o.log.info({ protocolVersion: this.protocolVersion, lanes: n }, 'capture receiver lanes');
  }

  #lane(clientId: string): MqttClient {
    const v5 = this.protocolVersion === 5;
    const options: IClientOptions = {
      clientId,
      clean: false,
      protocolVersion: v5 ? 5 : 4,
      reconnectPeriod: this.o.retryMs ?? 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      ...(v5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_SEC } } : {}),
    };
    const filter = v5 ? `$share/${this.o.shareGroup ?? 'kiosk-fleet-captures'}/${CAPTURES_FILTER}` : CAPTURES_FILTER;
    const client = mqtt.connect(this.o.url, options);
    const acks = new InOrderAcks(client, LANE_WINDOW);
    client.handleMessage = (packet, done) => {
      const stream = client.stream;
      const run = this.#handle(packet.topic, packet.payload as Uint8Array);
      this.#inflight.add(run);
      // Decided: acknowledged in arrival order (InOrderAcks). Not decided: the connection is dropped
      // before the acknowledgements reach it, so neither this envelope nor any later one of this
      // connection is acknowledged; the broker sends them again on the next (the recorded outcomes
      // make those duplicates, not second authentications). Also when stopping: nothing refused
      // may be acknowledged.
      const settled = run
        .catch((err: unknown) => {
          if (!this.#stopped) this.o.log.error({ topic: packet.topic, err: (err as Error).message.slice(0, 160) }, 'capture not handled; left for redelivery');
          if (!stream.destroyed) stream.destroy();
        })
        .finally(() => this.#inflight.delete(run));
      acks.take(packet, done, settled);
    };

    client.on('connect', (ack) => {
      this.o.log.info({ clientId, sessionPresent: ack.sessionPresent }, 'capture receiver connected');
      if (ack.sessionPresent) this.#subscribed.add(client);
      else {
        client.subscribe(filter, { qos: 1 }, (err) => {
          if (err) this.o.log.error({ err: err.message }, 'captures subscription refused');
          else this.#subscribed.add(client);
        });
      }
    });
    client.on('error', (err) => this.o.log.warn({ clientId, err: err.message }, 'capture receiver connection error'));
    return client;
  }

  /** One capture; a second copy of the same capture id waits for the first (de-duplication). */
  async #handle(topic: string, payload: Uint8Array): Promise<void> {
    const key = captureKey(payload) ?? topic;
    const before = this.#busy.get(key);
    const mine = (async () => {
      if (before) await before.catch(() => undefined);
      // Stopping: decide nothing new (left unacknowledged, it comes back on the next connection),
      // but let a capture already decided publish its result.
      if (this.#stopped) throw new Error('stopping');
      const d = await this.desk.decide(topic, payload);
      if (!d.kioskId || !d.result) return;
      const out = this.#out;
      if (!out) throw new Error('stopped');
      // A result not acknowledged in time: a fresh results connection, and the capture is left
      // unacknowledged, so it comes back and is answered (duplicate, with the recorded outcome).
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error('result not acknowledged in time')), RESULT_TIMEOUT_MS);
      });
      try {
        await Promise.race([out.publishAsync(topicFor(d.kioskId, 'capture-results'), JSON.stringify(d.result), { qos: 1 }), timeout]);
      } catch (err) {
        if (this.#out === out && !this.#stopped) {
          this.o.log.warn({ err: (err as Error).message }, 'capture results connection replaced');
          out.end(true);
          this.#openOut();
        }
        throw err;
      } finally {
        clearTimeout(timer);
      }
    })();
    this.#busy.set(key, mine);
    try {
      await mine;
    } finally {
      if (this.#busy.get(key) === mine) this.#busy.delete(key);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#inflight]);
    // Forced: a message refused while stopping is never acknowledged, and a graceful end would wait
    // for it; the persistent session keeps it for the next start.
    await Promise.all(this.#lanes.map((c) => c.endAsync(true).catch(() => undefined)));
    this.#lanes = [];
    const out = this.#out;
    this.#out = undefined;
    if (out) await out.endAsync(false).catch(() => out.end(true));
    await this.outcomes.close();
  }
}

/** The capture id of an envelope without validating it (validation is the desk's). */
function captureKey(payload: Uint8Array): string | undefined {
  const m = /"captureId":"([0-9a-fA-F-]{36})"/.exec(Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, 4096)).toString('latin1'));
  return m?.[1];
}

/** 5 when the broker accepts an MQTT 5 CONNECT, 4 when it refuses the protocol version. */
function probeV5(url: string, clientId: string): Promise<4 | 5> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0, connectTimeout: 5000 });
    const done = (v: 4 | 5 | Error) => {
      c.removeAllListeners();
      c.on('error', () => undefined);
      c.end(true);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    c.once('connect', () => done(5));
    c.once('error', (err: Error & { code?: number }) => done(err.code === 1 || err.code === 0x84 || /protocol version/i.test(err.message) ? 4 : err));
    c.once('close', () => done(4));
  });
}
