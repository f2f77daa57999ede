/**
 * `kiosk-fleet user add|list|passwd|remove`: passwords from a file or piped input (never argv),
 * scrypt-hashed in the store, changes in the audit log, clear errors with exit code 2 or 1.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../fleet/cli.js';
import { verifyPassword } from '../../fleet/http/passwords.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { captureIo, tempDir } from './fixtures/helpers.js';

const io = (stdin?: string) => captureIo(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {});

t.test('user commands', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'fleet.db');
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'first long password\n', { mode: 0o600 });

  let x = io();
  t.equal(await run(['user', 'add', 'ops', '--role', 'operator', '--password-file', pw, '--db', db], x), 0, x.err());
  t.equal(x.out(), 'added ops (operator)\n');
  x = io('piped in password\nignored second line\n');
  t.equal(await run(['user', 'add', 'asha', '--role', 'viewer', '--db', db], x), 0, x.err());
  x = io();
  t.equal(await run(['user', 'list', '--db', db], x), 0);
  t.match(x.out(), /^asha\s+viewer\s+since \d{4}-.*\nops\s+operator\s+since /);
  x = io();
  t.equal(await run(['user', 'list', '--json', '--db', db], x), 0);
  t.match(JSON.parse(x.out()), [{ username: 'asha', role: 'viewer' }, { username: 'ops', role: 'operator' }]);

  const repo = await SqliteFleetRepository.open(db);
  t.teardown(() => repo.close());
  t.ok(await verifyPassword('first long password', (await repo.access.getUser('ops'))!.passwordHash), 'the file’s first line is the password');
  t.ok(await verifyPassword('piped in password', (await repo.access.getUser('asha'))!.passwordHash), 'the first piped line');

  await repo.access.createSession({ id: 'x', username: 'ops', csrf: 'c', createdAt: 1, lastSeenAt: 1, expiresAt: Date.now() + 60_000, address: '' });
  writeFileSync(pw, 'second long password');
  x = io();
  t.equal(await run(['user', 'passwd', 'ops', '--password-file', pw, '--db', db], x), 0, x.err());
  t.match(x.out(), /sessions ended/);
  t.ok(await verifyPassword('second long password', (await repo.access.getUser('ops'))!.passwordHash));
  t.equal(await repo.access.getSession('x'), undefined, 'its sessions ended');

  x = io();
  t.equal(await run(['user', 'remove', 'asha', '--db', db], x), 0);
  t.equal(await repo.access.getUser('asha'), undefined);
  const audit = await repo.access.listAudit(10);
  t.same(audit.map((e) => [e.action, e.target]), [['user.remove', 'user:asha'], ['user.passwd', 'user:ops'], ['user.add', 'user:asha'], ['user.add', 'user:ops']]);
  t.match(audit[3], { username: /^cli/, detail: { role: 'operator' }, address: 'console' });
  t.notMatch(JSON.stringify(audit), /password/, 'no password in the audit log');

  const bad: [string[], number, RegExp, string?][] = [
    [['user', 'add', 'ops', '--role', 'operator', '--password-file', pw], 1, /user 'ops' exists/],
    [['user', 'add', 'new', '--password-file', pw], 2, /--role is required/],
    [['user', 'add', 'new', '--role', 'root', '--password-file', pw], 2, /--role must be one of viewer, operator, admin/],
    [['user', 'add', 'Bad Name', '--role', 'viewer', '--password-file', pw], 2, /user names are/],
    [['user', 'add', 'new', '--role', 'viewer'], 2, /at least 10 characters/, 'short\n'],
    [['user', 'add', 'new', '--role', 'viewer', '--password-file', join(dir, 'none')], 2, /--password-file: ENOENT/],
    [['user', 'add', 'new', '--role', 'viewer', '--password', 'on-argv-is-refused'], 2, /Unknown option '--password'/],
    [['user', 'passwd', 'ghost', '--password-file', pw], 1, /no user 'ghost'/],
    [['user', 'remove'], 2, /name the user to remove/],
    [['user', 'frobnicate'], 2, /unknown user command/],
  ];
  for (const [args, code, msg, stdin] of bad) {
    x = io(stdin);
    t.equal(await run([...args, '--db', db], x), code, args.join(' '));
    t.match(x.err(), msg);
    t.notMatch(x.err(), /\n\s+at /, 'no stack trace');
  }
  x = io();
  t.equal(await run(['user', '--help'], x), 0);
  t.match(x.out(), /viewer[\s\S]*operator[\s\S]*--password-file/);
});
