/** PUBACKs in arrival order while later messages are stored meanwhile, within a window (fleet/acks.ts). */
import t from 'tap';
import type { MqttClient } from 'mqtt';
import { ACK_DEFERRED, InOrderAcks } from '../../fleet/acks.js';

function fakeClient(): { client: MqttClient; written: number[][]; replaceStream(): void } {
  const written: number[][] = [];
  const stream = () => ({ destroyed: false, writable: true, write: (b: Buffer) => written.push([...b]) });
  const c = { stream: stream() };
  return { client: c as unknown as MqttClient, written, replaceStream: () => (c.stream = stream()) };
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(e: Error): void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const puback = (mid: number): number[] => [0x40, 0x02, mid >> 8, mid & 0xff];

t.test('reads on at once; acknowledges in arrival order however the stores finish', async (t) => {
  const { client, written } = fakeClient();
  const acks = new InOrderAcks(client, 8);
  const calls: (Error | undefined)[] = [];
  const works = [deferred(), deferred(), deferred()];
  works.forEach((w, i) => acks.take({ qos: 1, messageId: 300 + i }, (e) => calls.push(e), w.promise));
  t.same(calls, [ACK_DEFERRED, ACK_DEFERRED, ACK_DEFERRED], 'MQTT.js reads the next packet without sending a PUBACK itself');
  works[2]!.resolve();
  works[1]!.resolve();
  await tick();
  t.same(written, [], 'nothing acknowledged while the oldest is still being stored');
  works[0]!.reject(new Error('store failed'));
  await tick();
  t.same(written, [puback(300), puback(301), puback(302)], 'in arrival order once the head settles (a failed store is acknowledged too, as before)');
  t.equal(acks.pending, 0);
});

t.test('a full window holds MQTT.js until the head is acknowledged; QoS 0 gets no PUBACK', async (t) => {
  const { client, written } = fakeClient();
  const acks = new InOrderAcks(client, 2);
  const calls: number[] = [];
  const a = deferred();
  const b = deferred();
  acks.take({ qos: 0 }, () => calls.push(1), a.promise);
  acks.take({ qos: 1, messageId: 7 }, () => calls.push(2), b.promise);
  t.same(calls, [1], 'the second fills the window: held');
  a.resolve();
  await tick();
  t.same(calls, [1, 2], 'released once the head is done');
  t.same(written, [], 'no PUBACK for QoS 0');
  b.resolve();
  await tick();
  t.same(written, [puback(7)]);
});

t.test('a message of a replaced connection is not acknowledged on the new one', async (t) => {
  const fake = fakeClient();
  const { client, written } = fake;
  const acks = new InOrderAcks(client, 4);
  const a = deferred();
  acks.take({ qos: 1, messageId: 1 }, () => undefined, a.promise);
  fake.replaceStream();
  const b = deferred();
  acks.take({ qos: 1, messageId: 2 }, () => undefined, b.promise);
  b.resolve();
  a.resolve();
  await tick();
  t.same(written, [puback(2)], 'only the new connection’s message, after the old head settled');
});
