// `kioskctl fingerprint …` end to end: the built kioskctl talks to a real agent process over its
// Unix socket; the agent drives the simulated R30x module on a real socat pty and polls the RD
// simulator where its ekyc.rd says. kioskctl runs asynchronously: the simulators live in this
// process and must keep answering while it waits.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { hashPin } from '../../agent/auth/pin.js';
import { R30xSimulator, type SimTiming } from '../../drivers/fingerprint/r30x-simulator.js';
import { R30xPtySimulator } from '../../drivers/fingerprint/r30x-pty.js';
import { RdServiceSimulator } from '../../drivers/fingerprint/rd-service-simulator.js';
import { keyIdOf, parsePublicKey } from '../../protocols/seal/seal.js';
import { requireBuild, runKioskctl, spawnAgent, writeAgentConfig } from '../helpers/agent-process.js';

requireBuild();

const TIMING: SimTiming = { perInstructionMs: { GenImg: 5, Img2Tz: 5 }, defaultMs: 1, paceAtBaud: true };
const ADMIN = { user: 'tech.ravi', pin: '482913' };
const OPERATOR = { user: 'op.asha', pin: '1357' };

const kioskctl = runKioskctl;

function readerEvents(dbPath: string): Promise<{ type: string; data: string }[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all("SELECT type, data FROM events WHERE type LIKE 'reader.%' ORDER BY seq", (e: Error | null, rows: { type: string; data: string }[]) => {
        db.close();
        if (e) reject(e);
        else resolve(rows);
      });
    });
  });
}

