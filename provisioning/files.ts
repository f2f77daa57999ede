/**
 * Where provisioning writes, under a root directory (`--root`, "/" on a kiosk), and how: every
 * file goes to a temporary name, is fsynced, then renamed over the old one, so a power cut leaves
 * either the old file or the new one, never half of each. Paths written inside the configuration
 * carry the root too, so an agent started from a staged root finds its files there.
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, readlink, rename, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface Layout {
  root: string;
  config: string;
  receiptKey: string;
  receiptPub: string;
  ca: string;
  tlsKey: string;
  csr: string;
  cert: string;
  udev: string;
  unit: string;
  /** The operator console's unit, its enablement and the masks of tty1's getty (issue 11). */
  consoleUnit: string;
  consoleWants: string;
  gettyMask: string;
  autovtMask: string;
  stateDir: string;
  store: string;
  socket: string;
  record: string;
}

export function layout(rootDir = '/'): Layout {
  const root = resolve(rootDir);
  const p = (rel: string) => join(root, rel);
  return {
    root,
    config: p('etc/kiosk-agent/config.json'),
    receiptKey: p('etc/kiosk-agent/keys/receipt-ed25519.pem'),
    // `<key>.pub` is where the agent's printer capability looks for the public half.
    receiptPub: p('etc/kiosk-agent/keys/receipt-ed25519.pem.pub'),
    ca: p('etc/kiosk-agent/tls/ca.pem'),
    tlsKey: p('etc/kiosk-agent/tls/kiosk.key'),
    csr: p('etc/kiosk-agent/tls/kiosk.csr'),
    cert: p('etc/kiosk-agent/tls/kiosk.crt'),
    udev: p('etc/udev/rules.d/70-kiosk-agent.rules'),
    unit: p('etc/systemd/system/kiosk-agent.service'),
    consoleUnit: p('etc/systemd/system/kiosk-console.service'),
    // What `systemctl enable` and `systemctl mask` would make, as plain symlinks, so a staged root
    // boots the same way without systemctl having run in it.
    consoleWants: p('etc/systemd/system/multi-user.target.wants/kiosk-console.service'),
    gettyMask: p('etc/systemd/system/getty@tty1.service'),
    // logind starts autovt@tty1 (an alias of getty@) when someone switches to tty1.
    autovtMask: p('etc/systemd/system/autovt@tty1.service'),
    stateDir: p('var/lib/kiosk-agent'),
    store: p('var/lib/kiosk-agent/agent.db'),
    socket: p('run/kiosk-agent/api.sock'),
    record: p('var/lib/kiosk-agent/provisioning.json'),
  };
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * The service account's ids from the root's own passwd and group files, so a staged root is read
 * the same way as a live one; undefined when the account does not exist (yet).
 */
export async function accountIds(root: string, user: string, group: string): Promise<Owner | undefined> {
  const find = async (file: string, name: string, field: number): Promise<number | undefined> => {
    const text = await readIfExists(join(root, file));
    const line = text?.split('\n').find((l) => l.split(':')[0] === name);
    const v = line?.split(':')[field];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const uid = await find('etc/passwd', user, 2);
  const gid = await find('etc/group', group, 2);
  return uid !== undefined && gid !== undefined ? { uid, gid } : undefined;
}

export async function ownerOf(path: string): Promise<Owner | undefined> {
  try {
    const s = await stat(path);
    return { uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}

export async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

export async function writeAtomic(path: string, content: string, mode: number, owner?: Owner): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = `${path}.tmp-${process.pid}`;
  // O_EXCL with the final mode: a private key is never readable by others, not even for a moment.
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    // Private files belong to the service account: the agent does not run as root.
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** A rename is durable only once its directory is synced. */
async function syncDir(path: string): Promise<void> {
  const dir = await open(path, constants.O_RDONLY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Where a symlink points, or undefined when there is none (or a plain file is there). */
export async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL') return undefined;
    throw err;
  }
}

/** Whether anything (a file, or a symlink even to nowhere) is at `path`. */
export async function present(path: string): Promise<boolean> {
  return (await linkTarget(path)) !== undefined || (await readIfExists(path).catch(() => '')) !== undefined;
}

/** Makes `path` a symlink to `target`, replacing what is there in one rename. */
export async function symlinkAtomic(path: string, target: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = `${path}.tmp-${process.pid}`;
  await unlink(tmp).catch(() => undefined);
  await symlink(target, tmp);
  await rename(tmp, path);
  await syncDir(dirname(path));
}

export { chmod, unlink };
