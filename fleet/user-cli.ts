/**
 * `kiosk-fleet user add|list|passwd|remove`: the dashboard's users, managed at the console. The
 * password comes from a prompt (not echoed) or the first line of `--password-file`, never from
 * argv, so it shows in no process list or shell history. Each change goes to the audit log.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { USERNAME } from './http/access.js';
import { hashPassword, passwordProblem } from './http/passwords.js';
import { openRepository } from './store/open.js';
import { ROLES, type Role } from './store/access.js';
import type { FleetRepository } from './store/repository.js';

export class UserUsageError extends Error {}

export interface UserIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
}

export const USER_USAGE = `Usage: kiosk-fleet user <add|list|passwd|remove> [options]

Users of the dashboard. Roles: viewer (reads everything), operator (also sends jobs and reads
the audit log), admin (also lists users over the API).

  kiosk-fleet user add NAME --role ROLE [--password-file PATH]
  kiosk-fleet user passwd NAME [--password-file PATH]     (ends the user's sessions)
  kiosk-fleet user remove NAME                            (ends the user's sessions)
  kiosk-fleet user list [--json]

Options:
  --db PATH|URL          fleet database (default ./fleet.db; postgres://… too)
  --password-file PATH   read the password from the first line of PATH instead of a prompt
  -h, --help             show this help

Names: 1-32 lower-case letters, digits, '.', '_' or '-'. Passwords: at least 10 characters.
`;

/** Reads a line from a terminal without echoing it, or the first line of piped input. */
export async function readSecret(io: UserIo, prompt: string): Promise<string> {
  const input: NonNullable<UserIo['stdin']> = io.stdin ?? process.stdin;
  if (!input.isTTY || !input.setRawMode) {
    let text = '';
    for await (const c of input as AsyncIterable<Buffer | string>) {
      text += c.toString();
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  io.stderr.write(prompt);
  input.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (c: Buffer | string): void => {
        for (const ch of c.toString()) {
          if (ch === '\r' || ch === '\n') {
            input.removeListener('data', onData);
            io.stderr.write('\n');
            resolve(text);
            return;
          }
          if (ch === '\u0003') {
            input.removeListener('data', onData);
            reject(new Error('cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      };
      input.on('data', onData);
      input.resume();
    });
  } finally {
    input.setRawMode(false);
    input.pause();
  }
}

async function newPassword(io: UserIo, file: string | undefined): Promise<string> {
  let password: string;
  if (file !== undefined) {
    try {
      password = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new UserUsageError(`--password-file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else {
    password = await readSecret(io, 'Password: ');
    if (io.stdin?.isTTY ?? process.stdin.isTTY) {
      if ((await readSecret(io, 'Again: ')) !== password) throw new UserUsageError('the two passwords differ');
    }
  }
  const problem = passwordProblem(password);
  if (problem) throw new UserUsageError(problem);
  return password;
}

function name(positionals: string[], what: string): string {
  const n = positionals[0];
  if (n === undefined) throw new UserUsageError(`name the user to ${what}`);
  if (positionals.length > 1) throw new UserUsageError(`unexpected argument '${positionals[1]}'`);
  if (!USERNAME.test(n)) throw new UserUsageError(`user names are 1-32 lower-case letters, digits, '.', '_' or '-', got '${n}'`);
  return n;
}

const by = (): string => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
};

export async function userCommand(args: string[], io: UserIo): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { db: { type: 'string' }, role: { type: 'string' }, 'password-file': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UserUsageError((err as Error).message.split('. ')[0] ?? 'bad arguments');
  }
  const { values: v, positionals } = parsed;
  if (v.help || sub === undefined || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.stderr : io.stdout).write(USER_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (!['add', 'list', 'passwd', 'remove'].includes(sub)) throw new UserUsageError(`unknown user command '${sub}' (add, list, passwd, remove)`);
  const db = v.db ?? './fleet.db';
  if (db.trim() === '') throw new UserUsageError('--db must name a file');
  // Check everything that can be checked before opening (and perhaps creating) the database.
  let target = '';
  if (sub !== 'list') target = name(positionals, sub === 'add' ? 'add' : sub === 'passwd' ? 'change' : 'remove');
  else if (positionals.length) throw new UserUsageError(`unexpected argument '${positionals[0]}'`);
  let role: Role | undefined;
  if (sub === 'add') {
    if (v.role === undefined) throw new UserUsageError(`--role is required (${ROLES.join(', ')})`);
    if (!(ROLES as readonly string[]).includes(v.role)) throw new UserUsageError(`--role must be one of ${ROLES.join(', ')}, got '${v.role}'`);
    role = v.role as Role;
  } else if (v.role !== undefined) throw new UserUsageError('--role goes with add');
  const password = sub === 'add' || sub === 'passwd' ? await newPassword(io, v['password-file']) : undefined;

  const repo: FleetRepository = await openRepository(db);
  try {
    const now = Date.now();
    const audit = (action: string, detail: Record<string, unknown>) => repo.access.addAudit({ at: now, username: by(), action, target: `user:${target}`, detail, address: 'console' });
    if (sub === 'list') {
      const users = (await repo.access.listUsers()).map((u) => ({ username: u.username, role: u.role, createdAt: new Date(u.createdAt).toISOString(), updatedAt: new Date(u.updatedAt).toISOString() }));
      if (v.json) io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      else {
        io.stdout.write(users.length ? '' : 'no users yet: kiosk-fleet user add NAME --role operator\n');
        for (const u of users) io.stdout.write(`${u.username.padEnd(32)} ${u.role.padEnd(9)} since ${u.createdAt}\n`);
      }
      return 0;
    }
    if (sub === 'add') {
      const added = await repo.access.addUser({ username: target, role: role!, passwordHash: await hashPassword(password!), createdAt: now, updatedAt: now });
      if (!added) throw new Error(`user '${target}' exists (kiosk-fleet user passwd ${target} changes the password)`);
      await audit('user.add', { role });
      io.stdout.write(`added ${target} (${role})\n`);
      return 0;
    }
    if (sub === 'passwd') {
      if (!(await repo.access.setPassword(target, await hashPassword(password!), now))) throw new Error(`no user '${target}'`);
      await audit('user.passwd', {});
      io.stdout.write(`password of ${target} changed; its sessions ended\n`);
      return 0;
    }
    if (!(await repo.access.removeUser(target))) throw new Error(`no user '${target}'`);
    await audit('user.remove', {});
    io.stdout.write(`removed ${target}; its sessions ended\n`);
    return 0;
  } finally {
    await repo.close();
  }
}
