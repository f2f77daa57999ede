/**
 * R30x / ZFM-20 / AS608 fingerprint module driver (issue 4 §2). Lifecycle:
 *
 *   stopped ─start()─► connecting ─handshake ok─► ready ─port gone─► disconnected ─backoff─► connecting …
 *                                  └─wrong password─► failed ─backoff (slow)─► connecting …
 *
 * It never exits the process: a missing or unplugged reader is a state, retried with jittered
 * backoff until `stop()`. Operations (capture, enroll, identify, verify, delete, clear) run one at
 * a time; each is a sequence of single in-flight commands on the link.
 */
import { EventEmitter } from 'node:events';
import { Backoff } from '../../common/backoff.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import {
  ConfirmationCode as CC,
  DEFAULT_ADDRESS,
  R30xConfirmationError,
  commands,
  expectOk,
  parseSysPara,
  parseTemplateNum,
  type Ack,
  type Command,
  type SysPara,
} from '../../../protocols/r30x/index.js';
import { FingerprintError, isFingerprintError, realTimers, type Timers } from '../errors.js';
import { R30xLink } from './link.js';
import { openSerialPort, type OpenPort, type R30xPort } from './port.js';
import { R30xOperations } from './operations.js';

export type ReaderState = 'stopped' | 'connecting' | 'ready' | 'disconnected' | 'failed';

export interface R30xHealth {
  state: ReaderState;
  path: string;
  /** From ReadSysPara (reference A3), once connected. */
  params?: Omit<SysPara, 'statusRegister'>;
  templateCount?: number;
  lastError?: { code: string; message: string; at: number };
  reconnects: number;
}

/** Per-command reply timeouts, ms; generous versions of LibDriver's waits (reference A1). */
export interface R30xTimeouts {
  default: number;
  genImg: number;
  img2Tz: number;
  search: number;
  /** Per data transfer, on top of the line time at the configured baud. */
  dataMargin: number;
}

export const DEFAULT_TIMEOUTS: R30xTimeouts = { default: 1000, genImg: 1500, img2Tz: 1500, search: 2000, dataMargin: 2000 };

export interface R30xDriverOptions {
  /** Prefer /dev/serial/by-id/… so the path survives re-enumeration. */
  path: string;
  /** Default 57,600 (reference A1). */
  baudRate?: number;
  /** Module address, default 0xFFFFFFFF. */
  address?: number;
  /** Module password, default 0 (reference A2). */
  password?: number;
  logger?: Logger;
  timers?: Timers;
  openPort?: OpenPort;
  backoff?: { baseMs: number; capMs: number };
  random?: () => number;
  timeouts?: Partial<R30xTimeouts>;
  /** GenImg poll interval while waiting for a finger, ms (default 100). */
  pollMs?: number;
}

export interface R30xEvents {
  state: [state: ReaderState, previous: ReaderState];
  health: [health: R30xHealth];
}

export class R30xDriver extends EventEmitter<R30xEvents> {
  readonly opts: Required<Omit<R30xDriverOptions, 'timeouts' | 'random'>> & { timeouts: R30xTimeouts };
  readonly #backoff: Backoff;
  #state: ReaderState = 'stopped';
  #health: R30xHealth;
  #link: R30xLink | undefined;
  #port: R30xPort | undefined;
  #retry: unknown;
  #generation = 0;
  readonly ops: R30xOperations;

  constructor(opts: R30xDriverOptions) {
    super();
    this.opts = {
      baudRate: 57600,
      address: DEFAULT_ADDRESS,
      password: 0,
      logger: silentLogger,
      timers: realTimers,
      openPort: openSerialPort,
      backoff: { baseMs: 500, capMs: 30_000 },
      pollMs: 100,
      ...opts,
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
    };
    this.#backoff = new Backoff({ ...this.opts.backoff, ...(opts.random ? { random: opts.random } : {}) });
    this.#health = { state: 'stopped', path: opts.path, reconnects: 0 };
    this.ops = new R30xOperations(this);
  }

  get state(): ReaderState {
    return this.#state;
  }

