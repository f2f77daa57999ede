import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Store } from '../../agent/store/db.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { EventLog } from '../../agent/outbox/events.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { childEnv, requireBuild, ROOT, writeAgentConfig } from '../helpers/agent-process.js';

requireBuild();
const kioskctl = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/kioskctl'), ...args], { encoding: 'utf8', env: childEnv(), timeout: 20_000 });

t.test('help, config check and show, and a bad config', (t) => {
  t.match(kioskctl('--help').stdout, /Usage: kioskctl <command>/);
  const dir = t.testdir({ 'bad.json': '{"schemaVersion": 2, "kiosk": {}}' });
  const config = writeAgentConfig({ id: 'RJ-JAI-0040', url: 'mqtt://u:pw@127.0.0.1:1', dir, extra: { mqtt: { url: 'mqtt://127.0.0.1:1', password: 'hunter2' } } });
  const check = kioskctl('config', 'check', '--config', config);
  t.equal(check.status, 0);
  t.match(check.stdout, /^ok: /);
  const show = kioskctl('config', 'show', '--config', config);
  t.match(show.stdout, /"password": "\*\*\*"/);
  t.notMatch(show.stdout, /hunter2/);
  const bad = kioskctl('config', 'check', '--config', join(dir, 'bad.json'));
  t.equal(bad.status, 78);
  t.match(bad.stderr, /kiosk\.id: .*\(missing\)/);
  t.equal(kioskctl('frobnicate', '--config', config).status, 64);
  t.end();
});

t.test('queue shows what waits for central, by channel', async (t) => {
  const dir = t.testdir({});
  const config = writeAgentConfig({ id: 'RJ-JAI-0041', url: 'mqtt://127.0.0.1:1', dir });
  const store = await Store.open(join(dir, 'agent.db'), { logger: silentLogger });
  const time = { now: () => ({ ts: 1_800_000_000_000, mono: 1, boot: 'b', synced: true }) };
  const outbox = await Outbox.open(store, 'RJ-JAI-0041', time, { maxRows: 100, maxBytes: 1e6 }, silentLogger);
  const events = new EventLog(store, outbox, silentLogger);
  for (let n = 0; n < 3; n++) await events.emit('sim.tick', 'info', { n });
  await outbox.publish('heartbeat', { up: 1, q: 3, sum: '' });
  await store.close();
  const json = kioskctl('queue', '--json', '--config', config);
  t.equal(json.status, 0);
  t.match(JSON.parse(json.stdout), [{ channel: 'events', n: 3 }, { channel: 'heartbeat', n: 1 }]);
  t.match(kioskctl('queue', '--config', config).stdout, /events\s+3 msgs/);
});
