/**
 * The Megatec back-ends (`megatec-serial`, `megatec-hid`): Q1 every poll, F and I once per connection
 * (both optional: some units lock up when asked, NUT `norating`/`novendor`, reference §1.5), charge
 * estimated from battery voltage as NUT does (§1.7). Garbage, NAK, echo and silence become UpsError
 * codes, never exceptions out of the driver; after `maxFailures` consecutive failed polls the link is
 * reopened (NUT resets a 0665:5161 after 3 overflows, §2.5), and a vanished port is reopened with backoff.
 */
import { Backoff } from '../common/backoff.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { type BatteryConfig, commandOutcome, parseF, parseI, parseQ1, type Rating, type VendorInfo } from '../../protocols/megatec/index.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { errorCode, isUpsError, UpsError, UpsErrorCode } from './errors.js';
import type { MegatecLink, OpenMegatecLink } from './megatec-link.js';
import type { UpsCommand, UpsSource } from './source.js';
import { stateFromQ1, type UpsState } from './state.js';

/**
 * NUT's Megatec mapping [nut:drivers/nutdrv_qx_megatec.c; reference §1.2]: T = 10 s test, TL = test
 * until battery low, CT = cancel test, Q = toggle beeper (not a query!), C = cancel shutdown.
 */
export const MEGATEC_COMMANDS: Record<UpsCommand, string> = {
  'test.battery.start.quick': 'T',
  'test.battery.start.deep': 'TL',
  'test.battery.stop': 'CT',
  'beeper.toggle': 'Q',
  'shutdown.stop': 'C',
};

export interface MegatecSourceOptions {
  backend: 'megatec-serial' | 'megatec-hid';
  open: OpenMegatecLink;
  /** Reply timeout per query, ms. Default 1000 (NUT SER_WAIT_SEC; Best UPS units may need 3000). */
  queryTimeoutMs?: number;
  /** Skip the F query (NUT `norating`). */
  noRating?: boolean;
  /** Skip the I query (NUT `novendor`). */
  noVendor?: boolean;
  /** The unit always reports b1 = 1 (NUT `ignoresab`). */
  ignoreShutdownBit?: boolean;
  battery?: BatteryConfig;
  /** Consecutive failed polls before the link is reopened. Default 3. */
  maxFailures?: number;
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
  random?: () => number;
  clock?: Clock;
  logger?: Logger;
}

export class MegatecSource implements UpsSource {
  readonly backend: 'megatec-serial' | 'megatec-hid';
  #o: MegatecSourceOptions;
  #clock: Clock;
  #log: Logger;
  #backoff: Backoff;
  #link: MegatecLink | undefined;
  #opening: Promise<void> | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #failures = 0;
  #rating: Rating | undefined;
  /** Serialises link use: a poll and a technician's command must not interleave on one port. */
  #queue: Promise<unknown> = Promise.resolve();
  #vendor: VendorInfo | undefined;

  constructor(opts: MegatecSourceOptions) {
    this.backend = opts.backend;
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = (opts.logger ?? silentLogger).child({ ns: `kiosk:driver:ups:${opts.backend}` });
    this.#backoff = new Backoff({ baseMs: opts.reconnectBaseMs ?? 1000, capMs: opts.reconnectCapMs ?? 30_000, ...(opts.random ? { random: opts.random } : {}) });
  }

  get connected(): boolean {
    return this.#link !== undefined;
  }

  get rating(): Rating | undefined {
    return this.#rating;
  }

  get vendor(): VendorInfo | undefined {
    return this.#vendor;
  }

  start(): Promise<void> {
    this.#stopped = false;
    return this.#open();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    await this.#opening;
    const link = this.#link;
    this.#link = undefined;
    await link?.close().catch(() => undefined);
  }

