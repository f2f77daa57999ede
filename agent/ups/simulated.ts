/**
 * The simulated UPS of the demo kiosks (`simulate.ups` in the configuration): a Megatec Q1 unit
 * behind an in-memory 0665:5161 HID shim (drivers/ups/megatec-sim.ts), so the demo runs the real
 * megatec-hid back-end, power policy and events — only the USB device is pretend. A config file
 * cannot hold the injected device that `backend: 'megatec-hid'` needs, hence this option. It can
 * script one power cut: mains fails `cutAtSec` after start and returns `cutForSec` later, while a
 * crude battery model sags and recharges the pack voltage once a second.
 */
import type { Clock, TimerHandle } from '../../drivers/ups/clock.js';
import type { HidDeviceLike } from '../../drivers/ups/megatec-hid.js';
import { MegatecSimulator, SIM_ON_BATTERY, SimulatedHidDevice } from '../../drivers/ups/megatec-sim.js';
import type { Logger } from '../../drivers/common/logger.js';
import type { SimulatedUpsConfig } from './simulated-config.js';

// The schema lives apart so that validating a configuration loads no simulator (and no serialport).
export { SimulatedUpsConfig } from './simulated-config.js';

export class SimulatedUps {
  readonly sim = new MegatecSimulator();
  #tick: TimerHandle | undefined;
  #timers: TimerHandle[] = [];

  constructor(
    private readonly cfg: SimulatedUpsConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The device opener for `createUpsMonitor(cfg, { openHid })`. */
  readonly openHid = (): Promise<HidDeviceLike> => Promise.resolve(new SimulatedHidDevice(this.sim));

  start(): void {
    const tick = (): void => {
      this.sim.advance(1, { dischargeVps: this.cfg.dischargeVps });
      this.#tick = this.clock.setTimeout(tick, 1000);
    };
    this.#tick = this.clock.setTimeout(tick, 1000);
    const { cutAtSec, cutForSec } = this.cfg;
    if (cutAtSec === undefined) return;
    this.#timers.push(
      this.clock.setTimeout(() => {
        this.logger.info({ forSec: cutForSec }, 'simulated power cut');
        this.sim.set({ ...SIM_ON_BATTERY, batteryVoltage: Math.min(this.sim.state.batteryVoltage ?? 12.2, 12.6) });
        this.#timers.push(
          this.clock.setTimeout(() => {
            this.logger.info({}, 'simulated mains back');
            this.sim.set({ utilityFail: false, batteryLow: false, inputVoltage: 231, inputFaultVoltage: 231 });
          }, cutForSec * 1000),
        );
      }, cutAtSec * 1000),
    );
  }

  stop(): void {
    for (const t of [...this.#timers, ...(this.#tick ? [this.#tick] : [])]) this.clock.clearTimeout(t);
    this.#timers = [];
    this.#tick = undefined;
  }
}
