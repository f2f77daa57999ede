/** Small named counters and values that must survive restarts (sequence numbers, session). */
import type { Queries } from './db.js';

/** Adds one to a counter and returns the new value, inside the caller's transaction. */
export async function nextCounter(q: Queries, name: string): Promise<number> {
  const row = await q.get<{ value: number }>(
    'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
    [name],
  );
  if (!row) throw new Error(`counter ${name} did not return a value`);
  return row.value;
}

export async function readCounter(q: Queries, name: string): Promise<number> {
  const row = await q.get<{ value: number }>('SELECT value FROM counters WHERE name = ?', [name]);
  return row?.value ?? 0;
}

export async function getKv(q: Queries, key: string): Promise<string | undefined> {
  return (await q.get<{ value: string }>('SELECT value FROM kv WHERE key = ?', [key]))?.value;
}

export async function setKv(q: Queries, key: string, value: string): Promise<void> {
  await q.run('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}