  async read(): Promise<UpsState> {
    const link = this.#link;
    if (!link) throw new UpsError(UpsErrorCode.NotConnected, `${this.backend}: port not open`);
    try {
      const reply = await this.#query(link, 'Q1');
      const q1 = parseQ1(reply);
      if (!q1.ok) throw new UpsError(UpsErrorCode.BadReply, `Q1: ${q1.error.message}`, { cause: q1.error, context: { reply: q1.error.context.reply } });
      this.#failures = 0;
      return stateFromQ1(
        q1.value,
        { backend: this.backend, rating: this.#rating, vendor: this.#vendor, battery: this.#o.battery ?? {}, ignoreShutdownBit: this.#o.ignoreShutdownBit },
        this.#clock.now(),
      );
    } catch (e) {
      if (++this.#failures >= (this.#o.maxFailures ?? 3) && this.#link === link) {
        this.#log.warn({ failures: this.#failures, code: errorCode(e) }, 'reopening the UPS port after repeated failures');
        this.#failures = 0;
        this.#lost(link, e instanceof Error ? e : new Error(String(e)));
        await link.close().catch(() => undefined);
      }
      throw isUpsError(e) ? e : new UpsError(UpsErrorCode.BadReply, String(e), { cause: e });
    }
  }

  #query(link: MegatecLink, command: string): Promise<string> {
    const run = this.#queue.then(() => link.query(command, this.#o.queryTimeoutMs ?? 1000));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Instant commands have no reply on success: NUT counts silence or an ACK as accepted and an echo
   * or NAK as rejected [nut:drivers/nutdrv_qx.c instcmd; reference §1.6].
   */
  async command(cmd: UpsCommand): Promise<void> {
    const link = this.#link;
    if (!link) throw new UpsError(UpsErrorCode.NotConnected, `${this.backend}: port not open`);
    const wire = MEGATEC_COMMANDS[cmd];
    let reply: string | undefined;
    try {
      reply = await this.#query(link, wire);
    } catch (e) {
      if (!(isUpsError(e) && e.code === UpsErrorCode.Timeout)) throw e;
    }
    if (commandOutcome(reply) === 'rejected') {
      throw new UpsError(UpsErrorCode.Refused, `UPS rejected ${cmd} (${wire})`, { context: { reply } });
    }
  }

  #open(): Promise<void> {
    this.#opening ??= (async () => {
      try {
        const link = await this.#o.open();
        if (this.#stopped) {
          await link.close().catch(() => undefined);
          return;
        }
        link.onClose((reason) => this.#lost(link, reason));
        this.#link = link;
        this.#failures = 0;
        await this.#identify(link);
        this.#backoff.reset();
        this.#log.info({ model: this.#vendor?.model ?? null, nominal: this.#rating?.batteryVoltage ?? null }, 'UPS port open');
      } catch (e) {
        this.#log.debug({ code: errorCode(e), err: String(e) }, 'cannot open UPS port');
        this.#schedule();
      } finally {
        this.#opening = undefined;
      }
    })();
    return this.#opening;
  }

  /** F and I: cosmetic and once per connection; a failure is logged, never fatal (reference §1.5). */
  async #identify(link: MegatecLink): Promise<void> {
    if (!this.#o.noRating) {
      try {
        const f = parseF(await this.#query(link, 'F'));
        if (f.ok) this.#rating = f.value;
        else this.#log.debug({ code: f.error.code }, 'no usable F (rating) reply');
      } catch (e) {
        this.#log.debug({ code: errorCode(e) }, 'no F (rating) reply');
      }
    }
    if (!this.#o.noVendor) {
      try {
        const i = parseI(await this.#query(link, 'I'));
        if (i.ok) this.#vendor = i.value;
        else this.#log.debug({ code: i.error.code }, 'no usable I (vendor) reply');
      } catch (e) {
        this.#log.debug({ code: errorCode(e) }, 'no I (vendor) reply');
      }
    }
  }

  #lost(link: MegatecLink, reason: Error): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#log.warn({ err: reason.message }, 'UPS port lost');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    const delay = this.#backoff.next();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#open();
    }, delay);
  }
}
