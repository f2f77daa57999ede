/**
 * The fleet's MQTT session on a real Mosquitto (source.ts; MQTT 5.0 §3.1.2.4, §3.1.2.11.2, §4.4):
 * a named instance whose connection dies without a DISCONNECT (as with SIGKILL) gets, when it
 * comes back under the same name, every message the broker routed to it meanwhile; an unnamed
 * (clean-start) source gets none; a graceful stop ends the session. The recorder below stands in
 * for the store so that what the broker delivers can be counted one by one; multi-instance.test.ts
 * runs the same through `kiosk-fleet serve` processes and PostgreSQL.
 */
import t from 'tap';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Ingestor } from '../../fleet/ingest.js';
import { silentLogger } from '../../fleet/log.js';
import { MqttSource } from '../../fleet/source.js';
import { Mosquitto, mosquittoPath } from '../helpers/mosquitto.js';
import { waitFor } from './fixtures/helpers.js';

/** Records each topic delivered; "stores" at once. */
function recorder(): { ingest: Ingestor; seen: string[] } {
  const seen: string[] = [];
  const ingest = { handle: (topic: string, payload: Uint8Array) => (seen.push(`${topic} ${Buffer.from(payload).toString()}`), Promise.resolve('stored')) };
  return { ingest: ingest as unknown as Ingestor, seen };
}

/** Drops the connection without a DISCONNECT, as a killed process does. */
function kill(src: MqttSource): void {
  const client = (src as unknown as { client: MqttClient }).client;
  client.end(true);
}

if (!mosquittoPath()) {
  t.plan(0, 'needs Debian package mosquitto');
} else {
  const broker = new Mosquitto();
  t.before(() => broker.start());
  t.teardown(() => broker.stop());

  const source = (instance: string | undefined, ingest: Ingestor): MqttSource =>
    new MqttSource({ url: broker.url, shareGroup: 'g', ingest, log: silentLogger, catchupMs: 0, retryMs: 100, ...(instance !== undefined ? { instance } : {}) });

  const publishMany = async (kiosk: string, n: number): Promise<void> => {
    const pub = await connectAsync(broker.url, { clientId: `pub-${kiosk}`, protocolVersion: 5 });
    for (let i = 1; i <= n; i++) await pub.publishAsync(`kiosk/v1/${kiosk}/events`, String(i), { qos: 1 });
    await pub.endAsync();
  };

  t.test('a named instance killed and restarted under its name gets what was sent while it was gone', async (t) => {
    const first = recorder();
    const a = source('solo', first.ingest);
    await a.start();
    t.equal(a.sessionPresent, false, 'a new session');
    kill(a);
    await publishMany('RJ-JAI-0001', 50);
    const again = recorder();
    const b = source('solo', again.ingest);
    await b.start();
    t.equal(b.sessionPresent, true, 'the broker resumed the session');
    await waitFor(() => again.seen.length >= 50, 'the held messages', 5000).catch(() => undefined);
    t.equal(again.seen.length, 50, 'all 50 delivered after the restart');
    t.same(new Set(again.seen).size, 50, 'each once');
    await b.stop(2000);
    const third = recorder();
    const c = source('solo', third.ingest);
    await c.start();
    t.equal(c.sessionPresent, false, 'a graceful stop ended the session (session expiry 0 at DISCONNECT)');
    await c.stop(500);
  });

  t.test('an unnamed source is clean start: what was sent while it was gone is not kept for it', async (t) => {
    const first = recorder();
    const a = source(undefined, first.ingest);
    await a.start();
    kill(a);
    await publishMany('RJ-JAI-0002', 20);
    const again = recorder();
    const b = source(undefined, again.ingest);
    await b.start();
    t.equal(b.sessionPresent, false);
    // A marker sent now arrives after anything the broker could have held for this client.
    const pub = await connectAsync(broker.url, { clientId: 'pub-marker', protocolVersion: 5 });
    await pub.publishAsync('kiosk/v1/RJ-JAI-0002/events', 'marker', { qos: 1 });
    await pub.endAsync();
    await waitFor(() => again.seen.length > 0, 'the marker', 5000);
    t.same(again.seen, ['kiosk/v1/RJ-JAI-0002/events marker'], 'nothing held for a clean session, only the marker sent afterwards');
    await b.stop(500);
  });
}
