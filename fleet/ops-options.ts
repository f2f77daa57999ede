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
  'http-secure-cookie': { type: 'boolean' },
  'trust-proxy': { type: 'boolean' },
  'session-idle-min': { type: 'string' },
  'session-max-hours': { type: 'string' },
} as const;

export const OPS_USAGE = `  --alert-config PATH     JSON alert thresholds (inactivityWarnDays 25, inactivityBreachDays 30,
                          batteryLowPct 30, walletMinimumPaise, captureBacklog 10,
                          capturesExpiredWindowHours 24, certificateDays 14, shutdownIsOffline)
  --alert-webhook URL     POST every alert change there as JSON (token: $KIOSK_FLEET_WEBHOOK_TOKEN)
  --http-port N           serve the dashboard, JSON API and /metrics on this port (0 picks one)
  --http-host ADDR        its listen address (default 127.0.0.1)
  --http-secure-cookie    mark the session cookie Secure (the dashboard is reached over HTTPS via a proxy)
  --trust-proxy           the dashboard is reached only through a reverse proxy: take the client address
                          (login throttle, audit log) from the last X-Forwarded-For entry it appends
  --session-idle-min N    a dashboard session unused N minutes ends (default 30)
  --session-max-hours N   a dashboard session ends N hours after login (default 12)
                          /metrics needs \`Authorization: Bearer $KIOSK_FLEET_METRICS_TOKEN\` when that is set
`;

export interface HttpListen {
  host: string;
  port: number;
  secureCookie?: boolean;
  trustProxy?: boolean;
  metricsToken?: string;
  access?: { idleMs?: number; absoluteMs?: number; lockAfter?: number; lockBaseMs?: number; addressLockAfter?: number; addressLockBaseMs?: number };
  keepAliveMs?: number;
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
    if (str('trust-proxy') !== undefined) return { ok: false, error: '--trust-proxy goes with --http-port' };
    return { ok: true, operations };
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { ok: false, error: `--http-port must be 0-65535, got '${port}'` };
  if (host !== undefined && host.trim() === '') return { ok: false, error: '--http-host must not be empty' };
  const http: HttpListen = { host: host ?? '127.0.0.1', port: Number(port) };
  if (str('http-secure-cookie') !== undefined) http.secureCookie = true;
  if (str('trust-proxy') !== undefined) http.trustProxy = true;
  if (env.KIOSK_FLEET_METRICS_TOKEN) http.metricsToken = env.KIOSK_FLEET_METRICS_TOKEN;
  const idle = str('session-idle-min');
  const max = str('session-max-hours');
  if (idle !== undefined && (!/^\d+$/.test(idle) || Number(idle) < 1 || Number(idle) > 1440)) return { ok: false, error: `--session-idle-min must be 1-1440, got '${idle}'` };
  if (max !== undefined && (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > 720)) return { ok: false, error: `--session-max-hours must be 1-720, got '${max}'` };
  if (idle !== undefined || max !== undefined) {
    http.access = { ...(idle !== undefined ? { idleMs: Number(idle) * 60_000 } : {}), ...(max !== undefined ? { absoluteMs: Number(max) * 3_600_000 } : {}) };
  }
  return { ok: true, operations, http };
}
