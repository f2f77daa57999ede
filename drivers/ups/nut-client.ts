/**
 * TCP client for upsd (reference §4). One request in flight: NUT replies carry no correlation id, so a
 * second request before the first reply would make the replies ambiguous. Every request has a timeout;
 * a timed-out request leaves the stream in an unknown position (its reply may still arrive), so the
 * connection is dropped and reopened rather than reused. Reconnects use jittered backoff and never end
 * until `stop()`. Codec and framing are the pure `protocols/nut`; this file only owns the socket.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Backoff } from '../common/backoff.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { isNutError, LineSplitter, logout, password, ReplyCollector, username, type NutRequest } from '../../protocols/nut/index.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { UpsError, UpsErrorCode } from './errors.js';

/** The part of `net.Socket` the client uses, so tests can hand in their own stream. */
export interface NutSocket {
  setEncoding(enc: BufferEncoding): unknown;
  write(data: string): boolean;
  destroy(err?: Error): unknown;
  on(ev: 'connect', fn: () => void): unknown;
  on(ev: 'data', fn: (chunk: string) => void): unknown;
  on(ev: 'error', fn: (err: Error) => void): unknown;
  on(ev: 'close', fn: () => void): unknown;
}

export interface NutClientOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 3493 (IANA). */
  port?: number;
  /** When set, USERNAME/PASSWORD are sent after every connect (needed only for INSTCMD/SET). */
  username?: string;
  password?: string;
  /** Per request, ms, covering queueing and the reply. Default 5000. */
  requestTimeoutMs?: number;
  /** TCP connect timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff window, ms. Default 500..30000. */
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Socket factory; default `net.createConnection`. */
  connect?: (host: string, port: number) => NutSocket;
}

interface Pending {
  req: NutRequest<unknown>;
  collector: ReplyCollector<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: TimerHandle;
}

export type NutClientState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'stopped';

export interface NutClientEvents {
  connected: [];
  disconnected: [reason: Error];
}

export class NutClient extends EventEmitter<NutClientEvents> {
  readonly host: string;
  readonly port: number;
  #opts: Required<Pick<NutClientOptions, 'requestTimeoutMs' | 'connectTimeoutMs'>> & NutClientOptions;
  #log: Logger;
  #clock: Clock;
  #backoff: Backoff;
  #state: NutClientState = 'idle';
  #socket: NutSocket | undefined;
  #splitter = new LineSplitter();
  #queue: Pending[] = [];
  #inFlight: Pending | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #firstAttempt: Promise<void> | undefined;

  constructor(opts: NutClientOptions = {}) {
    super();
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 3493;
    this.#opts = { requestTimeoutMs: 5000, connectTimeoutMs: 5000, ...opts };
    this.#log = (opts.logger ?? silentLogger).child({ ns: 'kiosk:driver:ups:nut', upsd: `${this.host}:${this.port}` });
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = new Backoff({
      baseMs: opts.reconnectBaseMs ?? 500,
      capMs: opts.reconnectCapMs ?? 30_000,
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  get state(): NutClientState {
    return this.#state;
  }

  /** Connects; resolves after the first attempt either way (a failure schedules a reconnect). */
  start(): Promise<void> {
    if (this.#state === 'stopped') return Promise.reject(new UpsError(UpsErrorCode.Stopped, 'client stopped'));
    this.#firstAttempt ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.off('connected', done);
        this.off('disconnected', done);
        resolve();
      };
      this.on('connected', done);
      this.on('disconnected', done);
      this.#connect();
    });
    return this.#firstAttempt;
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const socket = this.#socket;
    if (this.#state === 'ready' && socket) {
      // Polite goodbye so upsd does not log a dropped client; never wait long for it.
      await this.request(logout()).catch(() => undefined);
    }
    this.#state = 'stopped';
    if (this.#reconnectTimer) this.#clock.clearTimeout(this.#reconnectTimer);
    this.#failAll(new UpsError(UpsErrorCode.Stopped, 'client stopped'));
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  /** Sends one request; rejects with UpsError (timeout, closed, not connected) or NutError (ERR reply). */
  request<T>(req: NutRequest<T>): Promise<T> {
    if (this.#state !== 'ready') {
      return Promise.reject(new UpsError(UpsErrorCode.NotConnected, `not connected to upsd (${this.#state})`));
    }
    return this.#enqueue(req);
  }

  #enqueue<T>(req: NutRequest<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        req: req,
        collector: new ReplyCollector(req),
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: this.#clock.setTimeout(() => this.#onTimeout(p), this.#opts.requestTimeoutMs),
      };
      this.#queue.push(p);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inFlight || !this.#socket) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#inFlight = next;
    this.#log.debug({ dir: '>', line: redact(next.req.line) }, 'request');
    this.#socket.write(`${next.req.line}\n`);
  }

  #onTimeout(p: Pending): void {
    const err = new UpsError(UpsErrorCode.Timeout, `no reply to "${redact(p.req.line)}" within ${this.#opts.requestTimeoutMs} ms`);
    if (this.#inFlight === p) {
      // The reply may still come and would be taken as the answer to the next request: resync by reconnecting.
      this.#inFlight = undefined;
      p.reject(err);
      this.#drop(err);
      return;
    }
    const i = this.#queue.indexOf(p);
    if (i >= 0) this.#queue.splice(i, 1);
    p.reject(err);
  }

