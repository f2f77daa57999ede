/**
 * `kioskctl ups status`: what the technician needs after wiring a UPS — does the agent see it,
 * and what does the unit say right now. When the agent runs, its view comes from `GET /v1/status`
 * over the local API (the UPS entry of the device registry). A direct one-shot reading
 * (drivers/ups probeUps) is taken when it cannot disturb the agent: always through NUT (upsd
 * serves any number of clients), but for a Megatec unit only when the agent is not running, since
 * the agent then holds the serial port or HID device and a second reader would steal its replies
 * (reference §2.5, "pick one owner").
 */
import type { AgentConfig } from '../agent/config/schema.js';
import { silentLogger } from '../drivers/common/logger.js';
import { UpsConfigSchema, type UpsConfig } from '../drivers/ups/config.js';
import { MegatecSimulator, SimulatedHidDevice } from '../drivers/ups/megatec-sim.js';
import { describeUps, probeUps, type ProbeResult } from '../drivers/ups/probe.js';
import { LocalApiClient, LocalApiError } from './local-api.js';

export const UPS_HELP = '  ups status      the UPS as the agent sees it, and a direct reading when safe';

export interface UpsCommandOptions {
  config: AgentConfig;
  json?: boolean | undefined;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Local API timeout, ms. */
  timeoutMs?: number;
}

type AgentView = { running: true; ups: Record<string, unknown> | null } | { running: false; why: string };

async function agentView(socket: string, timeoutMs: number): Promise<AgentView> {
  try {
    const status = await new LocalApiClient(socket).call('GET', '/v1/status', undefined, timeoutMs);
    const devices = (status['devices'] ?? {}) as Record<string, Record<string, unknown>>;
    return { running: true, ups: devices['ups'] ?? null };
  } catch (e) {
    return { running: false, why: e instanceof LocalApiError ? e.message : String(e) };
  }
}

/** Exit codes: 0 the UPS answers, 69 no reading (unavailable), 78 no UPS configured. */
export async function upsCommand(args: string[], o: UpsCommandOptions): Promise<number> {
  if (args.join(' ') !== 'status') {
    o.err(`kioskctl: unknown ups command "${args.join(' ')}" (ups status)\n`);
    return 64;
  }
  const simulated = o.config.simulate?.ups !== undefined;
  const configured = o.config.devices.ups;
  if (!configured && !simulated) {
    if (o.json) o.out(`${JSON.stringify({ configured: false })}\n`);
    else o.out('UPS: not configured (devices.ups is absent: the agent does not monitor a UPS)\n');
    return 78;
  }
  const cfg: UpsConfig = simulated ? { ...(configured ?? UpsConfigSchema.parse({})), backend: 'megatec-hid' } : configured!;
  const agent = await agentView(o.config.api.socket, o.timeoutMs ?? 5000);
  let probe: ProbeResult | null = null;
  let skipped: string | null = null;
  if (!cfg.enabled) skipped = 'disabled in devices.ups';
  else if (cfg.backend === 'nut' || !agent.running) {
    // The demo's simulated unit lives inside the agent; a fresh one stands in when it is not running.
    const deps = simulated ? { logger: silentLogger, openHid: () => Promise.resolve(new SimulatedHidDevice(new MegatecSimulator())) } : { logger: silentLogger };
    probe = await probeUps(cfg, deps);
  } else skipped = `the agent holds the ${cfg.backend} device`;

  if (o.json) {
    o.out(`${JSON.stringify({ configured: true, backend: cfg.backend, simulated, agent, probe, ...(skipped ? { skipped } : {}) })}\n`);
  } else {
    const target = cfg.backend === 'nut' ? cfg.nut.target : cfg.backend === 'megatec-serial' ? (cfg.serial?.path ?? '?') : simulated ? 'simulated' : (cfg.hid.path ?? `${hex(cfg.hid.vendorId)}:${hex(cfg.hid.productId)}`);
    const lines = [`UPS back-end: ${cfg.backend} (${target})${cfg.shutdown.dryRun || simulated ? ', shutdown dry run' : `, shutdown: ${cfg.shutdown.command.join(' ')}`}`];
    if (agent.running) {
      const u = agent.ups;
      const text = (v: unknown): string => (typeof v === 'string' ? v : '');
      lines.push(u ? `agent: ${text(u['state'])}${text(u['detail']) ? ` (${text(u['detail'])})` : ''}, line ${text(u['line']) || 'unknown'}` : 'agent: running, no UPS entry');
    } else lines.push(`agent: ${agent.why}`);
    if (probe) lines.push(...describeUps(probe));
    else if (skipped) lines.push(`direct reading: skipped (${skipped})`);
    o.out(`${lines.join('\n')}\n`);
  }
  if (probe) return probe.ok ? 0 : 69;
  return agent.running && agent.ups && agent.ups['state'] !== 'disconnected' && agent.ups['state'] !== 'absent' ? 0 : 69;
}

const hex = (n: number): string => n.toString(16).padStart(4, '0');
