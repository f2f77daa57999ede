/**
 * Acknowledging in arrival order while later messages are already being stored. MQTT.js reads
 * the next packet of a connection only once the message handler calls back, and sends the PUBACK
 * then; a fleet instance waiting for each store before reading on is bound by one store's latency
 * (BENCHMARKS.md, fleet/ingest). Here the handler calls back at once with `ACK_DEFERRED`, for
 * which MQTT.js sends no PUBACK, and the PUBACKs go out from the head of the arrival order as
 * the stores there finish (MQTT 3.1.1 §4.6 and 5.0 §4.6: acknowledgements in the order the
 * PUBLISHes came), so a message is still acknowledged only once stored. At most `window`
 * messages are taken ahead of the oldest unacknowledged one. The capture receiver does the same
 * (captures/receiver.ts).
 */
import type { MqttClient } from 'mqtt';

/** MQTT.js sends no PUBACK for a message whose handler calls back with an error (pinned by test/fleet/acks-mqttjs.test.ts). */
export const ACK_DEFERRED = new Error('acknowledged in arrival order once stored');

interface Taken {
  stream: MqttClient['stream'];
  mid: number | undefined;
  settled: boolean;
}

export class InOrderAcks {
  private readonly order: Taken[] = [];
  private held: (() => void) | undefined;

  constructor(
    private readonly client: MqttClient,
    private readonly window: number,
  ) {}

  /** Takes one message whose store is `work`; `done` is MQTT.js's handler callback. */
  take(packet: { qos: number; messageId?: number }, done: (err?: Error) => void, work: Promise<unknown>): void {
    const t: Taken = { stream: this.client.stream, mid: packet.qos > 0 ? packet.messageId : undefined, settled: false };
    this.order.push(t);
    const settle = (): void => {
      t.settled = true;
      this.flush();
    };
    work.then(settle, settle);
    if (this.order.length < this.window) done(ACK_DEFERRED);
    else this.held = () => done(ACK_DEFERRED);
  }

  /** Messages taken and not yet acknowledged. */
  get pending(): number {
    return this.order.length;
  }

  private flush(): void {
    while (this.order.length > 0 && this.order[0]!.settled) {
      const t = this.order.shift()!;
      // A message of a connection since replaced is not acknowledged: the broker resends or drops it with that session.
      if (t.mid !== undefined && this.client.stream === t.stream && !t.stream.destroyed && t.stream.writable) {
        t.stream.write(Buffer.from([0x40, 0x02, t.mid >> 8, t.mid & 0xff])); // PUBACK, MQTT 3.1.1 §3.4 / 5.0 §3.4.2.1
      }
    }
    if (this.held && this.order.length < this.window) {
      const go = this.held;
      this.held = undefined;
      go();
    }
  }
}
