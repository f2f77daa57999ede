/**
 * The UPS capability (issue 6 §4): runs drivers/ups' monitor on `devices.ups`, turns its power
 * events into agent events, keeps the UPS in `state` and the heartbeat summary, and on the
 * monitor's one shutdown decision powers the kiosk off cleanly:
 *
 *   battery.low ─► agent.shutting_down ─► agent stop (agent.stop, outbox drained while the link is
 *   up, offline status, store checkpointed and closed) ─► shutdown command (dryRun: recorded)
 *
 * The stop is the supervisor's own clean-stop path (ctx.requestStop), not a copy of it.
 * Without a `devices.ups` section (and no simulated UPS) nothing runs: a kiosk without a UPS data
 * port must not report a lost UPS every 15 s.
 */
import { UpsConfigSchema, upsHealth, type UpsConfig } from '../../drivers/ups/config.js';
import type { UpsMonitor } from '../../drivers/ups/monitor.js';
import { systemClock, type Clock } from '../../drivers/ups/clock.js';
import type { HidDeviceLike } from '../../drivers/ups/megatec-hid.js';
import type { PowerEvent, ShutdownDecision } from '../../drivers/ups/power-policy.js';
import type { Capability } from '../context.js';
import { ShownCharge } from './charge.js';
import { runShutdownCommand, type CommandOutcome } from './command.js';
import { PowerMemory } from './memory.js';
import type { SimulatedUps } from './simulated.js';

export interface UpsCapabilityDeps {
  /** The drivers' clock (tests: a fake clock drives polls and the simulated UPS). */
  clock?: Clock;
  /** Replaces the HID opener (tests). */
  openHid?: () => Promise<HidDeviceLike>;
  /** Receives the monitor once started (tests). */
  onStarted?: (monitor: UpsMonitor, sim: SimulatedUps | undefined) => void;
  /** Receives the outcome of the shutdown command (tests). */
  onCommand?: (outcome: CommandOutcome) => void;
}

const round = (v: number | null): number | null => (v === null ? null : Math.max(0, Math.round(v)));

