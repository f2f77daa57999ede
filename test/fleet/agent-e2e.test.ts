/**
 * End to end with the real daemon: a `kiosk-agent` process reports to the fleet through the
 * embedded broker; `kill -9` of the agent shows it offline within 1.5 × its keepalive, and a
 * restart shows it online again with the next session.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { startTestFleet } from './fixtures/fleet.js';
import { tempDir, waitFor } from './fixtures/helpers.js';

const AGENT = new URL('../../agent/cli.ts', import.meta.url);

t.test('kill -9 of the agent: offline within 1.5 × keepalive; restart: online', { skip: existsSync(AGENT) ? false : 'no agent yet' }, async (t) => {
  const dir = tempDir(t);
  const fleet = await startTestFleet(t);

  const K = 'RJ-KOT-0009';
  const keepaliveSec = 5;
  const config = join(dir, 'agent.json');
  writeFileSync(
    config,
    JSON.stringify({
      schemaVersion: 2,
      kiosk: { id: K, name: 'e-Mitra Kota', district: 'Kota', lsp: 'e-Mitra Kota LSP' },
      mqtt: { url: fleet.url, keepaliveSec, backoff: { baseMs: 100, capMs: 500, stableMs: 10000 } },
      telemetry: { heartbeatSec: 5 },
      store: { path: join(dir, 'agent.db') },
      api: { socket: join(dir, 'api.sock') },
      log: { level: 'warn' },
      clock: { trust: 'always' },
    }),
  );
  let agentErr = '';
  const agent = (): ChildProcess => {
    const p = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', `import { main } from '${AGENT.href}'; main(process.argv.slice(1));`, '--', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    });
    p.stderr?.on('data', (d: Buffer) => (agentErr += d.toString()));
    t.teardown(() => p.kill('SIGKILL'));
    return p;
  };

  const first = agent();
  const online = () =>
    waitFor(async () => {
      const k = await fleet.repo.getKiosk(K);
      return k?.liveness === 'online' ? k : undefined;
    }, 'agent online', 45_000).catch((err: Error) => {
      throw new Error(`${err.message}; agent stderr: ${agentErr.slice(-2000) || '(empty)'}`);
    });
  const born = await online();
  t.match(born, { district: 'Kota', lsp: 'e-Mitra Kota LSP', reason: 'birth', keepaliveSec });

  const killedAt = Date.now();
  first.kill('SIGKILL');
  await once(first, 'exit');
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'offline', 'agent offline', 1500 * keepaliveSec);
  t.ok(Date.now() - killedAt <= 1500 * keepaliveSec, `offline after ${Date.now() - killedAt} ms`);
  t.match(await fleet.repo.getKiosk(K), { reason: 'will', session: born.session });

  const second = agent();
  const reborn = await online();
  t.ok((reborn.session ?? 0) > (born.session ?? 0), `a newer session (${born.session} → ${reborn.session})`);
  second.kill('SIGTERM');
  await once(second, 'exit');
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.reason === 'shutdown', 'a clean stop says shutdown', 10_000);
  t.pass('a clean stop shows offline (shutdown)');
});
