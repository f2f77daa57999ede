/**
 * Megatec over RS-232 / USB-serial (reference §1.1): 2400 8N1, no flow control; DTR/RTS set the way
 * NUT's `cablepower` does (some interfaces draw power from them) with NUT's 100 ms settle; input
 * flushed before every command (a late reply to the previous one must not answer this one, #3282);
 * bytes gathered until the first CR, with a timeout. The port is opened by the `serialport` package.
 */
import { SerialPort } from 'serialport';
import { type Logger, silentLogger } from '../common/logger.js';
import { encodeCommand, LineAssembler } from '../../protocols/megatec/index.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { UpsError, UpsErrorCode } from './errors.js';
import type { MegatecLink } from './megatec-link.js';

/** NUT `cablepower` [nut:drivers/blazer_ser.c; nut:docs/man/nutdrv_qx.txt]: normal = DTR on, RTS off. */
export type CablePower = 'normal' | 'reverse' | 'both' | 'none';

const LINES: Record<CablePower, { dtr: boolean; rts: boolean }> = {
  normal: { dtr: true, rts: false },
  reverse: { dtr: false, rts: true },
  both: { dtr: true, rts: true },
  none: { dtr: false, rts: false },
};

export interface SerialLinkOptions {
  /** Prefer /dev/serial/by-id/… so the path survives re-enumeration. */
  path: string;
  /** Default 2400 (Megatec spec). */
  baudRate?: number;
  cablePower?: CablePower;
  /** Pause after setting DTR/RTS, ms. Default 100 (NUT). */
  settleMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export async function openSerialLink(opts: SerialLinkOptions): Promise<MegatecLink> {
  const clock = opts.clock ?? systemClock;
  const log = (opts.logger ?? silentLogger).child({ ns: 'kiosk:driver:ups:megatec-serial', path: opts.path });
  const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 2400, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (e) {
    throw new UpsError(UpsErrorCode.OpenFailed, `cannot open ${opts.path}`, { cause: e });
  }
  const lines = LINES[opts.cablePower ?? 'normal'];
  await new Promise<void>((resolve) =>
    port.set(lines, (err) => {
      // A pty (tests) or some USB-serial chips refuse modem-line ioctls; the data path still works.
      if (err) log.debug({ err: err.message }, 'cannot set DTR/RTS');
      resolve();
    }),
  );
  await sleep(clock, opts.settleMs ?? 100);
  return new SerialLink(port, clock, log);
}

class SerialLink implements MegatecLink {
  #assembler = new LineAssembler();
  #waiter: ((line: string | UpsError) => void) | undefined;
  #closeHandlers: ((reason: Error) => void)[] = [];
  #closed: Error | undefined;

  constructor(
    private readonly port: SerialPort,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    port.on('data', (chunk: Buffer) => {
      if (!this.#waiter) return; // unsolicited bytes: dropped, and flushed before the next command anyway
      const r = this.#assembler.push(chunk);
      if (!r) return;
      this.#waiter(r.ok ? r.value : new UpsError(UpsErrorCode.BadReply, r.error.message, { cause: r.error }));
    });
    port.on('error', (err) => log.debug({ err: err.message }, 'serial error'));
    port.on('close', (err?: Error | null) => {
      this.#closed = err ?? new Error('serial port closed');
      this.#waiter?.(new UpsError(UpsErrorCode.ConnectionClosed, 'serial port closed', { cause: err }));
      for (const fn of this.#closeHandlers) fn(this.#closed);
    });
  }

  async query(command: string, timeoutMs: number): Promise<string> {
    if (this.#closed) throw new UpsError(UpsErrorCode.ConnectionClosed, 'serial port closed');
    if (this.#waiter) throw new UpsError(UpsErrorCode.BadReply, 'query already in flight');
    const bytes = encodeCommand(command);
    if (!bytes.ok) throw new UpsError(UpsErrorCode.BadReply, bytes.error.message, { cause: bytes.error });
    await new Promise<void>((resolve) => this.port.flush(() => resolve()));
    this.#assembler.reset();
    return new Promise<string>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.#waiter = undefined;
        reject(new UpsError(UpsErrorCode.Timeout, `no reply to ${command} within ${timeoutMs} ms`, { context: { partial: this.#assembler.pending } }));
      }, timeoutMs);
      this.#waiter = (r) => {
        this.clock.clearTimeout(timer);
        this.#waiter = undefined;
        if (typeof r === 'string') resolve(r);
        else reject(r);
      };
      this.port.write(Buffer.from(bytes.value), (err) => {
        if (err) this.#waiter?.(new UpsError(UpsErrorCode.ConnectionClosed, `write failed: ${err.message}`, { cause: err }));
      });
      this.log.debug({ dir: '>', command }, 'query');
    });
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.port.isOpen) return resolve();
      // Drop DTR on exit like NUT does, then close.
      this.port.set({ dtr: false }, () => this.port.close(() => resolve()));
    });
  }

  onClose(fn: (reason: Error) => void): void {
    this.#closeHandlers.push(fn);
  }
}
