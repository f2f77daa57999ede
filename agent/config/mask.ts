/**
 * Secrets never reach a log line: every key that names a secret is replaced before the
 * effective configuration is logged or printed.
 */
const SECRET_KEY = /pass(word)?|secret|token|pin|private/i;

export const MASK = '***';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => maskSecrets(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined ? MASK : maskSecrets(v);
    return out as T;
  }
  return value;
}
