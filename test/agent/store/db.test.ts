import t from 'tap';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { AGENT_MIGRATIONS } from '../../../agent/store/migrations.js';
import { nextCounter, readCounter } from '../../../agent/store/kv.js';
import { silentLogger } from '../../../drivers/common/logger.js';

t.test('opens in WAL with synchronous FULL and migrates once', async (t) => {
  const path = join(t.testdir({}), 'a.db');
  const s = await Store.open(path, { logger: silentLogger });
  t.equal((await s.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode, 'wal');
  t.equal((await s.get<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous, 2);
  // Each capability appends its migration; the schema is at the latest one.
  const latest = Math.max(...AGENT_MIGRATIONS.map((m) => m.version));
  t.equal((await s.get<{ user_version: number }>('PRAGMA user_version'))?.user_version, latest);
  await s.close();
  const again = await Store.open(path, { logger: silentLogger });
  t.equal((await again.get<{ user_version: number }>('PRAGMA user_version'))?.user_version, latest);
  await again.close();
});

t.test('a database from a newer agent is refused', async (t) => {
  const path = join(t.testdir({}), 'b.db');
  const s = await Store.open(path, { logger: silentLogger });
  await s.exec('PRAGMA user_version = 99');
  await s.close();
  await t.rejects(Store.open(path, { logger: silentLogger }), /newer than this agent/);
});

t.test('a throwing transaction leaves nothing behind', async (t) => {
  const s = await Store.open(join(t.testdir({}), 'c.db'), { logger: silentLogger });
  await t.rejects(
    s.transaction(async (tx) => {
      await nextCounter(tx, 'x');
      await tx.run("INSERT INTO kv (key, value) VALUES ('a', 'b')");
      throw new Error('boom');
    }),
    /boom/,
  );
  t.equal(await readCounter(s, 'x'), 0);
  t.equal((await s.all('SELECT * FROM kv')).length, 0);
  await s.close();
});

t.test('concurrent transactions are serialised, never interleaved', async (t) => {
  const s = await Store.open(join(t.testdir({}), 'd.db'), { logger: silentLogger });
  const order: string[] = [];
  const work = (name: string) =>
    s.transaction(async (tx) => {
      order.push(`${name}:begin`);
      const v = await readCounter(tx, 'n');
      await new Promise((r) => setImmediate(r));
      await tx.run('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', ['n', v + 1]);
      order.push(`${name}:end`);
    });
  // Plain statements queued between transactions wait their turn too.
  await Promise.all([work('a'), s.get('SELECT 1'), work('b'), work('c')]);
  t.equal(await readCounter(s, 'n'), 3, 'no lost update');
  t.same(order, ['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
  await s.close();
});

t.test('SQL errors carry a code and the statement, and a closed store refuses', async (t) => {
  const s = await Store.open(join(t.testdir({}), 'e.db'), { logger: silentLogger });
  await t.rejects(s.run('INSERT INTO nope VALUES (1)'), { name: 'StoreError', code: 'SQLITE_ERROR', message: /no such table: nope/ });
  await s.close();
  await t.rejects(s.get('SELECT 1'), { code: 'STORE_CLOSED' });
});
