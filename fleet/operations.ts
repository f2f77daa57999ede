/**
 * Central operations on top of ingest (issue 10): alerts with webhook notifications, jobs (and the
 * automatic `state.republish` on a sequence gap), and the hooks ingest and the liveness monitor
 * call. `startFleet` builds one and wires it in.
 */
import { AlertEngine } from './alerts/engine.js';
import { type AlertThresholds, DEFAULT_THRESHOLDS } from './alerts/rules.js';
import { WebhookNotifier } from './alerts/webhook.js';
import type { Clock } from './clock.js';
import { type RunningHttp, startHttp } from './http/server.js';
import type { IngestStats } from './ingest.js';
import { JobService } from './jobs/service.js';
import { type JobPublisher, MqttJobPublisher } from './jobs/publisher.js';
import type { Decision } from './liveness.js';
import { child, type Logger } from './log.js';
import type { HttpListen } from './ops-options.js';
import type { AlertChange, FleetRepository } from './store/repository.js';

export interface OperationsOptions {
  thresholds?: AlertThresholds;
  webhookUrl?: string;
  webhookToken?: string;
  /** How often unanswered jobs past their expiry are marked expired. */
  expireEveryMs?: number;
  /**
   * How often every kiosk's alerts are re-evaluated for what moves with time alone (the expired
   * captures window, certificate expiry); changes a kiosk reports are evaluated at once anyway.
   */
  sweepEveryMs?: number;
  /** For tests: instead of an MQTT connection of its own. */
  publisher?: JobPublisher;
  republishIntervalMs?: number;
  /** Serve the dashboard, JSON API and /metrics here. */
  http?: HttpListen;
  /** Ingest counters for /metrics. */
  stats?: () => { ingest: IngestStats; listening: boolean };
}

/** What the dashboard listens to: one line per change, pushed over server-sent events. */
export type FleetChange =
  | { kind: 'kiosk'; kioskId: string; channel: string }
  | { kind: 'alerts'; changes: AlertChange[] }
  | { kind: 'job'; jobId: string };

export interface Operations {
  alerts: AlertEngine;
  jobs: JobService;
  webhook: WebhookNotifier | undefined;
  /** The dashboard once listening; undefined without `http`; rejects if it cannot listen. */
  http: Promise<RunningHttp | undefined>;
  onGap: (kioskId: string, channel: string, gap: number, seq: number) => void;
  onChange: (kioskId: string, channel: string) => void;
  onLiveness: (kioskId: string, d: Decision) => void;
  /** Subscribes to changes; returns the unsubscribe. */
  subscribe(fn: (c: FleetChange) => void): () => void;
  /** Resolves once pending alert evaluations, job sends and notifications are done. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Channels whose messages can change an alert; liveness changes come through onLiveness (heartbeats cost nothing here). */
const ALERT_CHANNELS = new Set(['state', 'events']);

export function startOperations(o: { repo: FleetRepository; clock: Clock; log: Logger; url: string } & OperationsOptions): Operations {
  const listeners = new Set<(c: FleetChange) => void>();
  const emit = (c: FleetChange): void => {
    for (const fn of listeners) {
      try {
        fn(c);
      } catch (err) {
        o.log.error({ err }, 'change listener failed');
      }
    }
  };
  const webhook = o.webhookUrl
    ? new WebhookNotifier({ url: o.webhookUrl, log: child(o.log, 'webhook'), ...(o.webhookToken ? { token: o.webhookToken } : {}) })
    : undefined;
  const alerts = new AlertEngine({
    repo: o.repo,
    clock: o.clock,
    log: child(o.log, 'alerts'),
    thresholds: o.thresholds ?? DEFAULT_THRESHOLDS,
    ...(webhook ? { notify: (n) => webhook.notify(n) } : {}),
    onChange: (changes) => emit({ kind: 'alerts', changes }),
  });
  const publisher = o.publisher ?? new MqttJobPublisher(o.url, child(o.log, 'jobs'));
  const jobs = new JobService({
    repo: o.repo,
    clock: o.clock,
    log: child(o.log, 'jobs'),
    publisher,
    ...(o.republishIntervalMs !== undefined ? { republishIntervalMs: o.republishIntervalMs } : {}),
    onChange: (jobId) => emit({ kind: 'job', jobId }),
  });
  // One periodic task at a time: a slow store must not pile up overlapping sweeps.
  let sweeping: Promise<unknown> = Promise.resolve();
  const periodic = (task: () => Promise<unknown>, what: string) => (): void => {
    sweeping = sweeping.then(task).catch((err: unknown) => o.log.error({ err }, `${what} failed`));
  };
  const timers = [
    o.clock.setInterval(periodic(() => jobs.expire(), 'job expiry'), o.expireEveryMs ?? o.sweepEveryMs ?? 60_000),
    o.clock.setInterval(periodic(() => alerts.sweep(), 'alert sweep'), o.sweepEveryMs ?? 600_000),
  ];
  const self: { ops?: Operations } = {};
  const http: Promise<RunningHttp | undefined> = o.http
    ? Promise.resolve().then(() =>
        startHttp({ ...o.http!, repo: o.repo, ops: self.ops!, clock: o.clock, log: child(o.log, 'http'), ...(o.stats ? { stats: o.stats } : {}) }),
      )
    : Promise.resolve(undefined);
  http.catch((err: Error) => o.log.error({ error: err.message, ...o.http }, 'the dashboard cannot listen'));
  const idle = async (): Promise<void> => {
    await sweeping;
    await alerts.idle();
    await jobs.idle();
    await webhook?.idle();
  };
  const ops: Operations = {
    alerts,
    jobs,
    webhook,
    http,
    onGap: (kioskId, channel) => void jobs.requestRepublish(kioskId, `gap:${channel}`),
    onChange: (kioskId, channel) => {
      if (ALERT_CHANNELS.has(channel)) void alerts.evaluate(kioskId);
      emit({ kind: 'kiosk', kioskId, channel });
    },
    onLiveness: (kioskId) => {
      void alerts.evaluate(kioskId);
      emit({ kind: 'kiosk', kioskId, channel: 'liveness' });
    },
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    idle,
    close: async () => {
      await (await http.catch(() => undefined))?.close();
      for (const timer of timers) o.clock.clearInterval(timer);
      await idle();
      await webhook?.close();
      await publisher.close();
      listeners.clear();
    },
  };
  self.ops = ops;
  return ops;
}
