/**
 * The real daemon as a process: configuration errors, start-up to birth, a clean SIGTERM and a
 * kill -9 as the next start sees them.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { AGENT_BIN, childEnv, requireBuild, spawnAgent, writeAgentConfig } from '../helpers/agent-process.js';
import { startAedes } from '../helpers/aedes.js';
import { Collector } from '../helpers/collector.js';

requireBuild();

function runBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [AGENT_BIN, ...args], { encoding: 'utf8', env: childEnv(env), timeout: 20_000 });
}

function eventsIn(dbPath: string): Promise<{ seq: number; type: string; data: string }[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all('SELECT seq, type, data FROM events ORDER BY seq', (e: Error | null, rows: { seq: number; type: string; data: string }[]) => {
        db.close();
        if (e) reject(e);
        else resolve(rows);
      });
    });
  });
}

function getJson(socketPath: string, path: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    })
      .on('error', reject)
      .end();
  });
}

t.test('--help and --version', (t) => {
  const help = runBin(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: kiosk-agent/);
  t.match(runBin(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = runBin(['--frobnicate']);
  t.equal(bad.status, 64);
  t.match(bad.stderr, /Unknown option '--frobnicate'/);
  t.end();
});

t.test('a garbage config file: one clear message, exit 78, no stack trace', (t) => {
  const dir = t.testdir({ 'config.json': '{ this is not json' });
  const r = runBin(['--config', join(dir, 'config.json')]);
  t.equal(r.status, 78);
  t.match(r.stderr, /kiosk-agent: invalid configuration .*config\.json:\n {2}- not valid JSON/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  t.end();
});

t.test('a wrong type: the path and the value, exit 78', (t) => {
  const dir = t.testdir({});
  const path = writeAgentConfig({ id: 'RJ-JAI-0009', url: 'mqtt://127.0.0.1:1', dir, extra: { telemetry: { heartbeatSec: 'sixty' } } });
  const r = runBin(['--config', path]);
  t.equal(r.status, 78);
  t.match(r.stderr, /telemetry\.heartbeatSec: .* \(got "sixty"\)/);
  t.notMatch(r.stderr, /\n\s+at /);
  t.end();
});

t.test('KIOSK_AGENT_CONFIG is used when there is no --config; --check-config and --print-config', (t) => {
  const dir = t.testdir({});
  const path = writeAgentConfig({ id: 'RJ-JAI-0009', url: 'mqtt://u:hunter2@127.0.0.1:1', dir, extra: {} });
  const check = runBin(['--check-config'], { KIOSK_AGENT_CONFIG: path });
  t.equal(check.status, 0);
  t.match(check.stdout, /^ok: /);
  const withPw = JSON.parse(readFileSync(path, 'utf8'));
  withPw.mqtt.password = 'hunter2';
  writeFileSync(path, JSON.stringify(withPw));
  const printed = runBin(['--print-config', '--config', path]);
  t.equal(printed.status, 0);
  t.match(printed.stdout, /"password": "\*\*\*"/);
  t.notMatch(printed.stdout, /"password": "hunter2"/);
  const missing = runBin([], { KIOSK_AGENT_CONFIG: join(dir, 'absent.json') });
  t.equal(missing.status, 78);
  t.match(missing.stderr, /absent\.json:\n {2}- cannot read: file not found/);
  t.end();
});

t.test('start → birth; SIGTERM → clean stop; kill -9 → unclean as the next start reports', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const sub = await Collector.start(broker.url, 'kiosk/v1/RJ-JAI-0010/+');
  t.teardown(() => sub.close());
  const dir = t.testdir({});
  const config = writeAgentConfig({ id: 'RJ-JAI-0010', url: broker.url, dir, heartbeatSec: 5 });

  const first = spawnAgent(config);
  await sub.until(() => sub.on('status').some((r) => r.message['state'] === 'online'), 30_000, 'birth');
  await sub.until(() => sub.on('state').length >= 1 && sub.on('events').length >= 1, 30_000, 'state and agent.start');
  t.match(sub.on('events')[0]?.message, { type: 'agent.start', data: { previousExit: 'first' } });
  const socket = (JSON.parse(readFileSync(config, 'utf8')) as { api: { socket: string } }).api.socket;
  const status = await getJson(socket, '/v1/status');
  t.match(status, { kiosk: { id: 'RJ-JAI-0010', district: 'Jaipur' }, link: { state: 'up', session: 1 }, clock: { synced: true } });
  first.proc.kill('SIGTERM');
  t.equal(await first.exited, 0, 'exit 0 on SIGTERM');
  await sub.until(() => sub.on('events').some((r) => r.message['type'] === 'agent.stop'), 5000, 'agent.stop delivered before exit');
  t.match(sub.on('status').at(-1)?.message, { state: 'offline', reason: 'shutdown' });

  const second = spawnAgent(config);
  await sub.until(() => sub.on('events').filter((r) => r.message['type'] === 'agent.start').length === 2, 30_000, 'second start');
  t.match(sub.on('events').filter((r) => r.message['type'] === 'agent.start')[1]?.message, { data: { previousExit: 'clean' } });
  second.proc.kill('SIGKILL');
  await second.exited;
  await sub.until(() => sub.on('status').at(-1)?.message['reason'] === 'will', 15_000, 'will after kill -9');

  const third = spawnAgent(config);
  await sub.until(() => sub.on('events').filter((r) => r.message['type'] === 'agent.start').length === 3, 30_000, 'third start');
  t.match(sub.on('events').filter((r) => r.message['type'] === 'agent.start')[2]?.message, { data: { previousExit: 'unclean' } });
  const sessions = sub.on('status').filter((r) => r.message['state'] === 'online').map((r) => r.message['session'] as number);
  t.same(sessions, [1, 2, 3], 'session counter persisted across restarts');
  third.proc.kill('SIGTERM');
  t.equal(await third.exited, 0);
  const rows = await eventsIn(join(dir, 'agent.db'));
  t.same(rows.map((r) => r.type), ['agent.start', 'agent.stop', 'agent.start', 'agent.start', 'agent.stop']);
});

