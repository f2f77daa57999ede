/**
 * Alert notifications by webhook: each change (open, update, clear) is POSTed as JSON to the
 * configured URL. Sent one at a time in order, retried with a growing pause on a network error or
 * a 5xx, dropped (and logged) after the last try: a dead receiver must not hold ingest back.
 */
import type { Logger } from '../log.js';
import type { AlertChange } from '../store/repository.js';

export interface AlertNotification extends AlertChange {
  district: string | null;
}

export interface WebhookOptions {
  url: string;
  log: Logger;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
  timeoutMs?: number;
  retries?: number;
  retryBaseMs?: number;
  /** Oldest notifications are dropped beyond this many waiting. */
  maxQueue?: number;
}

export class WebhookNotifier {
  readonly stats = { sent: 0, failed: 0, dropped: 0 };
  private queue: AlertNotification[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: WebhookOptions) {}

  notify(n: AlertNotification): void {
    if (this.closed) return;
    if (this.queue.length >= (this.opts.maxQueue ?? 10_000)) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push(n);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once everything queued has been sent or given up on. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }

  private async drain(): Promise<void> {
    for (let n = this.queue.shift(); n; n = this.queue.shift()) await this.send(n);
  }

  private async send(n: AlertNotification): Promise<void> {
    const retries = this.opts.retries ?? 3;
    const body = JSON.stringify({ source: 'kiosk-fleet', ...n });
    for (let attempt = 0; ; attempt++) {
      let why: string;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.sent++;
          return;
        }
        why = `HTTP ${res.status}`;
        // A 4xx will not get better by retrying: the receiver refuses this notification.
        if (res.status < 500) attempt = retries;
      } catch (err) {
        why = (err as Error).message;
      }
      if (attempt >= retries) {
        this.stats.failed++;
        this.opts.log.warn({ kiosk: n.kioskId, kind: n.kind, action: n.action, error: why }, 'alert webhook failed');
        return;
      }
      await new Promise((r) => setTimeout(r, (this.opts.retryBaseMs ?? 1000) * 2 ** attempt));
    }
  }
}
