/** Dashboard passwords: scrypt hashes with their own salt and cost, checked in constant time. */
import t from 'tap';
import { burnVerify, hashPassword, passwordProblem, verifyPassword } from '../../../fleet/http/passwords.js';
import { sameSecret } from '../../../fleet/http/access.js';

t.test('hash and verify', async (t) => {
  const h = await hashPassword('correct horse battery');
  t.match(h, /^scrypt\$15\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/, 'scrypt, N=2^15 r=8 p=1, 16-byte salt, 32-byte key');
  t.not(await hashPassword('correct horse battery'), h, 'a fresh salt each time');
  t.equal(await verifyPassword('correct horse battery', h), true);
  t.equal(await verifyPassword('correct horse batterY', h), false);
  t.equal(await verifyPassword('', h), false);
  const cheap = await hashPassword('correct horse battery', { logN: 10, r: 8, p: 1 });
  t.equal(await verifyPassword('correct horse battery', cheap), true, 'the cost travels with the hash');
  t.equal(await verifyPassword('é-composed password', await hashPassword('e\u0301-composed password')), true, 'Unicode normalised (NFC)');
});

t.test('a stored hash it cannot read never verifies', async (t) => {
  for (const bad of ['', 'plain', 'scrypt$15$8$1$c2FsdA==', 'scrypt$30$8$1$c2FsdA==$a2V5', 'bcrypt$10$x$y$z$w', 'scrypt$15$8$1$c2FsdA==$a2V5']) {
    t.equal(await verifyPassword('anything at all', bad), false, JSON.stringify(bad));
  }
  t.equal(await burnVerify('anything at all'), false);
});

t.test('password rules and secret comparison', (t) => {
  t.match(passwordProblem('short'), /at least 10/);
  t.equal(passwordProblem('ten chars!'), undefined);
  t.match(passwordProblem('x'.repeat(1025)), /at most 1024/);
  t.equal(sameSecret('abc', 'abc'), true);
  t.equal(sameSecret('abc', 'abd'), false);
  t.equal(sameSecret('abc', 'abcd'), false);
  t.equal(sameSecret('', ''), true);
  t.end();
});
