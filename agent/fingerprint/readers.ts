/**
 * The kiosk's fingerprint readers as the agent runs them: the R30x driver (which holds the
 * serial port; nothing else on the kiosk may open it) and periodic RD-service health polls,
 * both reported into the device registry (`fingerprint`, `rdService`) with reader events on
 * transitions. Also the technician's operations behind the local API.
 */
import type { Logger } from '../../drivers/common/logger.js';
import { realTimers, type Timers } from '../../drivers/fingerprint/errors.js';
import type { R30xDriver, R30xHealth } from '../../drivers/fingerprint/r30x/driver.js';
import type { OpenPort } from '../../drivers/fingerprint/r30x/port.js';
import type { RdClientOptions, RdServiceClient } from '../../drivers/fingerprint/rd-service/client.js';
import type { DeviceInfo } from '../../protocols/rd-service/device-info.js';
import type { RdHealth } from '../../protocols/rd-service/health.js';
import type { PidCapture, PidOptionsInput } from '../../protocols/rd-service/index.js';
import type { DeviceHealth } from '../../protocols/telemetry/state.js';
import type { EkycConfig } from '../ekyc/config.js';
import type { FingerprintConfig } from './config.js';
import { R30xHealthTracker, RdHealthTracker, type ReaderEvent } from './health.js';
import { fingerprintProblems, toProblem } from './problems.js';
import type { FingerprintApi, FingerprintInfo } from './routes.js';

/** The part of RdServiceClient the health poll and e-KYC captures use. */
export type RdHealthSource = Pick<RdServiceClient, 'refreshHealth' | 'deviceInfo' | 'endpoint' | 'capture' | 'lastHealth'>;

type RdExtra = { port?: number; scheme?: string; info?: string; device?: DeviceInfo; certExpiresAt?: Date };

export interface FingerprintReadersOptions {
  config: FingerprintConfig | undefined;
  /** The e-KYC section: whether RD health is polled by default, and where the RD service is. */
  ekyc: EkycConfig | undefined;
  devices: { set(name: string, health: DeviceHealth): void; snapshot(): Record<string, DeviceHealth> };
  emit(event: ReaderEvent): Promise<unknown>;
  logger: Logger;
  /** Driver and RD-poll timers (a manual clock in tests). */
  timers?: Timers;
  /** Wall clock, ms, for the device certificate's expiry. */
  now?: () => number;
  openPort?: OpenPort;
  rd?: RdHealthSource;
}

/** RD client options from `ekyc.rd`, so the health poll looks where e-KYC captures. */
export function rdClientOptions(ekyc: EkycConfig | undefined, logger: Logger): RdClientOptions {
  const rd = ekyc?.rd;
  return {
    ...(rd?.ports ? { probes: rd.ports.flatMap((port) => [{ scheme: 'http' as const, port }, { scheme: 'https' as const, port }]) } : {}),
    ...(rd ? { trustAnyLoopbackCert: rd.trustAnyLoopbackCert } : {}),
    logger,
  };
}

export class FingerprintReaders implements FingerprintApi {
  /** The R30x driver once start() has made it (a reader configured and enabled). */
  driver: R30xDriver | undefined;
  readonly #o: FingerprintReadersOptions;
  readonly #timers: Timers;
  readonly #r30xTracker = new R30xHealthTracker();
  readonly #rdTracker = new RdHealthTracker();
  #rd: RdHealthSource | undefined;
  readonly #pollRdWanted: boolean;
  #events: Promise<unknown> = Promise.resolve();
  #rdTimer: unknown;
  #rdPoll: Promise<void> | undefined;
  #driverStart: Promise<void> | undefined;
  /** The RD client e-KYC captures with when health is not polled. */
  #captureOnly: RdHealthSource | undefined;
  #capturing = 0;
  #rdExtra: RdExtra = {};
  #stopped = false;

  constructor(o: FingerprintReadersOptions) {
    this.#o = o;
    this.#timers = o.timers ?? realTimers;
    this.#pollRdWanted = o.config?.rd.enabled ?? o.ekyc !== undefined;
  }

