/**
 * `kiosk-fleet serve` options of central operations: alert thresholds, the alert webhook, and the
 * dashboard's HTTP listener. Parsed here so the command's own file stays small.
 */
import { readFileSync } from 'node:fs';
import { AlertThresholds } from './alerts/rules.js';
import type { OperationsOptions } from './operations.js';

export const OPS_ARGS = {
  'alert-config': { type: 'string' },
  'alert-webhook': { type: 'string' },
  'http-port': { type: 'string' },
  'http-host': { type: 'string' },
} as const;

export const OPS_USAGE = `  --alert-config PATH     JSON alert thresholds (inactivityWarnDays 25, inactivityBreachDays 30,
                          batteryLowPct 30, walletMinimumPaise, captureBacklog 10,
                          capturesExpiredWindowHours 24, certificateDays 14, shutdownIsOffline)
  --alert-webhook URL     POST every alert change there as JSON (token: $KIOSK_FLEET_WEBHOOK_TOKEN)
  --http-port N           serve the dashboard, JSON API and /metrics on this port (0 picks one)
  --http-host ADDR        its listen address (default 127.0.0.1)
`;

export interface HttpListen {
  host: string;
  port: number;
}

export type ParsedOps = { ok: true; operations: OperationsOptions; http?: HttpListen } | { ok: false; error: string };

export function parseOpsArgs(str: (k: string) => string | undefined, env: NodeJS.ProcessEnv = process.env): ParsedOps {
  const operations: OperationsOptions = {};
  const config = str('alert-config');
  if (config !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(config, 'utf8'));
    } catch (err) {
      return { ok: false, error: `--alert-config ${config}: ${(err as Error).message}` };
    }
    const parsed = AlertThresholds.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, error: `--alert-config ${config}: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}` };
    }
    operations.thresholds = parsed.data;
  }
  const hook = str('alert-webhook');
  if (hook !== undefined) {
    let u: URL;
    try {
      u = new URL(hook);
    } catch {
      return { ok: false, error: `--alert-webhook is not a URL: '${hook}'` };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, error: `--alert-webhook must be http:// or https://` };
    operations.webhookUrl = hook;
    const token = env.KIOSK_FLEET_WEBHOOK_TOKEN;
    if (token) operations.webhookToken = token;
  }
  const port = str('http-port');
  const host = str('http-host');
  if (port === undefined) {
    if (host !== undefined) return { ok: false, error: '--http-host goes with --http-port' };
    return { ok: true, operations };
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { ok: false, error: `--http-port must be 0-65535, got '${port}'` };
  if (host !== undefined && host.trim() === '') return { ok: false, error: '--http-host must not be empty' };
  return { ok: true, operations, http: { host: host ?? '127.0.0.1', port: Number(port) } };
}
