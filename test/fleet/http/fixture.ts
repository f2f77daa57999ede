/** A fleet with its dashboard, an embedded broker and two kiosks speaking over real MQTT. */
import type { Test } from 'tap';
import mqtt, { type MqttClient } from 'mqtt';
import { hashPassword } from '../../../fleet/http/passwords.js';
import type { Role } from '../../../fleet/store/access.js';
import type { FleetServer } from '../../../fleet/serve.js';
import { startTestFleet } from '../fixtures/fleet.js';
import { birth, bytes, heartbeat, meta, state, transaction, waitFor } from '../fixtures/helpers.js';

export const K1 = 'RJ-JAI-0001';
export const K2 = 'RJ-KOT-0002';

export interface DashboardFixture {
  fleet: FleetServer;
  base: string;
  kiosks: Map<string, MqttClient>;
}

/** Connects a kiosk with its last will, as the agent does, and says what the agent would say. */
async function kiosk(url: string, id: string, district: string, st: Record<string, unknown>): Promise<MqttClient> {
  const topic = (c: string) => `kiosk/v1/${id}/${c}`;
  const c = await mqtt.connectAsync(url, {
    clientId: id,
    keepalive: 5,
    reconnectPeriod: 0,
    will: { topic: topic('status'), payload: bytes({ ...meta(1), state: 'offline', session: 1, reason: 'will' }), qos: 1, retain: true },
  });
  await c.publishAsync(topic('status'), bytes(birth(1, { district, heartbeatSec: 5 })), { qos: 1, retain: true });
  await c.publishAsync(topic('state'), bytes(state(2, st)), { qos: 1, retain: true });
  // Heartbeats on the 5 s the birth announces, as the agent sends them: a slow run (a loaded
  // machine, scrypt at login, the browser's start) must not see the kiosks go silent.
  let seq = 3;
  const beat = setInterval(() => {
    if (c.connected) c.publish(topic('heartbeat'), bytes(heartbeat(seq++)), { qos: 0 });
  }, 2_000);
  beat.unref();
  c.once('close', () => clearInterval(beat));
  return c;
}

export async function startDashboardFleet(t: Test): Promise<DashboardFixture> {
  const fleet = await startTestFleet(t, {
    operations: { http: { host: '127.0.0.1', port: 0 }, publisher: { publish: () => Promise.resolve(), close: () => Promise.resolve() } },
  });
  const http = await fleet.ops.http;
  if (!http) throw new Error('no dashboard');
  const now = Date.now();
  const kiosks = new Map<string, MqttClient>();
  kiosks.set(
    K1,
    await kiosk(fleet.url, K1, 'Jaipur', {
      devices: { reader: { state: 'ok' }, printer: { state: 'fault', detail: 'paper out', paper: 'out' } },
      inactivity: { days: 27, breachDay: 30, breachAtTs: now + 3 * 86_400_000, breachOn: '2026-11-27', estimated: false },
      wallet: { balancePaise: 15_000_00, minimumPaise: 20_000_00, belowMinimum: true },
    }),
  );
  kiosks.set(
    K2,
    await kiosk(fleet.url, K2, 'Kota', {
      devices: { reader: { state: 'ok' }, printer: { state: 'ok' } },
      inactivity: { days: 0, breachDay: 30, breachAtTs: now + 30 * 86_400_000, breachOn: '2026-12-24', estimated: false },
      wallet: { balancePaise: 25_000_00, minimumPaise: 20_000_00, belowMinimum: false },
    }),
  );
  await kiosks.get(K2)!.publishAsync(`kiosk/v1/${K2}/transactions`, bytes(transaction(1, { ts: now, balancePaise: 100_000 })), { qos: 1 });
  await kiosks.get(K2)!.publishAsync(`kiosk/v1/${K2}/transactions`, bytes(transaction(2, { ts: now, balancePaise: 100_000 })), { qos: 1 });
  t.teardown(() => Promise.all([...kiosks.values()].map((c) => c.endAsync(true))));
  await waitFor(async () => (await fleet.repo.listTransactions(K2)).length === 2 && (await fleet.repo.listOpenAlerts(K1)).length >= 3, 'both kiosks ingested', 10_000);
  return { fleet, base: http.url, kiosks };
}

export const PASSWORD = 'correct horse battery';

/** Adds a dashboard user straight into the fleet's store. */
export async function addUser(fleet: FleetServer, username: string, role: Role, password = PASSWORD): Promise<void> {
  const now = Date.now();
  await fleet.repo.access.addUser({ username, role, passwordHash: await hashPassword(password), createdAt: now, updatedAt: now });
}

export interface Login {
  cookie: string;
  csrf: string;
  role: string;
}

/** Logs in over HTTP as the page does; the cookie to send back and the session's CSRF token. */
export async function login(base: string, username: string, password = PASSWORD): Promise<Login> {
  const res = await fetch(new URL('/api/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, '') },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = (await res.json()) as { csrf: string; role: string };
  return { cookie, csrf: body.csrf, role: body.role };
}

/** Drops a kiosk's connection without a DISCONNECT, so the broker publishes its last will. */
export function cutKiosk(c: MqttClient): void {
  c.stream.destroy();
}
