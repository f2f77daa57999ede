/**
 * Reading the configuration again while running (agent/config/reload.ts): which sections changed,
 * the logins applied in place to the object the login services hold, sessions of removed users or
 * of changed roles and PINs ended, and a refused file described without quoting its text.
 */
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, parseConfig } from '../../../agent/config/load.js';
import { applyReload, changedSections, safeProblems } from '../../../agent/config/reload.js';
import { hashPin } from '../../../agent/auth/pin.js';
import { Sessions } from '../../../agent/auth/sessions.js';
import { Store } from '../../../agent/store/db.js';
import { silentLogger } from '../../../drivers/common/logger.js';

const base = {
  schemaVersion: 2,
  kiosk: { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'e-Mitra LSP 12' },
  mqtt: { url: 'mqtts://broker.example:8883', username: 'RJ-JAI-0001', password: 's3cret' },
};
const parse = (over: Record<string, unknown>) => parseConfig(JSON.stringify({ ...base, ...over }), 'config.json').config;

t.test('changed sections: none for the same file, each differing top-level key otherwise', (t) => {
  t.same(changedSections(parse({}), parse({})), []);
  t.same(changedSections(parse({}), parse({ mqtt: { ...base.mqtt, keepaliveSec: 10 }, log: { level: 'debug' } })), ['log', 'mqtt']);
  t.end();
});

t.test('the logins are applied in place; sessions of removed users, changed roles and changed PINs end', async (t) => {
  const store = await Store.open(join(t.testdir({}), 's.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const clock = { now: () => ({ ts: Date.now(), mono: 10_000, boot: 'boot-1', synced: true }) };
  const h = { asha: await hashPin('1111', { N: 1024 }), ravi: await hashPin('2222', { N: 1024 }), meena: await hashPin('3333', { N: 1024 }) };
  const users = [
    { user: 'asha', role: 'operator', pinHash: h.asha },
    { user: 'ravi', role: 'operator', pinHash: h.ravi },
    { user: 'meena', role: 'admin', pinHash: h.meena },
    { user: 'gone', role: 'operator', pinHash: h.asha },
  ];
  const current = parse({ auth: { users } });
  const held = current.auth;
  // The login service holds the configuration's auth object, as the agent's capabilities do.
  const sessions = new Sessions(store, clock, current.auth);
  const tokens: Record<string, string> = {};
  for (const [user, pin] of [['asha', '1111'], ['ravi', '2222'], ['meena', '3333'], ['gone', '1111']] as const) {
    const r = await sessions.login(user, pin);
    if (!r.ok) throw new Error(`login ${user} refused`);
    tokens[user] = r.token;
  }

  const next = parse({
    auth: {
      users: [
        { user: 'asha', role: 'operator', pinHash: h.asha, fingerprintSlots: [3] }, // only a finger added: stays logged in
        { user: 'ravi', role: 'operator', pinHash: await hashPin('2468', { N: 1024 }) }, // PIN changed
        { user: 'meena', role: 'operator', pinHash: h.meena }, // no longer an admin
        { user: 'new.op', role: 'operator', pinHash: await hashPin('4444', { N: 1024 }) },
      ],
      maxFailures: 3,
    },
    log: { level: 'debug' },
  });
  const r = await applyReload(store, current, next);
  t.same(r, { auth: true, endedSessions: 3, restartNeeded: ['log'] });
  t.equal(current.auth, held, 'the same object, so the login services see the change');
  t.same(current.auth, next.auth, 'with the new content');
  t.equal(current.log.level, 'info', 'other sections wait for a restart');

  t.ok(await sessions.resolve(tokens['asha']!), 'asha keeps her login');
  for (const u of ['ravi', 'meena', 'gone']) t.notOk(await sessions.resolve(tokens[u]!), `${u}'s login ended`);
  t.match(await sessions.login('new.op', '4444'), { ok: true, role: 'operator' }, 'a new login works at once');
  t.match(await sessions.login('ravi', '2222'), { ok: false }, 'the old PIN no longer does');
  t.match(await sessions.login('ravi', '2468'), { ok: true });
  t.match(await sessions.loginWithFingerprint(() => Promise.resolve(3)), { ok: true, user: 'asha', slot: 3 }, 'the new slot logs asha in');
  t.match(await sessions.login('gone', '1111'), { ok: false });

  t.same(await applyReload(store, current, next), { auth: false, endedSessions: 0, restartNeeded: ['log'] }, 'the same file again changes nothing');
});

t.test('a refused file is described by its problems, never by a quote of its text', (t) => {
  let err: ConfigError | undefined;
  try {
    parseConfig('{"mqtt": {"password": "hunter2"', 'config.json');
  } catch (e) {
    err = e as ConfigError;
  }
  t.ok(err instanceof ConfigError);
  const safe = safeProblems(err!);
  t.match(safe, [/^not valid JSON/]);
  t.notMatch(safe.join(' '), /hunter2/);
  const manual = new ConfigError('config.json', ['not valid JSON: Unexpected token \'h\', "hunter2 }" is not valid JSON', 'not valid JSON: Expected \',\' after property value in JSON at position 33 (line 1 column 34)']);
  t.same(safeProblems(manual), ['not valid JSON', 'not valid JSON at position 33 (line 1 column 34)']);
  try {
    parseConfig(JSON.stringify({ ...base, mqtt: { ...base.mqtt, keepaliveSec: 'x' } }), 'config.json');
  } catch (e) {
    t.match(safeProblems(e as ConfigError), [/^mqtt\.keepaliveSec: /], 'other problems pass as they are');
  }
  t.end();
});
