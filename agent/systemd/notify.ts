/**
 * The sd_notify protocol (sd_notify(3)) for a Type=notify unit: READY=1 once the agent runs,
 * WATCHDOG=1 keep-alives within WatchdogSec, STATUS= for `systemctl status`, STOPPING=1 on shutdown.
 *
 * Node cannot send on a unix datagram socket (node:dgram is UDP only, node:net is stream only), so
 * each notification is sent by spawning `systemd-notify` (Debian's systemd package). Because the
 * datagram then comes from a child process, not from the main process:
 * - the unit must say NotifyAccess=all (see units.ts), or systemd drops messages from other PIDs;
 * - we pass `--pid=<our pid>`: systemd-notify sends MAINPID=<our pid> and, where permitted, credentials
 *   with our pid, so systemd attributes the message to the main process (systemd-notify(1));
 * - we keep systemd-notify's default synchronous mode (no `--no-block`): it waits on a BARRIER=1 until
 *   systemd has processed the message, so the child is still alive when systemd looks up which unit
 *   its pid belongs to. Otherwise a notification from a short-lived process can be lost.
 *
 * A notification never throws and never stops the agent: a failure is logged (once at warn, then at
 * debug) and the agent carries on — at worst systemd restarts it through the watchdog.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { type Logger, silentLogger } from '../../drivers/common/logger.js';

export interface NotifierOptions {
  logger?: Logger;
  /** Our pid, as sent in --pid (default process.pid). */
  pid?: number;
  /** The program that sends the datagram (default `systemd-notify`). */
  command?: string;
  /** A systemd-notify that has not finished by then is killed (default 10 s; its barrier waits 5 s). */
  timeoutMs?: number;
}

/** More queued notifications than this and new ones are dropped: systemd-notify is stuck. */
const MAX_QUEUED = 16;

export class SystemdNotifier {
  readonly #socket: string | undefined;
  readonly #watchdogUsec: number | undefined;
  readonly #watchdogPid: number | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #pid: number;
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #warned = new Set<string>();
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;

  private constructor(env: NodeJS.ProcessEnv, opts: NotifierOptions) {
    this.#socket = env['NOTIFY_SOCKET'] || undefined;
    const usec = Number(env['WATCHDOG_USEC']);
    this.#watchdogUsec = Number.isSafeInteger(usec) && usec > 0 ? usec : undefined;
    const wpid = env['WATCHDOG_PID'] ? Number(env['WATCHDOG_PID']) : undefined;
    this.#watchdogPid = wpid !== undefined && Number.isSafeInteger(wpid) ? wpid : undefined;
    // The child needs NOTIFY_SOCKET, and a PATH to find systemd-notify even when the caller passed
    // a minimal environment.
    this.#env = { ...env, PATH: env['PATH'] ?? process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
    this.#pid = opts.pid ?? process.pid;
    this.#command = opts.command ?? 'systemd-notify';
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#log = opts.logger ?? silentLogger;
  }

  /**
   * A notifier for the service manager named by NOTIFY_SOCKET; without it (not started by systemd,
   * or a unit that is not Type=notify) every method does nothing.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, logger?: Logger, opts: NotifierOptions = {}): SystemdNotifier {
    return new SystemdNotifier(env, { ...opts, ...(logger ? { logger } : {}) });
  }

  /** Whether notifications are sent at all (NOTIFY_SOCKET set). */
  get enabled(): boolean {
    return this.#socket !== undefined;
  }

  /** Start-up finished: systemd considers the unit started (Type=notify). */
  ready(status?: string): void {
    this.#send(status === undefined ? ['READY=1'] : ['READY=1', `STATUS=${oneLine(status)}`]);
  }

  /** Shutdown begun: systemd stops expecting watchdog pings. */
  stopping(): void {
    this.#send(['STOPPING=1']);
  }

  /** A one-line status shown by `systemctl status`. */
  status(text: string): void {
    this.#send([`STATUS=${oneLine(text)}`]);
  }

  /** Keep-alive for WatchdogSec. */
  watchdog(): void {
    this.#send(['WATCHDOG=1']);
  }

  /**
   * How often to call watchdog(), ms: half of WATCHDOG_USEC as sd_watchdog_enabled(3) advises, when
   * the watchdog is enabled for this process (WATCHDOG_PID unset or ours); otherwise undefined.
   */
  watchdogIntervalMs(): number | undefined {
    if (!this.enabled || this.#watchdogUsec === undefined) return undefined;
    if (this.#watchdogPid !== undefined && this.#watchdogPid !== this.#pid) return undefined;
    return Math.max(1, Math.floor(this.#watchdogUsec / 2000));
  }

  /** Resolves once every notification sent so far has been handed over (or has failed). */
  settled(): Promise<void> {
    return this.#chain;
  }

  #send(assignments: string[]): void {
    if (!this.enabled) return;
    if (this.#queued >= MAX_QUEUED) {
      this.#fail('systemd-notify is not keeping up; notification dropped', { assignments });
      return;
    }
    this.#queued++;
    // One at a time, in order: READY must not overtake an earlier STATUS, nor STOPPING a READY.
    this.#chain = this.#chain.then(() => this.#spawn(assignments)).finally(() => {
      this.#queued--;
    });
  }

  #spawn(assignments: string[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let stderr = '';
      let failed = false;
      let child: ChildProcessByStdio<null, null, Readable>;
      try {
        child = spawn(this.#command, [`--pid=${this.#pid}`, ...assignments], {
          env: this.#env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      } catch (err) {
        // Invalid arguments or environment (e.g. a NUL byte) throw synchronously.
        this.#fail('systemd-notify could not be started', { err: (err as Error).message, command: this.#command });
        resolve();
        return;
      }
      // Our own timer, not spawn's `timeout` option: that one is never cleared when the program
      // cannot be started, and would hold the event loop open for its full length.
      const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
      timer.unref();
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 500) stderr += chunk;
      });
      // Not installed or not executable: spawn reports it here, not by throwing.
      child.on('error', (err) => {
        failed = true;
        clearTimeout(timer);
        this.#fail('systemd-notify could not be started', { err: err.message, command: this.#command });
        resolve();
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (!failed && code !== 0) {
          this.#fail('systemd-notify failed', { code, signal, stderr: stderr.trim().split('\n')[0], assignments });
        }
        resolve();
      });
    });
  }

  /** Logs a failure at warn the first time, at debug after, so a broken notifier cannot flood the log. */
  #fail(msg: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(msg)) {
      this.#log.debug(fields, msg);
    } else {
      this.#warned.add(msg);
      this.#log.warn({ ...fields, socket: this.#socket }, msg);
    }
  }
}

/**
 * sd_notify assignments are newline-separated, so a newline in a status would start a new one; a NUL
 * cannot be passed in an argument at all.
 */
function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ').slice(0, 500);
}
