import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DUMMY_HASH, hashPin, verifyPin } from '../../../agent/auth/pin.js';
import { AuthUser } from '../../../agent/ledger/config.js';
import { childEnv, ROOT } from '../../helpers/agent-process.js';

t.test('a PIN hash verifies its PIN only, carries its parameters and fits the configuration', async (t) => {
  const hash = await hashPin('4821', { N: 1024 });
  t.match(hash, /^scrypt\$1024\$8\$1\$/);
  t.ok(await verifyPin('4821', hash));
  t.notOk(await verifyPin('4822', hash));
  t.not(await hashPin('4821', { N: 1024 }), hash, 'salted');
  t.notOk(await verifyPin('4821', 'plain-text'), 'a malformed hash never matches');
  t.notOk(await verifyPin('4821', DUMMY_HASH));
  t.ok(AuthUser.safeParse({ user: 'op1', role: 'operator', pinHash: hash }).success);
  t.notOk(AuthUser.safeParse({ user: 'op1', role: 'operator', pinHash: '4821' }).success, 'a PIN in clear is refused');
  await t.rejects(hashPin('12'), /4 to 8 digits/);
});

t.test('scripts/hash-pin reads the PIN from standard input', (t) => {
  const bin = join(ROOT, 'dist/scripts/hash-pin.js');
  if (!existsSync(bin)) {
    t.comment('dist/ not built: the script is not checked');
    return t.end();
  }
  const ok = spawnSync(process.execPath, [bin], { input: '4821\n', encoding: 'utf8', env: childEnv() });
  t.equal(ok.status, 0);
  t.match(ok.stdout, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
  const bad = spawnSync(process.execPath, [bin], { input: 'abcd', encoding: 'utf8', env: childEnv() });
  t.equal(bad.status, 64);
  t.end();
});
