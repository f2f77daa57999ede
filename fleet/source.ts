/**
 * The MQTT side of ingest. Speaks MQTT 5 where the broker does and then reads through a shared
 * subscription, so several fleet instances split the load (DESIGN §7); falls back to 3.1.1 for
 * a broker that refuses 5 at CONNACK (aedes 1.x) and then subscribes plainly. Each message is
 * acknowledged only after it is stored.
 *
 * Sessions. A named instance (`instance`, `kiosk-fleet serve --instance`, the hostname by default)
 * connects over MQTT 5 as `kiosk-fleet-<instance>` with clean start off and a session expiry
 * interval (MQTT 5.0 §3.1.2.4, §3.1.2.11.2): what the broker had routed to it and not yet had
 * acknowledged when it died (SIGKILL, power) stays in that session, and the broker sends it again,
 * DUP set, when the instance comes back with the same name (§4.4). The broker keeps routing this
 * member's share of the group to the session while it is away (reference/fleet-telemetry.md §6
 * [EM6]), so a restart (systemd Restart=always) loses nothing; it only delays that share. The
 * messages are QoS 1, so MQTT.js keeps no incoming state for them (its incoming store holds QoS 2
 * only, and in memory); a message stored before the kill and resent after it is recognised by
 * kiosk and seq and counted as a duplicate (Ingestor). Without an instance name (embedding, tests
 * and benches that run several sources in one process) the client id is random and the session
 * clean, as is every MQTT 3.1.1 session: 3.1.1 has no session expiry, and the broker would keep an
 * abandoned one forever.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { FLEET_UP_FILTER, TOPIC_ROOT } from '../protocols/telemetry/index.js';
import { InOrderAcks } from './acks.js';
import type { Ingestor } from './ingest.js';
import type { Logger } from './log.js';

export interface SourceOptions {
  url: string;
  shareGroup: string;
  ingest: Ingestor;
  log: Logger;
  clientId?: string;
  /**
   * This fleet instance's name, unique among the instances sharing a group: gives the client id
   * `kiosk-fleet-<instance>` and a persistent MQTT 5 session (see above).
   */
  instance?: string;
  /** How long the broker keeps this instance's session once it is gone (MQTT 5 session expiry); default 3600. */
  sessionExpirySec?: number;
  /** Pause between connection attempts (negotiation and reconnects). */
  retryMs?: number;
  /**
   * MQTT 5 brokers do not replay retained messages into a shared subscription, so after each
   * connect the fleet also holds a plain subscription to the retained channels this long, to pick
   * up births and wills it missed while away. Replays are idempotent (session and seq rules).
   */
  catchupMs?: number;
  /** Clock for `listeningSince` (the fleet's injected clock). */
  now?: () => number;
  /** Called when the fleet starts or stops hearing the broker. */
  onListening?: (listening: boolean) => void;
  /** Messages taken ahead of the oldest one not yet stored (see acks.ts); 1 stores one at a time. */
  window?: number;
}

const RETAINED_FILTERS = [`${TOPIC_ROOT}/+/status`, `${TOPIC_ROOT}/+/state`];

export function sharedFilter(group: string): string {
  return `$share/${group}/${FLEET_UP_FILTER}`;
}

/** CONNACK refusals that mean "this broker does not speak MQTT 5". */
function refusesV5(err: Error & { code?: number }): boolean {
  return err.code === 1 || err.code === 0x84 || /protocol version/i.test(err.message);
}

export class MqttSource {
  protocolVersion: 4 | 5 | undefined;
  /**
   * Since when the fleet has been subscribed without a break; undefined while it is not. Silence
   * from the kiosks while the fleet itself cannot hear the broker proves nothing about them.
   */
  listeningSince: number | undefined;
  private client: MqttClient | undefined;
  private stopped = false;
  private catchupTimer: NodeJS.Timeout | undefined;
  /** The client of the connection attempt in progress, so stopping can abandon it. */
  private pending: MqttClient | undefined;
  /** Cuts a wait between connection attempts short when stopping. */
  private wake: (() => void) | undefined;
  private readonly clientId: string;
  /** Messages taken from the broker whose store has not finished, and when the last one came. */
  private handling = 0;
  private lastMessageAt = 0;
  /** The CONNACK's session-present flag: the broker resumed this instance's session. */
  sessionPresent = false;

