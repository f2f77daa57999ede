/**
 * Megatec over the USB-HID "serial shims" that node-hid can drive: 0665:5161 and most 06da:xxxx
 * (NUT's `cypress` subdriver, reference §2.2). The command plus CR, zero-padded to a multiple of 8,
 * goes out as 8-byte output reports (report ID 0, which hidraw turns into the same SET_REPORT
 * wValue 0x0200 transfer NUT sends); the reply comes back as 8-byte input reports read until a CR.
 * Before each command, reports still queued in the kernel (up to 64 per hidraw file) are drained:
 * otherwise an earlier reply is taken as this one's and every later answer is off by one (#3563,
 * #3282). Bytes after the CR in the last report are padding or stale junk (#1279, #1652) and dropped.
 * The krauler/fabula/hunnox/snr shims (0001:0000) need USB string-descriptor requests node-hid cannot
 * make (§2.4): those units go through NUT.
 */
import { type Logger, silentLogger } from '../common/logger.js';
import { encodeCommand, LineAssembler } from '../../protocols/megatec/index.js';
import { UpsError, UpsErrorCode } from './errors.js';
import type { MegatecLink } from './megatec-link.js';

/** The slice of node-hid's `HIDAsync` used here, so tests inject a fake device (no HID hardware needed). */
export interface HidDeviceLike {
  write(data: number[]): Promise<number>;
  /** One input report, or undefined/empty when `timeoutMs` passes without one. */
  read(timeoutMs?: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export interface HidLinkOptions {
  open: () => Promise<HidDeviceLike>;
  /** Report size of the shim's interrupt endpoint (wMaxPacketSize 8, #598). */
  reportSize?: number;
  /** Wait per drained report, ms. Default 15. */
  drainTimeoutMs?: number;
  /** Most stale reports drained before a command. Default 64 (HIDRAW_BUFFER_SIZE). */
  maxDrain?: number;
  logger?: Logger;
}

/** 0665:5161, the common Megatec USB shim. */
export const CYPRESS_SHIM = { vendorId: 0x0665, productId: 0x5161 } as const;

/** Opens the shim with node-hid (loaded only when used, so hosts without HID never load the addon). */
export function nodeHidOpener(target: { path?: string; vendorId?: number; productId?: number } = {}): () => Promise<HidDeviceLike> {
  return async () => {
    const { HIDAsync } = await import('node-hid');
    const dev = target.path
      ? await HIDAsync.open(target.path)
      : await HIDAsync.open(target.vendorId ?? CYPRESS_SHIM.vendorId, target.productId ?? CYPRESS_SHIM.productId);
    return dev;
  };
}

export async function openHidLink(opts: HidLinkOptions): Promise<MegatecLink> {
  let dev: HidDeviceLike;
  try {
    dev = await opts.open();
  } catch (e) {
    throw new UpsError(UpsErrorCode.OpenFailed, 'cannot open the UPS HID device', { cause: e });
  }
  return new HidLink(dev, opts);
}

class HidLink implements MegatecLink {
  #closeHandlers: ((reason: Error) => void)[] = [];
  #closed: Error | undefined;
  #busy = false;
  #log: Logger;
  #size: number;

  constructor(
    private readonly dev: HidDeviceLike,
    private readonly opts: HidLinkOptions,
  ) {
    this.#log = (opts.logger ?? silentLogger).child({ ns: 'kiosk:driver:ups:megatec-hid' });
    this.#size = opts.reportSize ?? 8;
  }

  async query(command: string, timeoutMs: number): Promise<string> {
    if (this.#closed) throw new UpsError(UpsErrorCode.ConnectionClosed, 'HID device gone');
    if (this.#busy) throw new UpsError(UpsErrorCode.BadReply, 'query already in flight');
    const bytes = encodeCommand(command);
    if (!bytes.ok) throw new UpsError(UpsErrorCode.BadReply, bytes.error.message, { cause: bytes.error });
    this.#busy = true;
    try {
      await this.#drain();
      const padded = new Uint8Array(Math.ceil(bytes.value.length / this.#size) * this.#size);
      padded.set(bytes.value);
      for (let i = 0; i < padded.length; i += this.#size) {
        // Leading 0 = unnumbered report ID (hidapi convention); not sent on the wire.
        await this.dev.write([0, ...padded.subarray(i, i + this.#size)]);
      }
      const line = new LineAssembler();
      // 256-byte cap / 8-byte reports, plus slack for a shim that sends empty reports.
      for (let n = 0; n < 40; n++) {
        const chunk = await this.dev.read(timeoutMs);
        if (!chunk || chunk.length === 0) {
          throw new UpsError(UpsErrorCode.Timeout, `no reply to ${command} within ${timeoutMs} ms`, { context: { partial: line.pending } });
        }
        const r = line.push(chunk);
        if (r) {
          if (!r.ok) throw new UpsError(UpsErrorCode.BadReply, r.error.message, { cause: r.error });
          return r.value;
        }
      }
      throw new UpsError(UpsErrorCode.BadReply, `reply to ${command} has no CR`, { context: { partial: line.pending } });
    } catch (e) {
      if (e instanceof UpsError) throw e;
      // node-hid throws on a device that was unplugged or re-enumerated (USB power transitions, §2.5).
      this.#gone(e instanceof Error ? e : new Error(String(e)));
      throw new UpsError(UpsErrorCode.ConnectionClosed, 'HID device gone', { cause: e });
    } finally {
      this.#busy = false;
    }
  }

  async #drain(): Promise<void> {
    let stale = 0;
    for (; stale < (this.opts.maxDrain ?? 64); stale++) {
      const r = await this.dev.read(this.opts.drainTimeoutMs ?? 15);
      if (!r || r.length === 0) break;
    }
    if (stale > 0) this.#log.debug({ reports: stale }, 'flushed stale HID reports');
  }

  #gone(reason: Error): void {
    if (this.#closed) return;
    this.#closed = reason;
    for (const fn of this.#closeHandlers) fn(reason);
  }

  async close(): Promise<void> {
    this.#gone(new Error('closed'));
    await this.dev.close().catch(() => undefined);
  }

  onClose(fn: (reason: Error) => void): void {
    this.#closeHandlers.push(fn);
  }
}