export function upsCapability(deps: UpsCapabilityDeps = {}): Capability {
  return {
    name: 'ups',
    async start(ctx) {
      const { config } = ctx.loaded;
      const simulate = config.simulate?.ups;
      const configured = config.devices.ups;
      if (!configured && !simulate) return undefined;
      const log = ctx.logger('ups');
      let cfg: UpsConfig = configured ?? UpsConfigSchema.parse({});
      if (!cfg.enabled) {
        ctx.devices.set('ups', { state: 'disabled' });
        return undefined;
      }
      const clock = deps.clock ?? systemClock;
      let sim: SimulatedUps | undefined;
      if (simulate) {
        // A simulated UPS never powers anything off, whatever the file says.
        cfg = { ...cfg, backend: 'megatec-hid', shutdown: { ...cfg.shutdown, dryRun: true } };
        const { SimulatedUps } = await import('./simulated.js');
        sim = new SimulatedUps(simulate, clock, log);
      }
      const openHid = deps.openHid ?? sim?.openHid;
      // Loaded only when a UPS is configured: the device libraries cost memory an idle kiosk keeps.
      const { createUpsMonitor } = await import('../../drivers/ups/create.js');
      const monitor = createUpsMonitor(cfg, { logger: log, clock, ...(openHid ? { openHid } : {}) });
      const memory = await PowerMemory.load(ctx.store);

      // Events are written one after the other, in the order the monitor decided them.
      let chain: Promise<unknown> = Promise.resolve();
      const later = (task: () => Promise<unknown>): void => {
        chain = chain.then(task).catch((err: unknown) => log.error({ err: (err as Error).message }, 'UPS event not recorded'));
        ctx.track(chain);
      };
      const shown = new ShownCharge();
      const health = (): void => {
        const s = monitor.snapshot;
        // The charge whenever the UPS (or its voltage) tells it, on mains too; `charging` when it says so (CHRG).
        const u = s.comm === 'lost' ? undefined : s.state;
        const chargePct = shown.next(u?.chargePct ?? null);
        ctx.devices.set('ups', {
          ...upsHealth(s),
          backend: s.backend,
          line: s.line,
          ...(chargePct !== null ? { chargePct, ...(u?.chargeEstimated ? { chargeEstimated: true } : {}) } : {}),
          ...(u?.charging ? { charging: true } : {}),
        });
      };

      let first = true;
      monitor.on('reading', (r) => {
        health();
        if (!first) return;
        first = false;
        // Mains came back while the agent was down (e.g. after a shutdown on battery): the policy
        // starts from "unknown" and would never say so.
        if (r.onMains && !r.onBattery && memory.line === 'battery') {
          const since = memory.since;
          const onBatteryMs = since !== null && ctx.clock.info().synced ? round(Date.now() - since) : null;
          later(() => memory.record(ctx, 'mains', 'power.restored', 'info', { onBatteryMs, chargePct: r.chargePct, acrossRestart: true }));
        }
      });
      monitor.on('event', (e) => {
        health();
        later(() => onEvent(e));
      });
      monitor.on('shutdown', (d) => later(() => onShutdown(d)));

      const onEvent = async (e: PowerEvent): Promise<void> => {
        switch (e.type) {
          case 'power.lost':
            // Already said in an earlier run of this same outage (the agent restarted on battery).
            if (memory.line === 'battery') {
              log.info({ since: memory.since }, 'power.lost already reported before the restart; not repeated');
              return;
            }
            await memory.record(ctx, 'battery', e.type, e.severity, e.data);
            return;
          case 'power.restored': {
            const across = memory.fromEarlierRun;
            const onBatteryMs = across ? (memory.since !== null && ctx.clock.info().synced ? round(Date.now() - memory.since) : null) : round(e.data.onBatteryMs);
            await memory.record(ctx, 'mains', e.type, e.severity, { onBatteryMs, chargePct: e.data.chargePct, ...(across ? { acrossRestart: true } : {}) });
            return;
          }
          case 'battery.low':
            await ctx.events.emit(e.type, e.severity, e.data);
            return;
          case 'ups.comm_lost':
            await ctx.events.emit(e.type, e.severity, { ...e.data, lastSeenAgoMs: round(e.data.lastSeenAgoMs) });
            return;
          case 'ups.comm_restored':
            await ctx.events.emit(e.type, e.severity, { downMs: round(e.data.downMs) ?? 0 });
            return;
        }
      };

      const onShutdown = async (d: ShutdownDecision): Promise<void> => {
        const { command, dryRun, recordFile, flushTimeoutMs } = cfg.shutdown;
        log.error({ cause: d.reason, chargePct: d.chargePct, runtimeS: d.runtimeS, dryRun }, 'low battery: shutting the kiosk down');
        await ctx.events.emit('agent.shutting_down', 'critical', {
          reason: 'power',
          cause: d.reason,
          chargePct: d.chargePct,
          runtimeS: d.runtimeS,
          command,
          dryRun,
        });
        const run = async (): Promise<void> => {
          const outcome = await runShutdownCommand({ command, dryRun, recordFile, cause: d.reason }, log);
          deps.onCommand?.(outcome);
        };
        // Not awaited: the stop waits for this very task among the tracked writes.
        if (ctx.requestStop) ctx.requestStop(`power: ${d.reason}`, { drainMs: flushTimeoutMs, then: run });
        else await run();
      };

      ctx.reporter.addSummary(() => {
        const s = monitor.snapshot;
        if (s.comm === 'lost') return undefined; // the device entry already says disconnected
        if (s.line !== 'battery') return s.line === 'mains' ? ['power:mains', s.state?.chargePct != null ? `${s.state.chargePct}%` : ''].filter(Boolean).join(' ') : undefined;
        const u = s.state;
        return ['power:battery', u?.chargePct != null ? `${u.chargePct}%` : '', u?.runtimeS != null ? `${Math.round(u.runtimeS)}s` : ''].filter(Boolean).join(' ');
      });

      ctx.devices.set('ups', { state: 'absent', detail: 'no reading yet', backend: cfg.backend, line: 'unknown' });
      sim?.start();
      await monitor.start(); // never throws on a missing UPS: silence becomes ups.comm_lost
      deps.onStarted?.(monitor, sim);
      return {
        stop: async () => {
          sim?.stop();
          await monitor.stop();
          await chain;
        },
      };
    },
  };
}
