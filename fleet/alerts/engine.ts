/**
 * Runs the alert rules for a kiosk whenever ingest or the liveness check changed it, and for every
 * kiosk on a slower sweep (the expired-captures window and certificate expiry move with time
 * alone). One kiosk at a time per key, so two changes of one kiosk never race on its alerts.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { KeyedQueue } from '../queue.js';
import type { AlertChange, FleetRepository } from '../store/repository.js';
import { diffAlerts } from './diff.js';
import { type AlertThresholds, DEFAULT_THRESHOLDS, evaluateAlerts } from './rules.js';
import type { AlertNotification } from './webhook.js';

export interface AlertEngineOptions {
  repo: FleetRepository;
  clock: Clock;
  log: Logger;
  thresholds?: AlertThresholds;
  notify?: (n: AlertNotification) => void;
  onChange?: (changes: AlertChange[]) => void;
  /** How many recent events the rules look at. */
  recentEvents?: number;
}

export class AlertEngine {
  private readonly queue = new KeyedQueue();
  private readonly th: AlertThresholds;

  constructor(private readonly opts: AlertEngineOptions) {
    this.th = opts.thresholds ?? DEFAULT_THRESHOLDS;
  }

  get thresholds(): AlertThresholds {
    return this.th;
  }

  /** Re-evaluates one kiosk; resolves to the changes made. Never rejects: a failure is logged. */
  evaluate(kioskId: string): Promise<AlertChange[]> {
    return this.queue
      .run(kioskId, async () => {
        const { repo, clock } = this.opts;
        const kiosk = await repo.getKiosk(kioskId);
        if (!kiosk) return [];
        const events = await repo.listEvents(kioskId, this.opts.recentEvents ?? 50);
        const now = clock.now();
        const active = evaluateAlerts(kiosk, events, now, this.th);
        const changes = await repo.updateAlerts(kioskId, (open) => diffAlerts(kioskId, open, active, now));
        for (const c of changes) {
          this.opts.log.info({ kiosk: kioskId, kind: c.kind, action: c.action, severity: c.severity, detail: c.detail }, 'alert');
          this.opts.notify?.({ ...c, district: kiosk.district });
        }
        if (changes.length) this.opts.onChange?.(changes);
        return changes;
      })
      .catch((err: unknown) => {
        this.opts.log.error({ err, kiosk: kioskId }, 'alert evaluation failed');
        return [];
      });
  }

  /** Re-evaluates every kiosk; resolves to the number of changes. */
  async sweep(): Promise<number> {
    let n = 0;
    for (const k of await this.opts.repo.listKiosks()) n += (await this.evaluate(k.kioskId)).length;
    return n;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}