t.test('kioskctl fingerprint info, enroll, identify, delete against a running agent; admin only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kctl-fp-'));
  const sim = new R30xSimulator({ timing: TIMING });
  const pty = new R30xPtySimulator(sim, dir);
  await pty.plug();
  const rd = new RdServiceSimulator({ uidaiPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, info: 'Simulated RD (kioskctl test)' });
  const rdPort = await rd.listen(0);
  const central = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const config = writeAgentConfig({
    id: 'RJ-JAI-0090',
    url: 'mqtt://127.0.0.1:1',
    dir,
    extra: {
      devices: { fingerprint: { r30x: { path: pty.hostPath, password: 0, backoff: { baseMs: 50, capMs: 200 } }, rd: { healthPollSec: 5 } } },
      ekyc: { central: { publicKey: central, keyId: keyIdOf(parsePublicKey(central)) }, rd: { ports: [rdPort] } },
      auth: {
        users: [
          { user: ADMIN.user, role: 'admin', pinHash: await hashPin(ADMIN.pin, { N: 1024 }) },
          { user: OPERATOR.user, role: 'operator', pinHash: await hashPin(OPERATOR.pin, { N: 1024 }) },
        ],
      },
    },
  });
  const agent = spawnAgent(config);
  t.teardown(async () => {
    if (agent.proc.exitCode === null) agent.proc.kill('SIGKILL');
    await pty.unplug();
    await rd.close();
    await rm(dir, { recursive: true, force: true });
  });
  const admin = { KIOSKCTL_USER: ADMIN.user, KIOSKCTL_PIN: ADMIN.pin };
  const fp = (args: string[], env: NodeJS.ProcessEnv = admin) => kioskctl(['fingerprint', ...args, '--config', config], env);

  // Until the agent is up and both readers reported.
  let info: Record<string, Record<string, unknown>> | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await fp(['info', '--json']);
    if (r.status === 0) {
      info = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
      if (info['r30x']?.['state'] === 'ready' && info['rd']) break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  t.match(info, { r30x: { configured: true, state: 'ready', templateCount: 0, slots: [], params: { capacity: 200 } }, rd: { state: 'ok', status: 'READY', port: rdPort } }, 'both readers reported');

  const anonymous = await fp(['info'], {});
  t.equal(anonymous.status, 77, 'no login: refused');
  t.match(anonymous.stderr, /Log in first[\s\S]*--user NAME and KIOSKCTL_PIN/);
  const operator = await fp(['info'], { KIOSKCTL_USER: OPERATOR.user, KIOSKCTL_PIN: OPERATOR.pin });
  t.equal(operator.status, 77, 'an operator login: refused');
  t.match(operator.stderr, /Not allowed for your role: needs the admin role/);
  const wrong = await fp(['info'], { KIOSKCTL_USER: ADMIN.user, KIOSKCTL_PIN: '000000' });
  t.equal(wrong.status, 77);
  t.match(wrong.stderr, /Wrong user or PIN/);

  const human = await fp(['info']);
  t.equal(human.status, 0);
  t.match(human.stdout, /R30x reader\s+ready\s+\S+fp-host/);
  t.match(human.stdout, /enrolled\s+0 of 200 \(slots none\)/);
  t.match(human.stdout, new RegExp(`RD service\\s+ok \\(READY\\)\\s+http://127.0.0.1:${rdPort}`));

  sim.touch({ finger: 'ravi-right-index', afterPolls: 2 }, { finger: 'ravi-right-index', afterPolls: 1 });
  const enrolled = await fp(['enroll', '--deadline', '5000']);
  t.equal(enrolled.status, 0, enrolled.stderr);
  t.match(enrolled.stdout, /Place the finger[\s\S]*enrolled in slot 0 \(1 enrolled\)/);
  sim.touch({ finger: 'meena-left-thumb', afterPolls: 1 }, { finger: 'meena-left-thumb', afterPolls: 1 });
  t.match((await fp(['enroll', '--slot', '7', '--json'])).stdout, /^\{"slot":7,"templateCount":2\}\n$/);

  sim.touch({ finger: 'meena-left-thumb', afterPolls: 1 });
  const ident = await fp(['identify', '--deadline', '5000']);
  t.equal(ident.status, 0);
  t.match(ident.stdout, /matched slot 7 \(score \d+\)/);
  sim.touch({ finger: 'stranger' });
  t.match((await fp(['identify'])).stdout, /not recognised/);
  const none = await fp(['identify', '--deadline', '1000']);
  t.equal(none.status, 65, 'no finger by the deadline');
  t.match(none.stderr, /No finger was placed on the reader in time/);

  const del = await fp(['delete', '7']);
  t.equal(del.status, 0);
  t.match(del.stdout, /deleted slot 7 \(1 left\)/);
  const again = await fp(['delete', '7']);
  t.equal(again.status, 65);
  t.match(again.stderr, /No fingerprint is stored in that slot/);
  t.equal((await fp(['delete'])).status, 64, 'delete needs a slot');
  t.equal((await fp(['frobnicate'])).status, 64);

  // The agent holds the port; an unplug is a state the technician sees, and a reader event.
  await pty.unplug();
  let down = '';
  for (let i = 0; i < 50 && !/R30x reader\s+disconnected/.test(down); i++) {
    down = (await fp(['info'])).stdout;
    await new Promise((res) => setTimeout(res, 100));
  }
  t.match(down, /R30x reader\s+disconnected[\s\S]*last error\s+The fingerprint reader/);
  const unavailable = await fp(['identify']);
  t.equal(unavailable.status, 69, 'reader unavailable');
  t.match(unavailable.stderr, /fingerprint reader is not available/);

  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
  const events = await readerEvents(join(dir, 'agent.db'));
  t.same(
    events.map((e) => `${e.type}:${(JSON.parse(e.data) as { reader: string }).reader}`).sort(),
    ['reader.connected:r30x', 'reader.connected:rd', 'reader.disconnected:r30x'],
  );
  t.notMatch(agent.output(), new RegExp(`${ADMIN.pin}|${OPERATOR.pin}`), 'no PIN in the agent log');
});

t.test('the agent not running: a clear message, exit 69; the reader password is masked', async (t) => {
  const dir = t.testdir({});
  const config = writeAgentConfig({
    id: 'RJ-JAI-0091',
    url: 'mqtt://127.0.0.1:1',
    dir,
    extra: { devices: { fingerprint: { r30x: { path: '/dev/ttyUSB0', password: 305419896 } } } },
  });
  const r = await kioskctl(['fingerprint', 'info', '--config', config]);
  t.equal(r.status, 69);
  t.match(r.stderr, /the agent is not running \(no local API at /);
  const show = await kioskctl(['config', 'show', '--config', config]);
  t.equal(show.status, 0);
  t.match(show.stdout, /"r30x": \{[\s\S]*"password": "\*\*\*"/);
  t.notMatch(show.stdout, /305419896/);
});
