/** Prometheus text exposition of the fleet: kiosks by liveness, open alerts by kind, ingest and job counters. */
import type { IngestStats } from '../ingest.js';
import type { FleetRepository } from '../store/repository.js';
import { ALERT_KINDS } from '../alerts/rules.js';

export interface MetricsInput {
  ingest?: IngestStats;
  listening?: boolean;
  webhook?: { sent: number; failed: number; dropped: number } | undefined;
  sseClients?: number;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export async function renderMetrics(repo: FleetRepository, m: MetricsInput): Promise<string> {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels).map(([k, x]) => `${k}="${esc(x)}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const [kiosks, alerts, invalid] = await Promise.all([repo.listKiosks(), repo.listOpenAlerts(), repo.invalidTotal()]);
  const live: Record<string, number> = { online: 0, offline: 0, unknown: 0 };
  for (const k of kiosks) live[k.liveness] = (live[k.liveness] ?? 0) + 1;
  metric('kiosk_fleet_kiosks', 'gauge', 'Kiosks by liveness', Object.entries(live).map(([l, v]) => [{ liveness: l }, v]));
  const byKind: Record<string, number> = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0]));
  for (const a of alerts) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  metric('kiosk_fleet_alerts_open', 'gauge', 'Open alerts by kind', Object.entries(byKind).map(([k, v]) => [{ kind: k }, v]));
  metric('kiosk_fleet_invalid_messages_total', 'counter', 'Messages outside the contract, since the database was created', [[{}, invalid]]);
  if (m.ingest) {
    metric('kiosk_fleet_ingest_messages_total', 'counter', 'Messages handled by this instance since it started, by result', Object.entries(m.ingest).map(([r, v]): [Record<string, string>, number] => [{ result: r }, Number(v)]));
  }
  if (m.listening !== undefined) metric('kiosk_fleet_broker_listening', 'gauge', 'Whether this instance is subscribed to the broker', [[{}, m.listening ? 1 : 0]]);
  if (m.webhook) {
    metric('kiosk_fleet_webhook_notifications_total', 'counter', 'Alert webhook notifications by outcome', Object.entries(m.webhook).map(([r, v]) => [{ outcome: r }, v]));
  }
  if (m.sseClients !== undefined) metric('kiosk_fleet_dashboard_streams', 'gauge', 'Open live-update streams', [[{}, m.sseClients]]);
  return `${out.join('\n')}\n`;
}
