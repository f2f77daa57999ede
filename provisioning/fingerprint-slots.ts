/**
 * Which user an R30x slot logs in (issue 11): `auth.users[].fingerprintSlots` in the agent's
 * configuration file. `kioskctl fingerprint enroll --for USER` adds the new slot to USER;
 * `kioskctl fingerprint delete SLOT` takes the slot away from whoever held it, so a finger
 * enrolled later into the freed slot cannot log in as the previous owner.
 *
 * The file is edited as JSON text, not through the parsed configuration, so defaults are not
 * written out; the result is validated with the agent's own schema before it replaces the old
 * file (atomically, keeping its mode and owner: it is the service account's 0600 file).
 */
import { ConfigError, parseConfig } from '../agent/config/load.js';
import { modeOf, ownerOf, readIfExists, writeAtomic } from './files.js';

export class SlotMappingError extends Error {
  override name = 'SlotMappingError';
}

interface RawUser {
  user?: unknown;
  fingerprintSlots?: unknown;
}

async function readRaw(path: string): Promise<{ raw: Record<string, unknown>; users: RawUser[] }> {
  const text = await readIfExists(path);
  if (text === undefined) throw new SlotMappingError(`${path}: file not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SlotMappingError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SlotMappingError(`${path}: not a JSON object`);
  const auth = (raw as Record<string, unknown>)['auth'] as { users?: unknown } | undefined;
  const users = Array.isArray(auth?.users) ? (auth.users as RawUser[]) : [];
  return { raw: raw as Record<string, unknown>, users };
}

const slotsOf = (u: RawUser): number[] => (Array.isArray(u.fingerprintSlots) ? u.fingerprintSlots.filter((s): s is number => typeof s === 'number') : []);

async function writeBack(path: string, raw: Record<string, unknown>): Promise<void> {
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  try {
    parseConfig(text, path);
  } catch (err) {
    if (err instanceof ConfigError) throw new SlotMappingError(`the configuration would not be valid: ${err.problems.join('; ')}`);
    throw err;
  }
  const owner = await ownerOf(path);
  const mode = (await modeOf(path)) ?? 0o600;
  // Only root may hand the file back to the service account; anyone else keeps it as it is.
  await writeAtomic(path, text, mode, owner && process.getuid?.() === 0 ? owner : undefined);
}

/** Throws unless `user` is one of the configuration's logins (checked before a finger is taken). */
export async function assertUser(path: string, user: string): Promise<void> {
  const { users } = await readRaw(path);
  if (!users.some((u) => u.user === user)) {
    const known = users.map((u) => (typeof u.user === 'string' ? u.user : '?')).join(', ');
    throw new SlotMappingError(`no login "${user}" in auth.users of ${path}${known ? ` (there are: ${known})` : ' (there are none)'}`);
  }
}

/** Slot → the login it opens, from the configuration file (for `kioskctl fingerprint info`). */
export async function slotOwners(path: string): Promise<Map<number, string>> {
  const { users } = await readRaw(path);
  const owners = new Map<number, string>();
  for (const u of users) for (const slot of slotsOf(u)) owners.set(slot, String(u.user));
  return owners;
}

/** Gives `slot` to `user`; returns the users it was taken from (a stale mapping of a freed slot). */
export async function tieSlot(path: string, user: string, slot: number): Promise<string[]> {
  const { raw, users } = await readRaw(path);
  const target = users.find((u) => u.user === user);
  if (!target) throw new SlotMappingError(`no login "${user}" in auth.users of ${path}`);
  const from: string[] = [];
  for (const u of users) {
    const slots = slotsOf(u);
    if (u !== target && slots.includes(slot)) {
      from.push(String(u.user));
      u.fingerprintSlots = slots.filter((s) => s !== slot);
    }
  }
  const mine = slotsOf(target);
  if (mine.includes(slot) && from.length === 0) return from;
  target.fingerprintSlots = [...new Set([...mine, slot])].sort((a, b) => a - b);
  await writeBack(path, raw);
  return from;
}

/** Takes `slot` away from whoever holds it; returns those users (none: the file is not touched). */
export async function untieSlot(path: string, slot: number): Promise<string[]> {
  const { raw, users } = await readRaw(path);
  const from = users.filter((u) => slotsOf(u).includes(slot));
  if (!from.length) return [];
  for (const u of from) u.fingerprintSlots = slotsOf(u).filter((s) => s !== slot);
  await writeBack(path, raw);
  return from.map((u) => String(u.user));
}
