// Footprint (BENCHMARKS.md, agent/footprint): a device's driver and its native and parsing
// libraries are loaded only when the configuration has that device. Checked two ways on the
// built agent: its static import graph from the entry point reaches none of them, and a running
// agent without devices maps no native addon but SQLite's, while one with an R30x reader maps
// serialport's.
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { requireBuild, ROOT, spawnAgent, writeAgentConfig } from '../helpers/agent-process.js';

requireBuild();

/** Packages only a configured device (or e-KYC) may bring in. */
const DEVICE_PACKAGES = ['serialport', '@serialport/bindings-cpp', 'usb', 'node-hid', '@napi-rs/canvas', '@point-of-sale/receipt-printer-encoder', 'fast-xml-parser'];

/** Packages reached through static `import … from` (what loads with the entry point), with one path to each. */
function staticPackages(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  const found = new Map<string, string[]>();
  while (queue.length) {
    const file = queue.shift()!;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s+[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) {
        const p = resolve(dirname(file), spec);
        if (existsSync(p) && !parent.has(p)) {
          parent.set(p, file);
          queue.push(p);
        }
      } else if (!spec.startsWith('node:')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (found.has(pkg)) continue;
        const chain: string[] = [];
        for (let c: string | null | undefined = file; c; c = parent.get(c)) chain.push(c.slice(ROOT.length + 1));
        found.set(pkg, chain);
      }
    }
  }
  return found;
}

t.test('the entry point imports no device library statically', (t) => {
  const pkgs = staticPackages(join(ROOT, 'dist/agent/cli.js'));
  t.ok(pkgs.has('sqlite3') && pkgs.has('mqtt'), 'the walk sees the packages the agent always needs');
  for (const p of DEVICE_PACKAGES) t.notOk(pkgs.has(p), `${p} is not loaded at start${pkgs.has(p) ? `: ${pkgs.get(p)!.join(' <= ')}` : ''}`);
  t.end();
});

/** Native addons a running process has mapped. */
const addons = (pid: number): string[] => [...new Set(readFileSync(`/proc/${pid}/maps`, 'utf8').match(/\S+\.node$/gm) ?? [])].map((p) => p.split('/node_modules/')[1] ?? p);

async function startedAgent(t: Test, extra: Record<string, unknown>) {
  const dir = t.testdir({});
  const config = writeAgentConfig({ id: 'RJ-JAI-0150', url: 'mqtt://127.0.0.1:1', dir, extra });
  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  const agent = spawnAgent(config);
  t.teardown(() => {
    if (agent.proc.exitCode === null) agent.proc.kill('SIGKILL');
  });
  for (let i = 0; i < 150 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
  t.ok(existsSync(socket), 'the agent is serving');
  // The capabilities start right after the socket; give a configured driver its import.
  await new Promise((r) => setTimeout(r, 500));
  return agent;
}

t.test('a running agent without devices maps only SQLite; with an R30x reader, serialport too', { skip: process.platform === 'linux' ? false : 'reads /proc' }, async (t) => {
  const bare = await startedAgent(t, {});
  t.same(addons(bare.proc.pid!).map((a) => a.split('/')[0]), ['sqlite3'], 'no serialport, usb, hid or canvas addon');
  bare.proc.kill('SIGTERM');
  t.equal(await bare.exited, 0);

  const withReader = await startedAgent(t, { devices: { fingerprint: { r30x: { path: '/dev/null-r30x' } } } });
  t.ok(addons(withReader.proc.pid!).some((a) => a.startsWith('@serialport/')), 'the reader brings its serial binding');
  withReader.proc.kill('SIGTERM');
  t.equal(await withReader.exited, 0);
});
