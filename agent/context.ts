/**
 * What the supervisor hands to each capability (captures, ledger, jobs, devices, …) when it
 * starts it: the shared subsystems, never globals. A capability registers its API routes,
 * state sections, downward-channel handlers and event types through these, and returns how to
 * stop it; the supervisor stops capabilities in reverse order before the link and the store.
 */
import type { Logger } from '../drivers/common/logger.js';
import type { Router } from './api/router.js';
import type { Clock } from './clock.js';
import type { LoadedConfig } from './config/load.js';
import type { DeviceRegistry } from './devices/registry.js';
import type { MqttLink } from './mqtt/link.js';
import type { EventLog } from './outbox/events.js';
import type { Outbox } from './outbox/outbox.js';
import type { Store } from './store/db.js';
import type { Reporter } from './telemetry/reporter.js';

export interface AgentContext {
  loaded: LoadedConfig;
  store: Store;
  clock: Clock;
  outbox: Outbox;
  events: EventLog;
  devices: DeviceRegistry;
  reporter: Reporter;
  link: MqttLink;
  router: Router;
  /** A child logger with the namespace `kiosk:agent:<name>`. */
  logger(name: string): Logger;
  /** Keeps a background write so that stop() waits for it; its errors are logged. */
  track(p: Promise<unknown>): void;
  /**
   * Stops the agent by the clean-stop path (agent.stop, outbox drained within `drainMs`, offline
   * status, store checkpointed and closed), then runs `then`; the process exits after it. The UPS
   * uses it on low battery. Returns false when a stop was already under way (`then` is not run).
   * Optional so that a harness without a supervisor can leave it out.
   */
  requestStop?(reason: string, opts?: { drainMs?: number; then?: () => Promise<void> }): boolean;
}

export interface Capability {
  name: string;
  start(ctx: AgentContext): Promise<{ stop(): Promise<void> } | undefined>;
}
