/**
 * PIN hashing with scrypt (node:crypto): a PIN has little entropy, so the hash must be slow to
 * brute-force if the configuration file leaks, and the login is locked after repeated failures
 * (agent/auth/sessions.ts). The hash string carries its own parameters, so they can be raised
 * later without invalidating existing logins: `scrypt$N$r$p$<salt base64>$<hash base64>`.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const PIN_PATTERN = /^\d{4,8}$/;
const KEYLEN = 32;

function derive(pin: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEYLEN, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a PIN (4–8 digits). N = 2^14 takes about 0.1 s on a Raspberry Pi 4. */
export async function hashPin(pin: string, opts: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  if (!PIN_PATTERN.test(pin)) throw new Error('a PIN is 4 to 8 digits');
  const { N = 16_384, r = 8, p = 1 } = opts;
  const salt = randomBytes(16);
  const key = await derive(pin, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `pin` matches `hash`; false for a malformed hash. Constant time in the comparison. */
export async function verifyPin(pin: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const want = Buffer.from(parts[5]!, 'base64');
  if (want.length !== KEYLEN) return false;
  const got = await derive(pin, salt, N, r, p);
  return timingSafeEqual(got, want);
}

/** A hash that matches no PIN, to spend the same time on an unknown user as on a known one. */
export const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEYLEN).toString('base64')}`;
