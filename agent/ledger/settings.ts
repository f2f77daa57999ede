/**
 * Settings central may change with a `config.set` job (issue 8 §5). Each allowed key has the
 * same zod schema as the configuration file; a value set by central is kept in the kv table,
 * survives restarts and wins over the file's value from then on (central owns it once it has
 * set it). Keys outside this list are refused with `not-allowed`.
 */
import { z } from 'zod';
import type { Queries } from '../store/db.js';
import { getKv, setKv } from '../store/kv.js';
import { InactivityConfig, WalletConfig } from './config.js';

export const SETTINGS = {
  'wallet.minimumPaise': WalletConfig.shape.minimumPaise.unwrap(),
  'inactivity.warnDays': InactivityConfig.shape.warnDays.unwrap(),
} as const satisfies Record<string, z.ZodType>;
export type SettingKey = keyof typeof SETTINGS;

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}

const KV = (key: SettingKey) => `setting:${key}`;

export async function readSetting<K extends SettingKey>(q: Queries, key: K): Promise<z.infer<(typeof SETTINGS)[K]> | undefined> {
  const raw = await getKv(q, KV(key));
  if (raw === undefined) return undefined;
  const parsed = SETTINGS[key].safeParse(JSON.parse(raw));
  return parsed.success ? (parsed.data as z.infer<(typeof SETTINGS)[K]>) : undefined;
}

/** Validates and stores a setting; returns the stored value or throws with zod's message. */
export async function writeSetting(q: Queries, key: SettingKey, value: unknown): Promise<unknown> {
  const parsed = SETTINGS[key].safeParse(value);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || key}: ${i.message}`).join('; '));
  }
  await setKv(q, KV(key), JSON.stringify(parsed.data));
  return parsed.data;
}

export async function effectiveMinimum(q: Queries, fromFile: number): Promise<number> {
  return (await readSetting(q, 'wallet.minimumPaise')) ?? fromFile;
}
