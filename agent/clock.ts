/**
 * The agent's clock: the time fields of every upward message (`ts`, `mono`, `boot`, `synced`,
 * DESIGN §5) and whether the wall clock can be trusted.
 *
 * A Raspberry Pi has no real-time clock. After a boot without network, systemd-timesyncd or
 * fake-hwclock restore a *plausible* time (the last one saved), not a correct one
 * (reference/fleet-telemetry.md §8 [CL1][CL3]). So every message says whether its `ts` was taken
 * while the clock was trusted, and carries the boot id and the monotonic time since boot, from which
 * central re-dates the unsynced records of a boot once a synced one of the same boot arrives.
 *
 * Trust comes from configuration (`clock.trust`):
 * - `always`: something we trust keeps the wall clock right, e.g. an RTC HAT (source `assumed`);
 * - `never`: the wall clock is never trusted (source `none`);
 * - `auto` (default): trusted once NTP says so — timesyncd touches `/run/systemd/timesync/synchronized`
 *   on each synchronisation [CL2], and `timedatectl show -p NTPSynchronized` reports the kernel's
 *   sync status for any NTP daemon (chrony, ntpd) — or once a time hint from central agrees with our
 *   clock (source `central`). NTP status is re-read at most every 60 s, in the background: `now()`
 *   never waits for it.
 *
 * `mono` comes from `process.hrtime.bigint()`: libuv's uv_hrtime reads CLOCK_MONOTONIC on Linux, which
 * counts from boot and is immune to wall-clock steps [CL5] (it stops during suspend, unlike
 * CLOCK_BOOTTIME [CL6]; a kiosk does not suspend).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { type Logger, silentLogger } from '../drivers/common/logger.js';

export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';
/** Touched by systemd-timesyncd at each successful synchronisation; its mtime is the last sync. */
export const TIMESYNC_FLAG_PATH = '/run/systemd/timesync/synchronized';

export type ClockTrust = 'auto' | 'always' | 'never';
export type ClockSource = 'ntp' | 'central' | 'assumed' | 'none';

export interface ClockReading {
  /** Wall clock, ms since the Unix epoch (Date.now()). */
  ts: number;
  /** Monotonic ms since boot, an integer. */
  mono: number;
  /** Boot id. */
  boot: string;
  /** Whether the wall clock is trusted. */
  synced: boolean;
}

// A type alias, not an interface, so it fits the open `clock` section of the state message.
export type ClockInfo = {
  synced: boolean;
  source: ClockSource;
  /** Wall-clock ms of the last synchronisation we know of (NTP or a hint from central). */
  lastSyncTs?: number;
};

/** What `onChange` listeners receive when `synced` flips. */
export interface ClockChange {
  synced: boolean;
  source: ClockSource;
  previousSource: ClockSource;
  /**
   * How far the wall clock moved against the monotonic clock since the previous check, ms
   * (positive: moved forward). When NTP first synchronises this is the step it applied.
   */
  stepMs: number;
  /** For a hint from central: our clock minus central's, ms. */
  skewMs?: number;
  ts: number;
  mono: number;
}

export interface CommandResult {
  /** Exit code. */
  code: number;
  stdout: string;
}
/** Runs a program; rejects only when it cannot be run at all (not found, timed out). */
export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

export interface ClockOptions {
  trust?: ClockTrust;
  logger?: Logger;
  /** Reads a text file; rejects when it is missing or unreadable. */
  readFile?: (path: string) => Promise<string>;
  /** The mtime of a file, or undefined when it does not exist. */
  statFile?: (path: string) => Promise<{ mtimeMs: number } | undefined>;
  runCommand?: CommandRunner;
  /** Wall clock (Date.now). */
  now?: () => number;
  /** Monotonic clock in ns (process.hrtime.bigint). */
  hrtime?: () => bigint;
  /** Minimum time between two NTP status checks, ms (default 60 s). */
  refreshIntervalMs?: number;
  /**
   * How close a hint from central must be to our clock for us to trust it, ms (default 2 min):
   * far more than a round trip over 2G, far less than the hours or days a restored clock is off
   * after a power cut, and ample for the day-level arithmetic of the 30-day inactivity rule.
   */
  centralToleranceMs?: number;
  onChange?: (change: ClockChange) => void;
}

const DEFAULT_REFRESH_MS = 60_000;
const DEFAULT_CENTRAL_TOLERANCE_MS = 120_000;
const COMMAND_TIMEOUT_MS = 5_000;

