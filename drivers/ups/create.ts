/**
 * Builds the UPS source and monitor from a validated configuration. Kept apart from the
 * schema (config.ts) so that the agent loads the device libraries only when a UPS is configured.
 */
import type { Logger } from '../common/logger.js';
import type { Clock } from './clock.js';
import type { UpsConfig } from './config.js';
import { nodeHidOpener, openHidLink, type HidDeviceLike } from './megatec-hid.js';
import { openSerialLink } from './megatec-serial.js';
import { MegatecSource } from './megatec-source.js';
import { UpsMonitor } from './monitor.js';
import { NutSource, parseNutTarget } from './nut-source.js';
import type { UpsSource } from './source.js';

export interface UpsDeps {
  logger: Logger;
  clock?: Clock;
  /** Tests and the demo: replace the HID device opener. */
  openHid?: () => Promise<HidDeviceLike>;
}

export function createUpsSource(cfg: UpsConfig, deps: UpsDeps): UpsSource {
  const common = { logger: deps.logger, ...(deps.clock ? { clock: deps.clock } : {}) };
  if (cfg.backend === 'nut') {
    const t = parseNutTarget(cfg.nut.target);
    return new NutSource({ ...common, ...t, username: cfg.nut.username, password: cfg.nut.password, requestTimeoutMs: cfg.nut.requestTimeoutMs });
  }
  const m = cfg.megatec;
  const shared = { ...common, queryTimeoutMs: m.queryTimeoutMs, noRating: m.noRating, noVendor: m.noVendor, ignoreShutdownBit: m.ignoreShutdownBit, battery: m.battery };
  if (cfg.backend === 'megatec-serial') {
    const serial = cfg.serial!;
    return new MegatecSource({ ...shared, backend: 'megatec-serial', open: () => openSerialLink({ ...common, path: serial.path, baudRate: serial.baudRate, cablePower: serial.cablePower }) });
  }
  const open = deps.openHid ?? nodeHidOpener(cfg.hid);
  return new MegatecSource({ ...shared, backend: 'megatec-hid', open: () => openHidLink({ open, logger: deps.logger }) });
}

export function createUpsMonitor(cfg: UpsConfig, deps: UpsDeps): UpsMonitor {
  return new UpsMonitor({
    source: createUpsSource(cfg, deps),
    pollIntervalMs: cfg.pollIntervalMs,
    policy: cfg.policy,
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}