  health(): R30xHealth {
    return structuredClone(this.#health);
  }

  /** Opens the port and handshakes; resolves after the first attempt whatever its outcome. */
  async start(): Promise<void> {
    if (this.#state !== 'stopped') return;
    this.#generation++;
    await this.#connect(this.#generation);
  }

  async stop(): Promise<void> {
    this.#generation++;
    if (this.#retry !== undefined) this.opts.timers.clearTimeout(this.#retry);
    this.#retry = undefined;
    const port = this.#port;
    this.#port = undefined;
    this.#link = undefined;
    this.#setState('stopped');
    if (port) await port.close().catch(() => undefined);
  }

  /** Resolves when the reader is ready; rejects with FP_NOT_READY after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.opts.timers.setTimeout(() => {
        this.off('state', on);
        reject(new FingerprintError('FP_NOT_READY', 'The fingerprint reader is not ready', { context: { state: this.#state } }));
      }, timeoutMs);
      const on = (s: ReaderState): void => {
        if (s !== 'ready') return;
        this.opts.timers.clearTimeout(timer);
        this.off('state', on);
        resolve();
      };
      this.on('state', on);
    });
  }

  async #connect(gen: number): Promise<void> {
    const { logger, timers } = this.opts;
    this.#setState('connecting');
    let port: R30xPort;
    try {
      port = await this.opts.openPort(this.opts.path, this.opts.baudRate);
    } catch (e) {
      if (gen !== this.#generation) return;
      const err = new FingerprintError('FP_DISCONNECTED', 'The fingerprint reader is not connected', { context: { path: this.opts.path }, cause: e });
      this.#noteError(err);
      return this.#scheduleRetry(gen, 'disconnected');
    }
    if (gen !== this.#generation) {
      await port.close().catch(() => undefined);
      return;
    }
    this.#port = port;
    const link = new R30xLink(port, { address: this.opts.address, logger, timers });
    this.#link = link;
    port.onClose(() => {
      if (gen !== this.#generation || this.#link !== link) return;
      this.#link = undefined;
      this.#port = undefined;
      logger.warn({ path: this.opts.path }, 'fingerprint reader disconnected');
      this.#noteError(new FingerprintError('FP_DISCONNECTED', 'The fingerprint reader was disconnected'));
      this.#scheduleRetry(gen, 'disconnected');
    });
    try {
      await this.#handshake(link);
      if (gen !== this.#generation || this.#link !== link) return;
      this.#backoff.reset();
      this.#setState('ready');
      logger.info({ path: this.opts.path, capacity: this.#health.params?.capacity, templates: this.#health.templateCount }, 'fingerprint reader ready');
    } catch (e) {
      if (gen !== this.#generation || this.#link !== link) return;
      const err = isFingerprintError(e) ? e : new FingerprintError('FP_PROTOCOL', 'Handshake with the fingerprint reader failed', { cause: e });
      this.#noteError(err);
      this.#link = undefined;
      this.#port = undefined;
      await port.close().catch(() => undefined);
      this.#scheduleRetry(gen, err.code === 'FP_WRONG_PASSWORD' ? 'failed' : 'disconnected');
    }
  }

  /**
   * VfyPwd (retried: a ZFM-20 needs ~500 ms after power-on and ignores earlier bytes; reference
   * A1), then ReadSysPara and TemplateNum for health.
   */
  async #handshake(link: R30xLink): Promise<void> {
    let ack: Ack | undefined;
    for (let attempt = 0; attempt < 3 && !ack; attempt++) {
      try {
        ack = await link.command(commands.vfyPwd(this.opts.password), this.opts.timeouts.default);
      } catch (e) {
        if (!isFingerprintError(e, 'FP_TIMEOUT') || attempt === 2) throw e;
      }
    }
    if (ack!.cc === CC.WRONG_PASSWORD) {
      throw new FingerprintError('FP_WRONG_PASSWORD', 'The fingerprint reader refused the configured password', { cause: new R30xConfirmationError(ack!.cc, 'VfyPwd') });
    }
    this.check(ack!, 'VfyPwd');
    const sys = parseSysPara(this.check(await link.command(commands.readSysPara(), this.opts.timeouts.default), 'ReadSysPara').data);
    const { statusRegister: _s, ...params } = sys;
    this.#health.params = params;
    this.#health.templateCount = parseTemplateNum(this.check(await link.command(commands.templateNum(), this.opts.timeouts.default), 'TemplateNum').data);
  }

  #scheduleRetry(gen: number, state: 'disconnected' | 'failed'): void {
    if (gen !== this.#generation) return;
    this.#setState(state);
    // A wrong password will not fix itself quickly: retry at the slowest rate.
    const delay = state === 'failed' ? this.opts.backoff.capMs : this.#backoff.next();
    this.#health.reconnects++;
    this.#retry = this.opts.timers.setTimeout(() => {
      this.#retry = undefined;
      if (gen === this.#generation) void this.#connect(gen);
    }, delay);
  }

  #setState(s: ReaderState): void {
    const prev = this.#state;
    if (prev === s) return;
    this.#state = s;
    this.#health.state = s;
    this.emit('state', s, prev);
    this.emit('health', this.health());
  }

