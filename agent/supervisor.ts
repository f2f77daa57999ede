/**
 * Starts the subsystems in order, and stops them in reverse on SIGTERM:
 *
 *   store ─► clock ─► outbox + events ─► reporter (heartbeat, state) ─► link ⇄ publisher
 *                                                                        └─► systemd READY
 *
 * A clean stop records `agent.stop`, lets the publisher drain while the link is up (bounded),
 * says `offline` on the status topic, then checkpoints and closes the store. A run that ends
 * any other way (kill -9, power cut) is noticed at the next start and reported in
 * `agent.start` as previousExit `unclean`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../drivers/common/logger.js';
import { ApiServer } from './api/server.js';
import { Router } from './api/router.js';
import { ekycStatus, statusRoute } from './api/status.js';
import { bearerAuthenticator } from './auth/sessions.js';
import { CAPABILITIES } from './capabilities.js';
import { Clock } from './clock.js';
import type { AgentContext, Capability } from './context.js';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load.js';
import { applyReload, safeProblems, type ReloadOutcome } from './config/reload.js';
import { reloadRoute } from './config/reload-route.js';
import { DeviceRegistry } from './devices/registry.js';
import { MqttLink } from './mqtt/link.js';
import { Publisher } from './mqtt/publisher.js';
import { EventLog } from './outbox/events.js';
import { Outbox } from './outbox/outbox.js';
import { Store } from './store/db.js';
import { getKv, nextCounter, setKv } from './store/kv.js';
import { SystemdNotifier } from './systemd/notify.js';
import { Reporter } from './telemetry/reporter.js';
import { AGENT_VERSION } from './version.js';

export interface AgentDeps {
  loaded: LoadedConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  capabilities?: Capability[];
}

export class Agent {
  #stopping: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #api: ApiServer | undefined;
  #running: { name: string; stop(): Promise<void> }[] = [];
  readonly router = new Router();

  private constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly outbox: Outbox,
    readonly events: EventLog,
    readonly reporter: Reporter,
    readonly link: MqttLink,
    readonly publisher: Publisher,
    private readonly notifier: SystemdNotifier,
    private readonly logger: Logger,
    private readonly loaded: LoadedConfig,
    readonly devices: DeviceRegistry,
  ) {}

  static async start({ loaded, logger, env = process.env, capabilities = CAPABILITIES }: AgentDeps): Promise<Agent> {
    const cfg = loaded.config;
    const ns = (name: string) => logger.child({ ns: `kiosk:agent:${name}` });
    const startedAt = Date.now();

    mkdirSync(dirname(cfg.store.path), { recursive: true });
    const store = await Store.open(cfg.store.path, { logger: ns('store') });
    const clock = await Clock.create({ trust: cfg.clock.trust, logger: ns('clock') });
    const outbox = await Outbox.open(store, cfg.kiosk.id, clock, cfg.outbox, ns('outbox'));
    const events = new EventLog(store, outbox, ns('events'));
    const devices = new DeviceRegistry();
    const reporter = new Reporter({
      outbox,
      devices,
      clock,
      logger: ns('telemetry'),
      heartbeatSec: cfg.telemetry.heartbeatSec,
      version: AGENT_VERSION,
      configHash: loaded.hash,
      startedAt,
    });
    const publisher = new Publisher(outbox, cfg.mqtt.inflight, ns('publisher'));
    const link = new MqttLink({
      config: cfg.mqtt,
      kioskId: cfg.kiosk.id,
      store,
      time: clock,
      logger: ns('mqtt'),
      birth: () => ({
        agent: AGENT_VERSION,
        district: cfg.kiosk.district,
        lsp: cfg.kiosk.lsp,
        heartbeatSec: cfg.telemetry.heartbeatSec,
        keepaliveSec: cfg.mqtt.keepaliveSec,
      }),
      onUp: (client) => publisher.attach(client),
      onDown: () => publisher.detach(),
    });
    const notifier = SystemdNotifier.fromEnv(env, ns('systemd'));
    const agent = new Agent(store, clock, outbox, events, reporter, link, publisher, notifier, logger, loaded, devices);

    // How did the previous run end? `running` is set now and cleared only by a clean stop.
    const previous = await getKv(store, 'running');
    await store.transaction(async (tx) => {
      await setKv(tx, 'running', String(process.pid));
      await nextCounter(tx, 'starts');
    });
    await events.emit('agent.start', 'info', {
      version: AGENT_VERSION,
      pid: process.pid,
      previousExit: previous === undefined ? 'first' : previous === '' ? 'clean' : 'unclean',
    });
    if (loaded.fileVersion !== cfg.schemaVersion) {
      logger.warn({ from: loaded.fileVersion, to: cfg.schemaVersion }, 'configuration file is of an older version; migrated in memory');
    }

    devices.onChange(() => reporter.stateChanged());
    clock.onChange((change) => {
      reporter.stateChanged();
      if (change.synced) {
        agent.#track(events.emit('clock.synced', 'info', { source: change.source, stepMs: Math.round(change.stepMs ?? 0) }));
      }
    });
    const ctx: AgentContext = {
      loaded,
      store,
      clock,
      outbox,
      events,
      devices,
      reporter,
      link,
      router: agent.router,
      logger: ns,
      track: (p) => agent.#track(p),
      requestStop: (reason, opts = {}) => agent.#requestStop(reason, opts),
    };
    for (const cap of capabilities) {
      const running = await cap.start(ctx);
      if (running) agent.#running.push({ name: cap.name, stop: () => running.stop() });
    }
    reporter.start();
    link.start();
    // The local event history is pruned at start and then daily.
    const prune = () => agent.#track(events.prune(cfg.store.keepEvents));
    prune();
    agent.#timers.push(setInterval(prune, 24 * 3600 * 1000).unref());
    agent.#startSimulation();
    await agent.#startApi(ns('api'));

    notifier.ready(`kiosk ${cfg.kiosk.id} running`);
    const wd = notifier.watchdogIntervalMs();
    if (wd) agent.#timers.push(setInterval(() => notifier.watchdog(), wd).unref());
    logger.info({ kiosk: cfg.kiosk.id, outbox: outbox.depth() }, 'agent started');
    agent.#markStarted();
    return agent;
  }

  async #startApi(logger: Logger): Promise<void> {
    const cfg = this.loaded.config;
    this.router.add(
      statusRoute(async () => ({
        kiosk: { id: cfg.kiosk.id, ...(cfg.kiosk.name ? { name: cfg.kiosk.name } : {}), district: cfg.kiosk.district, lsp: cfg.kiosk.lsp },
        version: AGENT_VERSION,
        uptimeSec: Math.round(process.uptime()),
        link: { state: this.link.state, session: this.link.session },
        queue: { depth: this.outbox.depth().rows, bytes: this.outbox.depth().bytes, overLimit: this.outbox.overLimit },
        clock: this.clock.info(),
        devices: this.devices.snapshot(),
        // The kiosk-wide capture queue for the console's home screen (issue 11).
        ...(cfg.ekyc ? { ekyc: await ekycStatus(this.store, Date.now()) } : {}),
      })),
      reloadRoute(() => this.reloadFromFile()),
    );
    if (!cfg.api.enabled) return;
    const api = new ApiServer({
      socketPath: cfg.api.socket,
      ...(cfg.api.group ? { group: cfg.api.group } : {}),
      router: this.router,
      logger,
      // PIN logins of issue 8 (agent/auth): Authorization: Bearer <token>.
      authenticate: bearerAuthenticator(this.store, this.clock),
    });
    try {
      await api.listen();
      this.#api = api;
    } catch (err) {
      // The kiosk keeps queueing and reporting without its local API; the operator sees why.
      logger.error({ err: (err as Error).message, socket: cfg.api.socket }, 'local API not available');
    }
  }

  #pending = new Set<Promise<unknown>>();
  /** Keeps track of a background write so stop() waits for it; errors are logged, never thrown. */
  #track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'background write failed'));
    this.#pending.add(q);
    void q.finally(() => this.#pending.delete(q));
  }

  /** Demo and tests: a simulated kiosk emits `sim.tick` events at a steady rate. */
  #startSimulation(): void {
    const every = this.loaded.config.simulate?.eventEveryMs;
    if (!every) return;
    let busy = false;
    const tick = async () => {
      if (busy || this.#stopping) return;
      busy = true;
      try {
        const n = await this.store.transaction((tx) => nextCounter(tx, 'sim'));
        await this.events.emit('sim.tick', 'info', { n });
      } finally {
        busy = false;
      }
    };
    this.#timers.push(setInterval(() => this.#track(tick()), every));
  }

  #reloading: Promise<unknown> = Promise.resolve();
  /**
   * Reads the configuration file again and applies what can change while running
   * (config/reload.ts): SIGHUP and POST /v1/config/reload. One at a time.
   */
  reloadFromFile(): Promise<ReloadOutcome> {
    const run = this.#reloading.then(() => this.#reload());
    this.#reloading = run.catch(() => undefined);
    return run;
  }

  async #reload(): Promise<ReloadOutcome> {
    if (this.#stopping) return { ok: false, problems: ['the agent is stopping'] };
    let next: LoadedConfig;
    try {
      next = await loadConfig(this.loaded.path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // The running configuration stays; the technician sees why, and so does central.
      const problems = safeProblems(err);
      this.logger.error({ path: err.file, problems }, 'configuration reload refused; the running configuration stays');
      await this.events.emit('config.rejected', 'warning', { source: err.file, error: problems.join('; ').slice(0, 500) });
      return { ok: false, problems };
    }
    const r = await applyReload(this.store, this.loaded.config, next.config);
    this.logger.info(
      { path: next.path, auth: r.auth, users: this.loaded.config.auth.users.length, endedSessions: r.endedSessions, restartNeeded: r.restartNeeded },
      r.restartNeeded.length ? `configuration reloaded; ${r.restartNeeded.join(', ')} changed and take effect at the next restart` : 'configuration reloaded',
    );
    return { ok: true, ...r };
  }

  stop(reason: string, drainMs = 5000): Promise<void> {
    this.#stopping ??= this.#stop(reason, drainMs);
    return this.#stopping;
  }

  #after: (() => Promise<void>) | undefined;
  #markStarted: () => void = () => undefined;
  /** A capability may ask for a stop while the agent is still starting (a UPS already critical at boot). */
  readonly #started = new Promise<void>((resolve) => (this.#markStarted = resolve));
  #markStopped: (reason: string) => void = () => undefined;
  /** Resolves with the reason once the agent has stopped, whoever asked (a signal or a capability). */
  readonly stopped = new Promise<string>((resolve) => (this.#markStopped = resolve));

  #requestStop(reason: string, opts: { drainMs?: number; then?: () => Promise<void> }): boolean {
    if (this.#stopping) return false;
    if (this.#after) return false;
    this.#after = opts.then ?? (() => Promise.resolve());
    // Not tracked: stop() waits for the tracked writes, and would wait for itself. After the
    // start has finished, so that the link is not started behind a stop.
    void this.#started
      .then(() => this.stop(reason, opts.drainMs))
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'stop failed'));
    return true;
  }

  async #stop(reason: string, drainMs: number): Promise<void> {
    this.notifier.stopping();
    for (const t of this.#timers) clearInterval(t);
    await this.#api?.close();
    for (const cap of [...this.#running].reverse()) {
      await cap.stop().catch((err: unknown) => this.logger.error({ capability: cap.name, err: (err as Error).message }, 'capability stop failed'));
    }
    await Promise.all(this.#pending);
    await this.reporter.stop();
    try {
      await this.events.emit('agent.stop', 'info', { reason });
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'agent.stop not recorded');
    }
    if (this.link.client) {
      const done = await this.publisher.drained(drainMs);
      if (!done) this.logger.warn({ left: this.outbox.depth() }, 'outbox not drained before stop; kept for the next run');
    }
    await this.link.stop();
    this.publisher.close();
    await this.publisher.flushAcks();
    this.clock.close();
    await setKv(this.store, 'running', '');
    await this.store.close();
    this.logger.info({ reason }, 'agent stopped');
    // After the store is closed: e.g. the UPS capability's poweroff command.
    await this.#after?.().catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'after-stop step failed'));
    this.#markStopped(reason);
  }
}