/** Runs a program with a timeout; a non-zero exit resolves with its code. */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
      if (!err) return resolve({ code: 0, stdout });
      if (typeof err.code === 'number') return resolve({ code: err.code, stdout });
      // Not run at all (ENOENT, EACCES) or killed on timeout: keep the errno code for the caller.
      reject(Object.assign(new Error(err.message), { code: err.code ?? (err.killed ? 'ETIMEDOUT' : undefined) }));
    });
  });

async function statMtime(path: string): Promise<{ mtimeMs: number } | undefined> {
  try {
    return { mtimeMs: (await stat(path)).mtimeMs };
  } catch {
    return undefined;
  }
}

type Listener = (change: ClockChange) => void;

export class Clock {
  readonly trust: ClockTrust;
  readonly boot: string;
  readonly #log: Logger;
  readonly #statFile: (path: string) => Promise<{ mtimeMs: number } | undefined>;
  readonly #run: CommandRunner;
  readonly #now: () => number;
  readonly #hrtime: () => bigint;
  readonly #refreshMs: number;
  readonly #toleranceMs: number;
  readonly #listeners = new Set<Listener>();

  #synced: boolean;
  #source: ClockSource;
  #lastSyncTs: number | undefined;
  /** Latest NTP status read (auto only). */
  #ntp = false;
  /** The wall-minus-monotonic offset when central's hint was accepted. */
  #centralOffset: number | undefined;
  /** The wall-minus-monotonic offset at the previous evaluation, for `stepMs`. */
  #lastOffset: number;
  #lastRefreshMono: number | undefined;
  #refreshing: Promise<void> | undefined;
  #timedatectlMissing = false;
  #skewWarned = false;
  /** Set once `create` has read the initial state, which is not a change to report. */
  #started = false;
  #closed = false;

  private constructor(opts: ClockOptions, boot: string) {
    this.trust = opts.trust ?? 'auto';
    this.boot = boot;
    this.#log = opts.logger ?? silentLogger;
    this.#statFile = opts.statFile ?? statMtime;
    this.#run = opts.runCommand ?? runCommand;
    this.#now = opts.now ?? Date.now;
    this.#hrtime = opts.hrtime ?? (() => process.hrtime.bigint());
    this.#refreshMs = opts.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
    this.#toleranceMs = opts.centralToleranceMs ?? DEFAULT_CENTRAL_TOLERANCE_MS;
    if (opts.onChange) this.#listeners.add(opts.onChange);
    this.#synced = this.trust === 'always';
    this.#source = this.trust === 'always' ? 'assumed' : 'none';
    this.#lastOffset = this.#now() - this.#mono();
  }

  /** Reads the boot id and, in `auto`, the NTP status once before returning. */
  static async create(opts: ClockOptions = {}): Promise<Clock> {
    const log = opts.logger ?? silentLogger;
    let boot: string;
    try {
      boot = (await (opts.readFile ?? ((p: string) => readFile(p, 'utf8')))(BOOT_ID_PATH)).trim();
      if (!boot) throw new Error('empty boot id');
    } catch (err) {
      // Not Linux, or /proc is hidden: a random id, fixed for the life of this process, still
      // keeps apart the monotonic readings of different runs.
      boot = randomUUID();
      log.warn({ err: (err as Error).message, boot }, 'boot id unreadable; using a random id for this run');
    }
    const clock = new Clock(opts, boot);
    if (clock.trust === 'auto') await clock.refresh();
    clock.#started = true;
    log.info({ trust: clock.trust, ...clock.info(), boot }, 'clock');
    return clock;
  }

  #mono(): number {
    return Number(this.#hrtime() / 1_000_000n);
  }

