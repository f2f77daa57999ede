/** What the monitor needs from a back-end: open, one fresh reading on demand, close. */
import type { UpsBackend, UpsState } from './state.js';

export interface UpsSource {
  readonly backend: UpsBackend;
  /** Opens the connection/port; resolves after the first attempt, reconnects on its own afterwards. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One fresh reading; rejects with a `UpsError` when there is none (timeout, closed, stale, garbage). */
  read(): Promise<UpsState>;
  /**
   * Sends an instant command (NUT names). Resolves when the UPS or upsd accepted it; rejects with
   * UpsError REFUSED when it was rejected, or a communication code. For the technician's self-test.
   */
  command(cmd: UpsCommand): Promise<void>;
}

/** Instant commands both back-ends can carry [nut:docs/nut-names.txt; Megatec mapping in megatec-source.ts]. */
export const UPS_COMMANDS = ['test.battery.start.quick', 'test.battery.start.deep', 'test.battery.stop', 'beeper.toggle', 'shutdown.stop'] as const;
export type UpsCommand = (typeof UPS_COMMANDS)[number];
