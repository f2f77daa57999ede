/**
 * A subscriber that records what reaches it, as a central consumer would: it drops redelivered
 * duplicates by (kiosk, channel, seq) and keeps arrival order.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  message: Record<string, unknown>;
}

export class Collector {
  readonly all: Received[] = [];
  readonly unique: Received[] = [];
  #seen = new Set<string>();
  #waiters: (() => void)[] = [];
  client!: MqttClient;

  /** `reconnectPeriodMs`: how soon it comes back after the broker went away (default 100 ms). */
  static async start(url: string, filter: string, clientId = `collector-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriodMs = 100): Promise<Collector> {
    const c = new Collector();
    // A persistent session (clean: false) so the broker keeps our QoS 1 messages while we are
    // reconnecting after a broker restart.
    c.client = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: reconnectPeriodMs, connectTimeout: 5000 });
    c.client.on('message', (topic, payload) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      const r = { topic, message };
      c.all.push(r);
      const key = `${topic}#${String(message['seq'])}`;
      if (!c.#seen.has(key)) {
        c.#seen.add(key);
        c.unique.push(r);
      }
      for (const w of c.#waiters.splice(0)) w();
    });
    await c.client.subscribeAsync(filter, { qos: 1 });
    return c;
  }

  on(channel: string): Received[] {
    return this.unique.filter((r) => r.topic.endsWith(`/${channel}`));
  }

  /** Waits until `pred` holds, checking on every message; rejects after `timeoutMs`. */
  async until(pred: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
