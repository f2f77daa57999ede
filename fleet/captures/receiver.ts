/**
 * The central capture receiver (issue 7): subscribes to `kiosk/v1/+/captures`, decides each
 * envelope (desk.ts) and publishes the result on the kiosk's `capture-results` topic.
 *
 * Delivery: a persistent session (clean: false, a fixed client id), so captures published while
 * the receiver is down wait at the broker; each envelope is acknowledged only after its outcome is
 * recorded and its result acknowledged by the broker. A crash in between makes the broker send the
 * envelope again, which is then answered `duplicate` with the recorded outcome: at least once,
 * and each capture authenticated once. Envelopes are handled one at a time, in order.
 *
 * Results go out on a second connection: MQTT.js reads nothing more from a connection until the
 * message handler is done, so waiting there for the PUBACK of a result published on the same
 * connection would wait for ever.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { parsePrivateKey } from '../../protocols/seal/seal.js';
import { TOPIC_ROOT, topicFor } from '../../protocols/telemetry/index.js';
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
  retryMs?: number;
}

export class CaptureReceiver {
  readonly desk: CaptureDesk;
  #client: MqttClient | undefined;
  #out: MqttClient | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #stopped = false;

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
    r.#connect();
    o.log.info({ keyId: r.desk.keyId, filter: CAPTURES_FILTER }, 'capture receiver starting');
    return r;
  }

  get stats(): DeskStats {
    return this.desk.stats;
  }

  get connected(): boolean {
    return (this.#client?.connected ?? false) && (this.#out?.connected ?? false);
  }

  #connect(): void {
    const id = this.o.clientId ?? 'kiosk-fleet-captures';
    this.#out ??= mqtt.connect(this.o.url, { clientId: `${id}-results`, clean: true, protocolVersion: 4, reconnectPeriod: this.o.retryMs ?? 1000, keepalive: 30 });
    this.#out.on('error', (err) => this.o.log.warn({ err: err.message }, 'capture results connection error'));
    const client = mqtt.connect(this.o.url, {
      clientId: id,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: this.o.retryMs ?? 1000,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    client.handleMessage = (packet, done) => {
      const run = this.#chain.then(() => this.#handle(packet.topic, packet.payload as Uint8Array));
      this.#chain = run.catch(() => undefined);
      run.then(
        () => done(),
        (err: unknown) => {
          // Not acknowledged: the broker redelivers on the next connection (recorded outcomes make
          // that a duplicate, not a second authentication).
          this.o.log.error({ topic: packet.topic, err: (err as Error).message.slice(0, 160) }, 'capture not handled; left for redelivery');
          client.end(true);
        },
      );
    };
    client.on('connect', (ack) => {
      this.o.log.info({ sessionPresent: ack.sessionPresent }, 'capture receiver connected');
      client.subscribe(CAPTURES_FILTER, { qos: 1 }, (err) => err && this.o.log.error({ err: err.message }, 'captures subscription refused'));
    });
    client.on('error', (err) => this.o.log.warn({ err: err.message }, 'capture receiver connection error'));
    client.on('close', () => {
      if (this.#stopped) return;
      // After a forced end (a message not handled), connect afresh so the broker redelivers.
      if (client.disconnected) setTimeout(() => !this.#stopped && this.#connect(), this.o.retryMs ?? 1000).unref();
    });
    this.#client = client;
  }

  async #handle(topic: string, payload: Uint8Array): Promise<void> {
    const d = await this.desk.decide(topic, payload);
    if (!d.kioskId || !d.result) return;
    if (!this.#out) throw new Error('stopped');
    await this.#out.publishAsync(topicFor(d.kioskId, 'capture-results'), JSON.stringify(d.result), { qos: 1 });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain.catch(() => undefined);
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.endAsync(false).catch(() => c.end(true));
    const out = this.#out;
    this.#out = undefined;
    if (out) await out.endAsync(false).catch(() => out.end(true));
    await this.outcomes.close();
  }
}
