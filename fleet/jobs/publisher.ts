/**
 * Sends jobs down to kiosks (`kiosk/v1/<id>/jobs`, QoS 1, not retained: a retained job would be
 * run again by every kiosk that reconnects after it expired). Its own connection, separate from
 * the ingest subscription, so a slow ingest never holds a job back.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from '../log.js';

export interface JobPublisher {
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export class MqttJobPublisher implements JobPublisher {
  private readonly client: MqttClient;

  constructor(url: string, log: Logger, retryMs = 2000) {
    this.client = connect(url, {
      clientId: `kiosk-fleet-jobs-${hostname().toLowerCase()}-${randomBytes(3).toString('hex')}`,
      clean: true,
      reconnectPeriod: retryMs,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    // While disconnected, mqtt.js holds QoS 1 publishes and sends them on reconnect.
    this.client.on('error', (err) => log.warn({ error: err.message }, 'job publisher connection error'));
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: false });
  }

  async close(): Promise<void> {
    await this.client.endAsync(false).catch(() => this.client.end(true));
  }
}