  #noteError(e: FingerprintError): void {
    // A reader left unplugged fails every retry the same way: warn once, then keep it at debug.
    const repeat = this.#health.lastError?.code === e.code && this.#state !== 'ready';
    this.#health.lastError = { code: e.code, message: e.message, at: Date.now() };
    this.opts.logger[repeat ? 'debug' : 'warn']({ code: e.code, ...e.context }, e.message);
  }

  // ---- used by R30xOperations ----

  /** The link, or FP_NOT_READY. */
  link(): R30xLink {
    if (this.#state !== 'ready' || !this.#link) {
      throw new FingerprintError('FP_NOT_READY', 'The fingerprint reader is not ready', { context: { state: this.#state } });
    }
    return this.#link;
  }

  /**
   * Runs one command on `link` (the link the operation started on: if the reader was unplugged
   * meanwhile, the command fails with FP_DISCONNECTED rather than running on a fresh module whose
   * buffers are empty), mapping a not-OK code (other than `accept`) to a driver error.
   */
  async run(link: R30xLink, cmd: Command, timeoutMs = this.opts.timeouts.default, accept: readonly number[] = []): Promise<Ack> {
    try {
      return this.check(await link.command(cmd, timeoutMs), cmd.name, accept);
    } catch (e) {
      if (isFingerprintError(e)) this.#noteError(e);
      throw e;
    }
  }

  check(ack: Ack, command: string, accept: readonly number[] = []): Ack {
    try {
      return expectOk(ack, command, accept);
    } catch (e) {
      throw toDriverError(e as R30xConfirmationError);
    }
  }

  setTemplateCount(n: number): void {
    this.#health.templateCount = n;
    this.emit('health', this.health());
  }

  capacity(): number {
    return this.#health.params?.capacity ?? 0;
  }
}

const QUALITY = new Set<number>([CC.IMAGE_FAIL, CC.IMAGE_TOO_DRY, CC.IMAGE_TOO_WET, CC.IMAGE_MESSY, CC.FEATURE_FAIL, CC.INVALID_IMAGE]);

/** Maps a confirmation code to the driver's codes (reference A6). */
export function toDriverError(c: R30xConfirmationError): FingerprintError {
  const code = QUALITY.has(c.cc)
    ? 'FP_POOR_QUALITY'
    : c.cc === CC.ENROLL_MISMATCH
      ? 'FP_ENROLL_MISMATCH'
      : c.cc === CC.LIBRARY_FULL
        ? 'FP_LIBRARY_FULL'
        : c.cc === CC.DB_READ_FAIL || c.cc === CC.TEMPLATE_EMPTY
          ? 'FP_EMPTY_SLOT'
          : c.cc === CC.WRONG_PASSWORD || c.cc === CC.PASSWORD_REQUIRED
            ? 'FP_WRONG_PASSWORD'
            : c.cc === CC.ALREADY_ENROLLED
              ? 'FP_ALREADY_ENROLLED'
              : 'FP_DEVICE_ERROR';
  return new FingerprintError(code, c.operatorMessage, { context: { cc: c.cc, ccName: c.ccName, command: c.command }, cause: c });
}