  /** The time fields of a message. Never blocks; may start a background NTP check. */
  now(): ClockReading {
    const ts = this.#now();
    const mono = this.#mono();
    this.#maybeRefresh(mono);
    return { ts, mono, boot: this.boot, synced: this.#synced };
  }

  /** Clock quality for the state snapshot. */
  info(): ClockInfo {
    this.#maybeRefresh(this.#mono());
    return {
      synced: this.#synced,
      source: this.#source,
      ...(this.#lastSyncTs !== undefined ? { lastSyncTs: this.#lastSyncTs } : {}),
    };
  }

  /** Registers a listener for flips of `synced`; returns a function that removes it. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A time hint from central (e.g. the timestamp of a message it sent). When our clock is within
   * the tolerance of it, the clock is trusted with source `central` until NTP takes over or the
   * wall clock is stepped by more than the tolerance. Returns whether the hint was accepted.
   * Ignored unless `trust` is `auto`.
   */
  hintFromCentral(centralTs: number): boolean {
    if (this.trust !== 'auto' || this.#closed || !Number.isFinite(centralTs)) return false;
    const ts = this.#now();
    const skewMs = Math.round(ts - centralTs);
    if (Math.abs(skewMs) > this.#toleranceMs) {
      const fields = { skewMs, toleranceMs: this.#toleranceMs };
      if (!this.#skewWarned) this.#log.warn(fields, 'wall clock disagrees with central; not trusted');
      else this.#log.debug(fields, 'wall clock disagrees with central');
      this.#skewWarned = true;
      return false;
    }
    this.#skewWarned = false;
    this.#centralOffset = ts - this.#mono();
    if (this.#source !== 'ntp') this.#lastSyncTs = ts;
    this.#evaluate(skewMs);
    return true;
  }

  /** Re-reads the NTP status now (at most one check at a time). Never rejects. */
  refresh(): Promise<void> {
    if (this.trust !== 'auto' || this.#closed) return Promise.resolve();
    this.#refreshing ??= this.#readNtp().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Stops background checks and drops the listeners. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }

  #maybeRefresh(mono: number): void {
    if (this.trust !== 'auto' || this.#closed || this.#refreshing) return;
    // Rate-limited on the monotonic clock, so a wall-clock step cannot stall or hasten it.
    if (this.#lastRefreshMono !== undefined && mono - this.#lastRefreshMono < this.#refreshMs) return;
    void this.refresh();
  }

  async #readNtp(): Promise<void> {
    this.#lastRefreshMono = this.#mono();
    // A check that fails (dbus busy, timeout) keeps the previous answer, so a transient error
    // does not flip the clock to untrusted and back.
    let ntp = this.#ntp;
    let syncTs: number | undefined;
    try {
      const flag = await this.#statFile(TIMESYNC_FLAG_PATH);
      if (flag) {
        ntp = true;
        syncTs = Math.round(flag.mtimeMs);
      } else if (!this.#timedatectlMissing) {
        // NTPSynchronized is the kernel's view (adjtimex), so this also covers chrony and ntpd.
        const r = await this.#run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
        const answer = r.stdout.trim();
        if (r.code === 0 && (answer === 'yes' || answer === 'no')) ntp = answer === 'yes';
        if (ntp) syncTs = this.#now();
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') {
        this.#timedatectlMissing = true;
        this.#log.info({}, 'timedatectl not found; NTP status from the timesyncd flag file only');
      } else {
        this.#log.debug({ err: e.message }, 'NTP status unreadable; taken as not synchronised');
      }
    }
    if (this.#closed) return;
    this.#ntp = ntp;
    if (syncTs !== undefined && (this.#lastSyncTs === undefined || syncTs > this.#lastSyncTs)) this.#lastSyncTs = syncTs;
    this.#evaluate();
  }

  /** Recomputes trust and tells the listeners when `synced` flips. */
  #evaluate(skewMs?: number): void {
    const ts = this.#now();
    const mono = this.#mono();
    const offset = ts - mono;
    if (this.#centralOffset !== undefined && Math.abs(offset - this.#centralOffset) > this.#toleranceMs) {
      // Something other than NTP stepped the wall clock since central vouched for it.
      this.#log.warn({ stepMs: Math.round(offset - this.#centralOffset) }, 'wall clock stepped since the hint from central; no longer trusted');
      this.#centralOffset = undefined;
    }
    let synced: boolean;
    let source: ClockSource;
    if (this.trust === 'always') [synced, source] = [true, 'assumed'];
    else if (this.trust === 'never') [synced, source] = [false, 'none'];
    else if (this.#ntp) [synced, source] = [true, 'ntp'];
    else if (this.#centralOffset !== undefined) [synced, source] = [true, 'central'];
    else [synced, source] = [false, 'none'];

    const stepMs = Math.round(offset - this.#lastOffset);
    this.#lastOffset = offset;
    const previousSource = this.#source;
    const flipped = synced !== this.#synced;
    this.#synced = synced;
    this.#source = source;
    if (previousSource !== source) this.#log.info({ synced, source, previousSource, stepMs }, 'clock trust changed');
    if (!flipped || !this.#started) return;
    const change: ClockChange = { synced, source, previousSource, stepMs, ts, mono, ...(skewMs !== undefined ? { skewMs } : {}) };
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'clock listener failed');
      }
    }
  }
}
