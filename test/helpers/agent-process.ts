/**
 * A real `kiosk-agent` process (the built bin), with its own config and database in a
 * temporary directory, for tests that kill it, restart it and read what it committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const AGENT_BIN = join(ROOT, 'bin/kiosk-agent');

/**
 * The environment for a child `node` process: without tap's NODE_OPTIONS loaders, which a
 * plain `node bin/...` must not inherit.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NOTIFY_SOCKET: '', ...extra };
  delete env['NODE_OPTIONS'];
  return env;
}

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist/agent/cli.js'))) {
    throw new Error('dist/ is missing: run `make build` (make test does it) before this test');
  }
}

export interface AgentConfigOverrides {
  id: string;
  url: string;
  dir: string;
  heartbeatSec?: number;
  keepaliveSec?: number;
  eventEveryMs?: number;
  backoff?: { baseMs: number; capMs: number; stableMs: number };
  extra?: Record<string, unknown>;
}

export function writeAgentConfig(o: AgentConfigOverrides): string {
  mkdirSync(o.dir, { recursive: true });
  const config = {
    schemaVersion: 2,
    kiosk: { id: o.id, district: 'Jaipur', lsp: 'Test LSP' },
    mqtt: {
      url: o.url,
      keepaliveSec: o.keepaliveSec ?? 5,
      backoff: o.backoff ?? { baseMs: 50, capMs: 500, stableMs: 1000 },
    },
    telemetry: { heartbeatSec: o.heartbeatSec ?? 60 },
    store: { path: join(o.dir, 'agent.db') },
    // A short path: a Unix socket path is limited to 107 bytes.
    api: { socket: join(mkdtempSync(join(tmpdir(), 'ka-')), 'api.sock') },
    log: { level: 'warn' },
    clock: { trust: 'always' },
    ...(o.eventEveryMs ? { simulate: { eventEveryMs: o.eventEveryMs } } : {}),
    ...o.extra,
  };
  const path = join(o.dir, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export interface RunningAgent {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function spawnAgent(configPath: string, env: NodeJS.ProcessEnv = {}): RunningAgent {
  requireBuild();
  const proc = spawn(process.execPath, [AGENT_BIN, '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(env),
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

export interface KioskctlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built `kioskctl`, as a technician runs it, with `env` added to the child's environment. */
export function runKioskctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<KioskctlRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/kioskctl'), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