  #onLine(line: string): void {
    const p = this.#inFlight;
    if (!p) {
      this.#drop(new UpsError(UpsErrorCode.BadReply, 'unsolicited line from upsd', { context: { line } }));
      return;
    }
    const r = p.collector.push(line);
    if (!r) return;
    this.#inFlight = undefined;
    this.#clock.clearTimeout(p.timer);
    this.#log.debug({ dir: '<', ok: r.ok }, 'reply');
    if (r.ok) p.resolve(r.value);
    else p.reject(r.error);
    this.#pump();
  }

  #connect(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    this.#splitter.reset();
    const connect = this.#opts.connect ?? ((host: string, port: number) => net.createConnection({ host, port }));
    let socket: NutSocket;
    try {
      socket = connect(this.host, this.port);
    } catch (e) {
      this.#onClosed(new UpsError(UpsErrorCode.OpenFailed, 'cannot create socket', { cause: e }));
      return;
    }
    this.#socket = socket;
    socket.setEncoding('utf8');
    let closedWith: Error | undefined;
    const connectTimer = this.#clock.setTimeout(() => {
      closedWith = new UpsError(UpsErrorCode.Timeout, `connect timed out after ${this.#opts.connectTimeoutMs} ms`);
      socket.destroy();
    }, this.#opts.connectTimeoutMs);
    socket.on('connect', () => {
      this.#clock.clearTimeout(connectTimer);
      if (this.#socket !== socket) return;
      void this.#onConnected();
    });
    socket.on('data', (chunk) => {
      if (this.#socket !== socket) return;
      for (const line of this.#splitter.push(chunk)) this.#onLine(line);
      if (this.#splitter.overflow) this.#drop(new UpsError(UpsErrorCode.BadReply, 'reply line too long'));
    });
    socket.on('error', (err) => {
      closedWith ??= new UpsError(this.#state === 'connecting' ? UpsErrorCode.OpenFailed : UpsErrorCode.ConnectionClosed, err.message, { cause: err });
    });
    socket.on('close', () => {
      this.#clock.clearTimeout(connectTimer);
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#onClosed(closedWith ?? new UpsError(UpsErrorCode.ConnectionClosed, 'upsd closed the connection'));
    });
  }

  async #onConnected(): Promise<void> {
    if (this.#opts.username !== undefined && this.#opts.password !== undefined) {
      try {
        await this.#enqueue(username(this.#opts.username));
        await this.#enqueue(password(this.#opts.password));
      } catch (e) {
        // Read-only monitoring works without a login; only INSTCMD will fail, so keep the connection.
        if (!isNutError(e)) return;
        this.#log.error({ code: e.code }, 'upsd refused USERNAME/PASSWORD');
      }
    }
    if (this.#state !== 'connecting' || !this.#socket) return;
    this.#state = 'ready';
    this.#backoff.reset();
    this.#log.info({}, 'connected to upsd');
    this.emit('connected');
  }

  /** Drops the connection; the close handler schedules the reconnect. */
  #drop(reason: Error): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    socket.destroy();
    this.#onClosed(reason);
  }

  #onClosed(reason: Error): void {
    const wasReady = this.#state === 'ready';
    this.#failAll(new UpsError(UpsErrorCode.ConnectionClosed, 'connection to upsd lost', { cause: reason }));
    if (this.#state === 'stopped') return;
    this.#state = 'waiting';
    const delay = this.#backoff.next();
    const log = wasReady ? this.#log.warn.bind(this.#log) : this.#log.debug.bind(this.#log);
    log({ err: reason.message, retryInMs: delay, attempt: this.#backoff.attempt }, 'upsd connection down');
    this.emit('disconnected', reason);
    this.#reconnectTimer = this.#clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delay);
  }

  #failAll(err: Error): void {
    const all = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#queue];
    this.#inFlight = undefined;
    this.#queue = [];
    for (const p of all) {
      this.#clock.clearTimeout(p.timer);
      p.reject(err);
    }
  }
}

/** Never log a password. */
function redact(line: string): string {
  return line.startsWith('PASSWORD ') ? 'PASSWORD ***' : line;
}