  /** The RD client's module, loaded on first use: a kiosk without e-KYC never needs its XML stack. */
  #client(): Promise<typeof import('../../drivers/fingerprint/rd-service/client.js')> {
    return import('../../drivers/fingerprint/rd-service/client.js');
  }

  async #newRdClient(): Promise<RdHealthSource> {
    const { RdServiceClient } = await this.#client();
    return new RdServiceClient(rdClientOptions(this.#o.ekyc, this.#o.logger.child({ reader: 'rd' })));
  }

  async start(): Promise<void> {
    if (this.#pollRdWanted) this.#rd = this.#o.rd ?? (await this.#newRdClient());
    const r = this.#o.config?.r30x;
    if (r && !r.enabled) this.#o.devices.set('fingerprint', { state: 'disabled', detail: 'disabled in the configuration', reader: 'r30x', path: r.path });
    if (r?.enabled) {
      // Loaded only when a reader is configured: the driver brings serialport and its native binding.
      const { R30xDriver } = await import('../../drivers/fingerprint/r30x/driver.js');
      const o = this.#o;
      this.driver = new R30xDriver({
        path: r.path,
        baudRate: r.baudRate,
        address: r.address,
        password: r.password,
        pollMs: r.pollMs,
        backoff: r.backoff,
        logger: o.logger.child({ reader: 'r30x' }),
        timers: this.#timers,
        ...(o.openPort ? { openPort: o.openPort } : {}),
      });
    }
    if (this.driver) {
      this.driver.on('health', (h) => this.#onR30x(h));
      // Not awaited: a silent module takes three handshake timeouts, which must not hold the
      // agent's start; an absent reader is retried in the background anyway.
      this.#driverStart = this.driver.start().catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'fingerprint reader start failed'));
    }
    // The first poll runs in the background: discovery may take seconds and must not hold the agent's start.
    if (this.#rd) this.#rdPoll = this.#pollRd();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#rdTimer !== undefined) this.#timers.clearTimeout(this.#rdTimer);
    this.#rdTimer = undefined;
    await this.#rdPoll;
    await this.driver?.stop();
    await this.#driverStart;
    await this.#events;
  }

  /** Runs one RD health poll now (tests; the poll also runs every `healthPollSec`). */
  pollRdNow(): Promise<void> {
    if (!this.#rd) return Promise.resolve();
    if (this.#rdTimer !== undefined) this.#timers.clearTimeout(this.#rdTimer);
    this.#rdTimer = undefined;
    this.#rdPoll = (this.#rdPoll ?? Promise.resolve()).then(() => this.#pollRd());
    return this.#rdPoll;
  }

  #onR30x(h: R30xHealth): void {
    const { health, event } = this.#r30xTracker.update(h);
    if (health) this.#o.devices.set('fingerprint', health);
    if (event) this.#emit(event);
  }

  #emit(event: ReaderEvent): void {
    // One after another, so a quick unplug and replug arrive at central in order.
    this.#events = this.#events
      .then(() => this.#o.emit(event))
      .catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message, event: event.type }, 'reader event not recorded'));
  }

  /**
   * One e-KYC capture through the same RD client the health poll uses: one client per RD
   * service, and no RDSERVICE or DEVICEINFO request lands in the middle of a capture (the poll
   * waits its turn). What the capture learns (720 not ready, service gone) is reported at once.
   */
  async captureRd(input: PidOptionsInput): Promise<PidCapture> {
    if (!this.#rd && !this.#captureOnly) {
      const client = await this.#newRdClient();
      this.#captureOnly ??= client;
    }
    const rd = this.#rd ?? this.#captureOnly!;
    this.#capturing++;
    try {
      return await rd.capture(input);
    } finally {
      this.#capturing--;
      if (rd === this.#rd && !this.#stopped) {
        const h = rd.lastHealth;
        this.#applyRd(h, h.state === 'READY' || h.state === 'USED' ? this.#rdExtra : {});
      }
    }
  }

  #applyRd(h: RdHealth, extra: RdExtra): void {
    const { health, event } = this.#rdTracker.update(h, extra, (this.#o.now ?? Date.now)());
    this.#o.devices.set('rdService', health);
    if (event) this.#emit(event);
  }

  async #pollRd(): Promise<void> {
    const rd = this.#rd!;
    if (this.#stopped) return;
    try {
      // A capture is running: its outcome reports the health; poll next time.
      if (this.#capturing > 0) return;
      const h = await rd.refreshHealth();
      let device: DeviceInfo | undefined;
      if (h.state === 'READY' || h.state === 'USED') {
        device = await rd.deviceInfo().catch(() => undefined);
      }
      const ep = rd.endpoint;
      const certExpiresAt = device ? (await this.#client()).deviceCertificateExpiry(device) : undefined;
      const extra = {
        ...(ep ? { port: ep.port, scheme: ep.scheme, info: ep.info.info } : {}),
        ...(device ? { device } : {}),
        ...(certExpiresAt ? { certExpiresAt } : {}),
      };
      this.#rdExtra = extra;
      if (!this.#stopped) this.#applyRd(h, extra);
    } catch (err) {
      this.#o.logger.warn({ err: (err as Error).message }, 'RD health poll failed');
    } finally {
      if (!this.#stopped) {
        const every = (this.#o.config?.rd.healthPollSec ?? 60) * 1000;
        if (this.#rdTimer !== undefined) this.#timers.clearTimeout(this.#rdTimer);
        this.#rdTimer = this.#timers.setTimeout(() => {
          this.#rdTimer = undefined;
          this.#rdPoll = this.#pollRd();
        }, every);
      }
    }
  }

  // ---- the technician's operations (local API) ----

  #need(): R30xDriver {
    if (!this.driver) throw fingerprintProblems.notConfigured();
    return this.driver;
  }

  async info(): Promise<FingerprintInfo> {
    const r = this.#o.config?.r30x;
    const rd = this.#o.devices.snapshot()['rdService'];
    const rdPart = rd ? { rd } : {};
    if (!this.driver) return { r30x: { configured: r !== undefined, state: 'disabled', ...(r ? { path: r.path } : {}) }, ...rdPart };
    const h = this.driver.health();
    const slots = h.state === 'ready' ? await this.driver.ops.slots().catch(() => undefined) : undefined;
    return {
      r30x: {
        configured: true,
        state: h.state,
        path: h.path,
        ...(h.params ? { params: h.params } : {}),
        ...(h.templateCount !== undefined ? { templateCount: h.templateCount } : {}),
        ...(slots ? { slots } : {}),
        ...(h.lastError ? { lastError: { code: h.lastError.code, message: h.lastError.message } } : {}),
        reconnects: h.reconnects,
      },
      ...rdPart,
    };
  }

  async enroll(o: { slot?: number | undefined; deadlineMs?: number | undefined; allowDuplicate?: boolean | undefined }): Promise<{ slot: number; templateCount?: number }> {
    const d = this.#need();
    try {
      const { slot } = await d.ops.enroll({
        deadlineMs: o.deadlineMs ?? this.#o.config!.r30x!.captureDeadlineMs,
        ...(o.slot !== undefined ? { slot: o.slot } : {}),
        ...(o.allowDuplicate ? { allowDuplicate: true } : {}),
      });
      this.#o.logger.info({ slot }, 'fingerprint enrolled');
      const n = d.health().templateCount;
      return { slot, ...(n !== undefined ? { templateCount: n } : {}) };
    } catch (e) {
      return toProblem(e);
    }
  }

  async identify(o: { deadlineMs?: number | undefined }): Promise<{ matched: boolean; slot?: number; score?: number }> {
    const d = this.#need();
    try {
      const m = await d.ops.identify({ deadlineMs: o.deadlineMs ?? this.#o.config!.r30x!.captureDeadlineMs });
      return m ? { matched: true, slot: m.slot, score: m.score } : { matched: false };
    } catch (e) {
      return toProblem(e);
    }
  }

  async remove(slot: number): Promise<{ slot: number; deleted: true; templateCount?: number }> {
    const d = this.#need();
    let occupied: number[];
    try {
      occupied = await d.ops.slots();
    } catch (e) {
      return toProblem(e);
    }
    // DeleteChar succeeds on an empty slot; the technician should hear that nothing was there.
    if (!occupied.includes(slot)) throw fingerprintProblems.emptySlot(slot);
    try {
      await d.ops.delete(slot);
    } catch (e) {
      return toProblem(e);
    }
    this.#o.logger.info({ slot }, 'fingerprint deleted');
    const n = d.health().templateCount;
    return { slot, deleted: true, ...(n !== undefined ? { templateCount: n } : {}) };
  }
}
