/**
 * Synthetic templates for the simulated R30x module: the first 32 bytes are SHA-256 over the
 * finger's id (its identity, which matching compares), the rest deterministic filler. Nothing here
 * resembles or derives from a real fingerprint.
 */
import { createHash } from 'node:crypto';

export function synthetic(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let block = createHash('sha256').update(`fp-sim:${seed}`).digest();
  for (let off = 0; off < length; off += 32) {
    out.set(block.subarray(0, Math.min(32, length - off)), off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** The first 32 bytes carry the identity; a model keeps its features' identity. */
export function withIdentity(features: Uint8Array, length: number): Uint8Array {
  if (features.length === length) return features.slice();
  const out = new Uint8Array(length);
  out.set(features.subarray(0, Math.min(length, features.length)));
  for (let i = features.length; i < length; i++) out[i] = (i * 31) & 0xff;
  return out;
}

export function sameFinger(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length < 32 || b.length < 32) return false;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A stable, plausible score (ZFM-20 scores are typically 50–250). */
export const scoreOf = (t: Uint8Array): number => 60 + ((t[0] ?? 0) % 140);
