/**
 * The console's acceptance rig: a real `kiosk-agent` process (the built bin) with simulated
 * devices — the RD-service simulator (e-KYC), an R30x module on a socat pty (fingerprint login),
 * a serial ESC/POS printer simulator on a socat pty, the simulated UPS — an aedes broker and
 * central's capture receiver (so captures are accepted), and `kioskctl console` started in tmux.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import sqlite3 from 'sqlite3';
import { hashPin } from '../../../agent/auth/pin.js';
import { R30xPtySimulator } from '../../../drivers/fingerprint/r30x-pty.js';
import { FAST_TIMING, R30xSimulator } from '../../../drivers/fingerprint/r30x-simulator.js';
import { startSimulatedSerialPrinter } from '../../../drivers/printer/sim-pty.js';
import type { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { LocalApiClient } from '../../../provisioning/local-api.js';
import { ekycSection, startCentral, startRd } from '../../agent/ekyc/fixtures.js';
import { ROOT, requireBuild, spawnAgent, writeAgentConfig, type RunningAgent } from '../../helpers/agent-process.js';
import { TmuxScreen } from './tmux.js';

const DAY_MS = 86_400_000;

/** The logins: two operators and an admin whose finger is in the R30x's slot 0. */
export const USERS = { asha: '4821', mohan: '7310', ravi: '5190' };
export const ADMIN_FINGER = 'ravi-right-thumb';

export interface ConsoleRig {
  agent: RunningAgent;
  printer: PrinterSimulator;
  r30x: R30xSimulator;
  config: string;
  socket: string;
  dir: string;
  /** Starts `kioskctl console --config <config> [args]` in a new tmux session (killed at teardown). */
  console(args?: string): Promise<TmuxScreen>;
  /** The agent's last output, for failure messages. */
  output(): string;
}

/** Adds `days` to the agent's inactivity count (kv `inactivity`, agent/inactivity/monitor.ts) while it is stopped. */
async function seedInactivity(dbPath: string, days: number): Promise<void> {
  const db = new sqlite3.Database(dbPath);
  const value = await new Promise<string>((res, rej) =>
    db.get("SELECT value FROM kv WHERE key = 'inactivity'", (e, r: { value: string } | undefined) => (e || !r ? rej(e ?? new Error('no inactivity state')) : res(r.value))),
  );
  const state = JSON.parse(value) as { pastMs: number };
  state.pastMs += days * DAY_MS;
  await new Promise<void>((res, rej) => db.run("UPDATE kv SET value = ? WHERE key = 'inactivity'", [JSON.stringify(state)], (e) => (e ? rej(e) : res())));
  await new Promise<void>((res) => db.close(() => res()));
}

/** Waits until the agent's local API answers (its log is at warn: there is no start line to read). */
async function started(agent: RunningAgent, socket: string): Promise<void> {
  const api = new LocalApiClient(socket);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (agent.proc.exitCode !== null) throw new Error(`the agent exited: ${agent.output().slice(-2000)}`);
    try {
      await api.call('GET', '/v1/status', undefined, 2000);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the agent did not start: ${(err as Error).message} ${agent.output().slice(-2000)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startConsoleRig(t: Test, o: { kioskId: string; inactiveDays?: number; rates?: Record<string, unknown> }): Promise<ConsoleRig> {
  requireBuild();
  const rd = await startRd(t);
  const { broker } = await startCentral(t);
  const printer = await startSimulatedSerialPrinter({ paper: 58 });
  t.teardown(() => printer.close());
  const dir = t.testdir({});
  const r30x = new R30xSimulator({ timing: FAST_TIMING });
  r30x.library.set(0, r30x.templateFor(ADMIN_FINGER));
  const pty = new R30xPtySimulator(r30x, dir);
  await pty.plug();
  t.teardown(() => pty.unplug());

  const section = ekycSection({ rd: { ports: [rd.port], captureTimeoutMs: 5000 }, sweepSec: 1 });
  delete section['apiRole'];
  const pinHash = (pin: string) => hashPin(pin, { N: 1024 });
  const config = writeAgentConfig({
    id: o.kioskId,
    url: broker.url,
    dir,
    heartbeatSec: 5,
    extra: {
      kiosk: { id: o.kioskId, name: 'Samagra Kendra Indore', district: 'Indore', lsp: 'MPOnline' },
      ekyc: section,
      ...(o.rates ? { ledger: { rates: o.rates } } : {}),
      auth: {
        users: [
          { user: 'asha', role: 'operator', pinHash: await pinHash(USERS.asha) },
          { user: 'mohan', role: 'operator', pinHash: await pinHash(USERS.mohan) },
          { user: 'ravi', role: 'admin', pinHash: await pinHash(USERS.ravi), fingerprintSlots: [0] },
        ],
        maxFailures: 3,
        lockoutSec: 600,
      },
      devices: {
        fingerprint: { r30x: { path: pty.hostPath } },
        printer: { transport: { type: 'serial', path: printer.path }, paper: 58, pollIntervalMs: 500, retryMs: 300, deviceKey: join(dir, 'device-key.pem') },
        ups: { backend: 'megatec-hid', pollIntervalMs: 500 },
      },
      simulate: { ups: {} },
      console: { idleLockSec: 600 },
    },
  });
  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  let agent = spawnAgent(config);
  t.teardown(() => {
    if (!t.passing()) t.comment(`agent output:\n${agent.output().slice(-6000)}`);
    agent.proc.kill('SIGKILL');
  });
  await started(agent, socket);
  if (o.inactiveDays) {
    // The first start made the database; the inactivity count moves on while the agent is stopped.
    agent.proc.kill('SIGTERM');
    await agent.exited;
    await seedInactivity(join(dir, 'agent.db'), o.inactiveDays);
    agent = spawnAgent(config);
    await started(agent, socket);
  }
  const bin = join(ROOT, 'bin/kioskctl');
  return {
    get agent() {
      return agent;
    },
    printer: printer.sim,
    r30x,
    config,
    socket,
    dir,
    output: () => agent.output().slice(-1500),
    console: async (args = '') => {
      // tmux hands its server's environment on; tap's loaders must not reach a plain `node`.
      const screen = await TmuxScreen.start(`env -u NODE_OPTIONS ${process.execPath} ${bin} console --config ${config} ${args}`);
      t.teardown(() => screen.kill());
      return screen;
    },
  };
}
