import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, resolveConfigPath, DEFAULT_CONFIG_PATH } from '../../../agent/config/load.js';
import { maskSecrets } from '../../../agent/config/mask.js';

const good = {
  schemaVersion: 2,
  kiosk: { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'e-Mitra LSP 12' },
  mqtt: { url: 'mqtts://broker.example:8883', username: 'RJ-JAI-0001', password: 's3cret' },
};

function problems(text: string): string[] {
  try {
    parseConfig(text, '/etc/kiosk-agent/config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('a minimal file gets every default', (t) => {
  const { config, fileVersion, hash } = parseConfig(JSON.stringify(good), 'x');
  t.equal(fileVersion, 2);
  t.equal(config.telemetry.heartbeatSec, 60);
  t.equal(config.mqtt.keepaliveSec, 60);
  t.same(config.mqtt.backoff, { baseMs: 1000, capMs: 300000, stableMs: 60000 });
  t.equal(config.outbox.maxRows, 20000);
  t.equal(config.store.path, '/var/lib/kiosk-agent/agent.db');
  t.equal(config.log.level, 'info');
  t.match(hash, /^[0-9a-f]{12}$/);
  t.end();
});

t.test('garbage is reported as not JSON', (t) => {
  const p = problems('{ kiosk: nope');
  t.equal(p.length, 1);
  t.match(p[0], /not valid JSON/);
  t.match(problems('[1,2]')[0], /expected a JSON object/);
  t.end();
});

t.test('every error names its path and the offending value', (t) => {
  const bad = {
    ...good,
    kiosk: { id: 'rj jai 1', district: 'Jaipur', lsp: 'x' },
    mqtt: { url: 'broker:1883', keepaliveSec: '60' },
    telemetry: { heartbeatSec: 0 },
    surprise: true,
  };
  const p = problems(JSON.stringify(bad));
  t.ok(p.some((l) => l.startsWith('kiosk.id: ') && l.includes('(got "rj jai 1")')), 'kiosk.id');
  t.ok(p.some((l) => l.startsWith('mqtt.url: ') && l.includes('"broker:1883"')), 'mqtt.url');
  t.ok(p.some((l) => l.startsWith('mqtt.keepaliveSec: ') && l.includes('(got "60")')), 'wrong type');
  t.ok(p.some((l) => l.startsWith('telemetry.heartbeatSec: ') && l.includes('(got 0)')), 'range');
  t.ok(p.some((l) => l.includes('unknown key "surprise"')), 'unknown key');
  t.end();
});

t.test('a missing field says missing; a secret is never echoed', (t) => {
  const p = problems(JSON.stringify({ ...good, kiosk: { id: 'RJ-JAI-0001', lsp: 'x' }, mqtt: { url: 'mqtt://b', password: 42 } }));
  t.ok(p.some((l) => l.startsWith('kiosk.district: ') && l.includes('(missing)')));
  const pw = p.find((l) => l.startsWith('mqtt.password'));
  t.ok(pw);
  t.notMatch(pw, /42/);
  t.match(pw, /\*\*\*/);
  t.end();
});

t.test('a version 1 (flat) file is migrated on load', (t) => {
  const v1 = { kioskId: 'MP-BPL-0007', district: 'Bhopal', lsp: 'MPOnline', broker: 'mqtt://10.0.0.1', heartbeatSeconds: 30, dbPath: '/tmp/a.db', logLevel: 'debug' };
  const { config, fileVersion } = parseConfig(JSON.stringify(v1), 'x');
  t.equal(fileVersion, 1);
  t.equal(config.schemaVersion, 2);
  t.equal(config.kiosk.id, 'MP-BPL-0007');
  t.equal(config.mqtt.url, 'mqtt://10.0.0.1');
  t.equal(config.telemetry.heartbeatSec, 30);
  t.equal(config.store.path, '/tmp/a.db');
  t.equal(config.log.level, 'debug');
  t.end();
});

t.test('a newer schema version is refused', (t) => {
  t.match(problems(JSON.stringify({ ...good, schemaVersion: 9 }))[0], /newer than this agent/);
  t.match(problems(JSON.stringify({ ...good, schemaVersion: 'two' }))[0], /schemaVersion: must be a positive integer/);
  t.end();
});

t.test('path resolution: flag, then environment, then default', (t) => {
  t.equal(resolveConfigPath('/a.json', { KIOSK_AGENT_CONFIG: '/b.json' }), '/a.json');
  t.equal(resolveConfigPath(undefined, { KIOSK_AGENT_CONFIG: '/b.json' }), '/b.json');
  t.equal(resolveConfigPath(undefined, {}), DEFAULT_CONFIG_PATH);
  t.end();
});

t.test('unreadable files', async (t) => {
  const dir = t.testdir({});
  await t.rejects(loadConfig(join(dir, 'none.json')), { name: 'ConfigError', message: /file not found/ });
  const path = join(dir, 'c.json');
  writeFileSync(path, JSON.stringify(good));
  t.equal((await loadConfig(path)).config.kiosk.id, 'RJ-JAI-0001');
});

t.test('secrets are masked wherever they sit', (t) => {
  const masked = maskSecrets({ mqtt: { password: 'p', url: 'u' }, admin: { pin: '1234' }, list: [{ token: 't' }] });
  t.same(masked, { mqtt: { password: '***', url: 'u' }, admin: { pin: '***' }, list: [{ token: '***' }] });
  t.end();
});
