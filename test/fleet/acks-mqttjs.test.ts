/**
 * What `ACK_DEFERRED` (fleet/acks.ts) and the agent's inbox (agent/mqtt/inbox.ts) rely on in
 * MQTT.js, checked against a real broker so that an upgrade changing it fails here: a handler
 * that calls back with an error gets no PUBACK for its message, the connection stays up and reads
 * on, and the broker sends the unacknowledged messages again to the persistent session
 * (MQTT 3.1.1 §4.4); a handler that calls back without one is acknowledged.
 */
import t from 'tap';
import mqtt, { type MqttClient } from 'mqtt';
import { ACK_DEFERRED } from '../../fleet/acks.js';
import { startAedes } from '../helpers/aedes.js';
import { waitFor } from './fixtures/helpers.js';

interface Seen {
  payload: string;
}

async function subscriber(url: string, deferAcks: boolean, seen: Seen[], events: string[]): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId: 'pin-subscriber', clean: false, protocolVersion: 4, reconnectPeriod: 0 });
  client.handleMessage = (packet, done) => {
    seen.push({ payload: Buffer.from(packet.payload).toString() });
    done(deferAcks ? ACK_DEFERRED : undefined);
  };
  client.on('error', (err) => events.push(`error: ${err.message}`));
  client.on('close', () => events.push('close'));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

t.test('an error from the handler: no PUBACK, the link reads on, the broker sends it again', async (t) => {
  const broker = await startAedes();
  t.teardown(() => broker.close());
  const publisher = await mqtt.connectAsync(broker.url, { clientId: 'pin-publisher', reconnectPeriod: 0 });
  t.teardown(() => publisher.endAsync(true));

  const first: Seen[] = [];
  const events: string[] = [];
  const deferring = await subscriber(broker.url, true, first, events);
  await deferring.subscribeAsync('pin/t', { qos: 1 });
  for (const m of ['m1', 'm2', 'm3']) await publisher.publishAsync('pin/t', m, { qos: 1 });
  await waitFor(() => (first.length === 3 ? true : undefined), 'three messages through a deferring handler');
  t.same(first.map((s) => s.payload), ['m1', 'm2', 'm3'], 'each read although none was acknowledged');
  t.ok(deferring.connected, 'still connected');
  t.same(events, [], 'no error and no close on the client');
  await deferring.endAsync(true);

  const again: Seen[] = [];
  const acking = await subscriber(broker.url, false, again, []);
  await waitFor(() => (again.length === 3 ? true : undefined), 'the three sent again to the persistent session');
  t.same(again.map((s) => s.payload), ['m1', 'm2', 'm3'], 'all three again, in order');
  await acking.endAsync();

  const after: Seen[] = [];
  const last = await subscriber(broker.url, false, after, []);
  t.teardown(() => last.endAsync(true));
  await publisher.publishAsync('pin/t', 'm4', { qos: 1 });
  await waitFor(() => (after.length > 0 ? true : undefined), 'm4');
  t.same(after.map((s) => s.payload), ['m4'], 'acknowledged ones are not sent again (they would have come before m4)');
});