  constructor(private readonly opts: SourceOptions) {
    this.clientId = opts.clientId ?? (opts.instance !== undefined ? instanceClientId(opts.instance) : `kiosk-fleet-${hostname().toLowerCase()}-${randomBytes(3).toString('hex')}`);
  }

  /** Whether this source keeps its session across connections (a named instance on MQTT 5). */
  private persistent(version: 4 | 5): boolean {
    return version === 5 && this.opts.instance !== undefined && (this.opts.sessionExpirySec ?? 3600) > 0;
  }

  private setListening(on: boolean): void {
    const was = this.listeningSince !== undefined;
    this.listeningSince = on ? (this.opts.now ? this.opts.now() : Date.now()) : undefined;
    if (was !== on) this.opts.onListening?.(on);
  }

  /** Connects (retrying until it can, or until stopped) and resolves once subscribed. */
  async start(): Promise<void> {
    let version: 4 | 5 = 5;
    while (!this.stopped) {
      let client: MqttClient | undefined;
      try {
        client = await this.attempt(version);
        if (this.stopped) {
          client.end(true);
          break;
        }
        this.protocolVersion = version;
        this.client = client;
        this.opts.log.info(
          { url: redact(this.opts.url), protocolVersion: version, clientId: this.clientId, persistent: this.persistent(version), sessionPresent: this.sessionPresent },
          'connected',
        );
        await this.subscribe(client);
        this.setListening(true);
        client.options.reconnectPeriod = this.opts.retryMs ?? 2000;
        const live = client;
        live.on('connect', (connack) => {
          this.opts.log.info({ protocolVersion: version, sessionPresent: connack.sessionPresent }, 'reconnected');
          this.subscribe(live).then(
            () => this.setListening(true),
            (err: unknown) => this.opts.log.error({ err }, 'subscribe after reconnect failed'),
          );
        });
        live.on('close', () => this.setListening(false));
        live.on('offline', () => this.opts.log.warn('broker connection lost; reconnecting'));
        // MQTT 5.0 §3.14.2.1 reason 0x8E: another client connected with this client id, i.e. two
        // instances run under one --instance name and would take the session from each other in turn.
        live.on('disconnect', (packet) => {
          if (packet.reasonCode === 0x8e) this.opts.log.error({ clientId: this.clientId }, 'session taken over by another client with this id; give each instance its own --instance name');
        });
        return;
      } catch (err) {
        // Connected but not subscribed (or stopped meanwhile): drop this client and start over.
        if (client) {
          this.client = undefined;
          client.end(true);
        }
        const e = err as Error & { code?: number };
        if (version === 5 && !client && refusesV5(e)) {
          this.opts.log.info({ error: e.message }, 'broker refuses MQTT 5; using 3.1.1 without shared subscription');
          version = 4;
          continue;
        }
        this.opts.log.warn({ url: redact(this.opts.url), error: e.message }, 'cannot connect to the broker; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.retryMs ?? 2000);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
    throw new Error('stopped before connecting');
  }

  private attempt(version: 4 | 5): Promise<MqttClient> {
    const options: IClientOptions = {
      protocolVersion: version,
      clientId: this.clientId,
      clean: !this.persistent(version),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: false,
      ...(version === 5 ? { properties: { sessionExpiryInterval: this.persistent(version) ? (this.opts.sessionExpirySec ?? 3600) : 0 } } : {}),
    };
    return new Promise((resolve, reject) => {
      const client = connect(this.opts.url, options);
      this.pending = client;
      // Several messages stored at once, each kiosk's still in order (Ingestor), PUBACKs in arrival order.
      const acks = new InOrderAcks(client, this.opts.window ?? 32);
      client.handleMessage = (packet, done) => {
        this.handling++;
        this.lastMessageAt = Date.now();
        // A message taken from the stream proves the link as well as a PINGRESP does. MQTT.js
        // reads packets one at a time, so after a burst (every kiosk reconnecting at once) the
        // PINGRESP waits behind thousands of messages; counting only it would drop a healthy
        // connection for "keepalive timeout" and, with a clean session, its queue with it.
        client.reschedulePing(true);
        const work = this.opts.ingest.handle(packet.topic, packet.payload as Uint8Array).then(
          () => {
            this.handling--;
          },
          (err: unknown) => {
            this.handling--;
            // A store failure: log it and acknowledge anyway, so one bad write cannot wedge the stream.
            this.opts.log.error({ err, topic: packet.topic }, 'message could not be stored');
          },
        );
        acks.take(packet, done, work);
      };
      const onError = (err: Error): void => {
        client.removeListener('connect', onConnect);
        client.end(true);
        reject(err);
      };
      const onClose = (): void => onError(new Error('connection closed before CONNACK'));
      const onConnect = (connack: { sessionPresent: boolean }): void => {
        this.sessionPresent = connack.sessionPresent;
        // No longer an attempt in progress: stop() must drain this client, not cut it off.
        if (this.pending === client) this.pending = undefined;
        client.removeListener('error', onError);
        client.removeListener('close', onClose);
        client.on('error', (err) => this.opts.log.warn({ error: err.message }, 'broker connection error'));
        resolve(client);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
    });
  }

  private async subscribe(client: MqttClient): Promise<void> {
    if (this.protocolVersion === 5) {
      await client.subscribeAsync(sharedFilter(this.opts.shareGroup), { qos: 1 });
      // With a persistent session this plain subscription is part of the session until the
      // unsubscribe below; an instance killed inside the window keeps it while away (the broker
      // queues every kiosk's status and state for it, replays that are idempotent) and drops it
      // catchupMs after it is back, or with the session when it expires.
      const catchupMs = this.opts.catchupMs ?? 5000;
      if (catchupMs > 0) {
        await client.subscribeAsync(RETAINED_FILTERS, { qos: 1 });
        clearTimeout(this.catchupTimer);
        this.catchupTimer = setTimeout(() => {
          client.unsubscribeAsync(RETAINED_FILTERS).catch(() => undefined);
        }, catchupMs);
        this.catchupTimer.unref();
      }
      this.opts.log.info({ filter: sharedFilter(this.opts.shareGroup) }, 'subscribed (shared)');
    } else {
      await client.subscribeAsync(FLEET_UP_FILTER, { qos: 1 });
      this.opts.log.info({ filter: FLEET_UP_FILTER }, 'subscribed');
    }
  }

  /**
   * Stops reading. A member of a share group first leaves the group and takes in what the broker
   * had already routed to it, so the next member need not wait for this one to come back (and a
   * clean-start member does not drop its share in flight). Bounded by `drainMs`.
   */
  async stop(drainMs = 10_000): Promise<void> {
    this.stopped = true;
    this.listeningSince = undefined;
    this.wake?.();
    this.pending?.end(true);
    clearTimeout(this.catchupTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.protocolVersion === 5 && client.connected && drainMs > 0) {
      const end = Date.now() + drainMs;
      const left = (): number => Math.max(0, end - Date.now());
      await Promise.race([client.unsubscribeAsync([sharedFilter(this.opts.shareGroup), ...RETAINED_FILTERS]), sleep(left())]).catch(() => undefined);
      // Quiet for a moment with nothing being stored: the broker has handed over what it held.
      while (Date.now() < end && client.connected && (this.handling > 0 || Date.now() - this.lastMessageAt < 300)) await sleep(50);
      if (this.handling > 0) this.opts.log.warn({ handling: this.handling }, 'stopping with messages still being stored');
    }
    // Left the group and drained: the session has nothing more to keep, so end it with the
    // connection (MQTT 5.0 §3.14.2.2.2, session expiry 0 at DISCONNECT).
    const disconnect = this.persistent(this.protocolVersion ?? 4) ? { properties: { sessionExpiryInterval: 0 } } : {};
    await client.endAsync(false, disconnect).catch(() => client.end(true));
  }
}

/** The client id of a named fleet instance; the `kiosk-fleet` prefix is what the embedded broker's ACL grants (broker-acl.ts). */
export function instanceClientId(instance: string): string {
  return `kiosk-fleet-${instance}`;
}

/** A valid --instance name: it goes into the client id, so letters, digits, '.', '_' and '-'. */
export const INSTANCE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The broker URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
