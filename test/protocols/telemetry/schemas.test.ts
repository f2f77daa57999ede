import t from 'tap';
import {
  CHANNEL_SCHEMAS,
  decodeMessage,
  EventMessage,
  HeartbeatMessage,
  KNOWN_EVENTS,
  MAX_PAYLOAD_BYTES,
  parseTopic,
  StateMessage,
  StatusMessage,
  topicFor,
} from '../../../protocols/telemetry/index.js';

const KIOSK = 'RJ-JAI-0001';
const meta = { v: 1, ts: 1_764_000_000_000, mono: 123_456, boot: 'a19dc557-3aec-4ce1-a7f5-85858e09af8c', synced: true, seq: 7 };
const META_FIELDS = ['v', 'ts', 'mono', 'boot', 'synced', 'seq'] as const;

const online = { ...meta, seq: 3, state: 'online', session: 3, agent: '0.1.0', district: 'Jaipur', lsp: 'e-Mitra LSP', heartbeatSec: 60, keepaliveSec: 300 };
const offline = { ...meta, seq: 3, state: 'offline', session: 3, reason: 'will' };
const heartbeat = { ...meta, up: 3600, q: 0, sum: 'fp:ok prn:paper-low ups:batt-62%' };
const state = {
  ...meta,
  agent: { version: '0.1.0', startedAt: meta.ts - 3_600_000 },
  config: { version: 'sha256:abc' },
  clock: { synced: true, source: 'ntp', lastSyncTs: meta.ts - 1000 },
  queue: { depth: 2, bytes: 512, oldestTs: meta.ts - 5000 },
  devices: { reader: { state: 'ok' }, printer: { state: 'degraded', detail: 'paper near end', since: meta.ts - 60_000 }, ups: { state: 'absent' } },
};
const event = { ...meta, type: 'agent.start', severity: 'info', data: { version: '0.1.0', pid: 1234, previousExit: 'clean' } };

/** One valid message per channel with a schema, and per status variant. */
const VALID: [keyof typeof CHANNEL_SCHEMAS, string, Record<string, unknown>][] = [
  ['status', 'birth', online],
  ['status', 'will', offline],
  ['status', 'shutdown', { ...offline, reason: 'shutdown' }],
  ['heartbeat', 'heartbeat', heartbeat],
  ['state', 'state', state],
  ['events', 'agent.start', event],
  ['events', 'inactivity.warning', { ...meta, type: 'inactivity.warning', severity: 'warning', data: { days: 20, breachDay: 30, breachAtTs: meta.ts + 10 * 86_400_000, estimated: false } }],
  ['transactions', 'transaction', { ...meta, entry: 'transaction', txnId: 'RJ-JAI-0001-T1', receiptNo: 'RJ-JAI-0001-R1', serviceCode: 'EKYC', chargedPaise: 0, officialPaise: 0, commissionPaise: 1800, operator: 'op1', status: 'success', walletDeltaPaise: 1800, balancePaise: 2_001_800 }],
  ['transactions', 'wallet', { ...meta, entry: 'wallet', movementId: 3, kind: 'credit', amountPaise: 2_500_000, balancePaise: 4_501_800, jobId: 'J-1' }],
  ['jobs', 'wallet.credit', { v: 1, ts: meta.ts, id: 'J-1', type: 'wallet.credit', params: { amountPaise: 2_500_000 }, expiresTs: meta.ts + 3_600_000 }],
  ['job-status', 'succeeded', { ...meta, jobId: 'J-1', type: 'wallet.credit', status: 'succeeded', result: { balancePaise: 4_501_800 } }],
];

const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

t.test('a valid message of every channel is accepted, directly and through decodeMessage', (t) => {
  t.same(
    Object.keys(CHANNEL_SCHEMAS).sort(),
    ['capture-results', 'captures', 'events', 'heartbeat', 'job-status', 'jobs', 'state', 'status', 'transactions'],
    'the channels this test covers',
  );
  for (const [channel, name, msg] of VALID) {
    t.ok(CHANNEL_SCHEMAS[channel]!.safeParse(msg).success, `${channel}: ${name}`);
    const d = decodeMessage(topicFor(KIOSK, channel), bytes(msg));
    t.ok(d.ok, `decodeMessage ${channel}: ${name}`);
    if (d.ok) {
      t.equal(d.topic.kioskId, KIOSK);
      t.equal(d.topic.channel, channel);
    }
  }
  t.ok(StatusMessage.safeParse(online).success);
  t.ok(HeartbeatMessage.safeParse(heartbeat).success);
  t.ok(StateMessage.safeParse(state).success);
  t.ok(EventMessage.safeParse(event).success);
  t.end();
});

t.test('every known event type has an example that its schema accepts', (t) => {
  const examples: Record<string, Record<string, unknown>> = {
    'agent.start': { version: '0.1.0', pid: 1, previousExit: 'first' },
    'agent.stop': { reason: 'SIGTERM' },
    'config.rejected': { source: '/etc/kiosk-agent/config.json', error: 'mqtt.url: Invalid URL' },
    'message.rejected': { topic: 'kiosk/v1/RJ-JAI-0001/jobs', error: 'not JSON' },
    'outbox.over_limit': { depth: 10_000, bytes: 5_000_000 },
    'clock.synced': { source: 'ntp', stepMs: -3_600_000 },
    'sim.tick': { n: 0 },
    'power.lost': { chargePct: 98, runtimeS: 900, inputVoltage: 0 },
    'power.restored': { onBatteryMs: 42_000, chargePct: 61 },
    'battery.low': { reason: 'low_battery', chargePct: 10, runtimeS: null },
    'ups.comm_lost': { lastSeenAgoMs: 15_000, error: 'UPS_UNREACHABLE', line: 'mains' },
    'ups.comm_restored': { downMs: 30_000 },
    'agent.shutting_down': { reason: 'power', cause: 'low_battery', chargePct: 10, runtimeS: 120, command: ['systemctl', 'poweroff'], dryRun: false },
    'reader.connected': { reader: 'r30x', detail: '3/200 templates' },
    'reader.disconnected': { reader: 'r30x', code: 'FP_DISCONNECTED', detail: 'The fingerprint reader was disconnected' },
    'reader.not_ready': { reader: 'rd', status: 'NOTREADY', detail: 'service reports NOTREADY' },
    'wallet.below_minimum': { balancePaise: 1_999_999, minimumPaise: 2_000_000 },
    'inactivity.warning': { days: 25, breachDay: 30, breachAtTs: meta.ts + 5 * 86_400_000, estimated: true },
    'inactivity.breach': { days: 30, penaltyPaise: 100_000, count: 1, estimated: false },
    'login.locked': { user: 'op1', failures: 5, lockoutSec: 900 },
    'capture.expired': { captureId: '5b7c3f0e-9a51-4b8e-8a43-3d0f1f6f2c11', service: 'EKYC', ageSec: 21_601, ttlSec: 21_600 },
    'capture.rejected': { captureId: '5b7c3f0e-9a51-4b8e-8a43-3d0f1f6f2c11', code: 'AUTH_FAILED', reason: 'biometric did not match' },
    'printer.connected': { statusSupported: true },
    'printer.disconnected': {},
    'printer.paper_out': { paper: 'out' },
    'printer.paper_near_end': { paper: 'near_end' },
    'printer.paper_ok': { paper: 'ok' },
    'printer.cover_open': {},
    'printer.cover_closed': {},
    'printer.offline': {},
    'printer.online': {},
    'printer.error': { cause: 'cutter' },
    'printer.error_cleared': { cause: 'cutter' },
    'printer.job_uncertain': { jobId: '0f8e7a52-3c1b-4d2e-9f10-6a5b4c3d2e1f', key: 'R-000123', error: 'interrupted while printing (restart)' },
    'printer.job_failed': { jobId: '0f8e7a52-3c1b-4d2e-9f10-6a5b4c3d2e1f', key: 'R-000123', error: 'render: font missing' },
  };
  t.same(Object.keys(examples).sort(), Object.keys(KNOWN_EVENTS).sort(), 'an example for each known type');
  for (const [type, data] of Object.entries(examples)) {
    t.ok(EventMessage.safeParse({ ...meta, type, severity: 'warning', data }).success, type);
  }
  t.end();
});

t.test('capture.expired: the reason is optional (older agents send none) and one of unsent, unanswered', (t) => {
  const data = { captureId: '5b7c3f0e-9a51-4b8e-8a43-3d0f1f6f2c11', service: 'EKYC', ageSec: 21_600, ttlSec: 21_600 };
  const ev = (d: object) => EventMessage.safeParse({ ...meta, type: 'capture.expired', severity: 'warning', data: d });
  t.ok(ev(data).success, 'without a reason');
  t.ok(ev({ ...data, reason: 'unsent' }).success);
  t.ok(ev({ ...data, reason: 'unanswered' }).success);
  t.notOk(ev({ ...data, reason: 'lost' }).success, 'an unknown reason is refused');
  t.end();
});

t.test('the absence of each required meta field is refused on every channel', (t) => {
  for (const [channel, name, msg] of VALID) {
    // Central's messages down to a kiosk (jobs) carry their own fields, not the kiosk's meta.
    if (parseTopic(topicFor(KIOSK, channel))?.direction === 'down') continue;
    for (const field of META_FIELDS) {
      const { [field]: _gone, ...without } = msg;
      t.notOk(CHANNEL_SCHEMAS[channel]!.safeParse(without).success, `${channel} (${name}) without ${field}`);
      const d = decodeMessage(topicFor(KIOSK, channel), bytes(without));
      t.notOk(d.ok, `decodeMessage refuses ${channel} (${name}) without ${field}`);
    }
  }
  t.end();
});

t.test('meta fields of the wrong kind are refused', (t) => {
  const bad: [string, unknown][] = [
    ['v', 2],
    ['ts', -1],
    ['ts', 1.5],
    ['mono', '12'],
    ['boot', ''],
    ['synced', 'yes'],
    ['seq', -1],
  ];
  for (const [field, value] of bad) {
    t.notOk(HeartbeatMessage.safeParse({ ...heartbeat, [field]: value }).success, `${field} = ${JSON.stringify(value)}`);
  }
  t.end();
});

t.test('events: an unknown type with well-formed data is accepted, a known type with wrong data refused', (t) => {
  // power.lost has since become a known type; an enclosure door sensor stands for a newer one.
  const unknown = { ...meta, type: 'enclosure.door_opened', severity: 'critical', data: { openSince: meta.ts, sensor: 2 } };
  t.ok(EventMessage.safeParse(unknown).success, 'enclosure.door_opened (newer than this contract) accepted');
  t.ok(decodeMessage(topicFor(KIOSK, 'events'), bytes(unknown)).ok);
  t.ok(EventMessage.safeParse({ ...unknown, type: 'printer.paper.near_end', data: {} }).success, 'three levels, empty data');

  const wrong = { ...event, data: { version: '0.1.0', pid: 'not-a-number', previousExit: 'clean' } };
  t.notOk(EventMessage.safeParse(wrong).success, 'agent.start with a string pid refused');
  const d = decodeMessage(topicFor(KIOSK, 'events'), bytes(wrong));
  t.notOk(d.ok);
  t.notOk(EventMessage.safeParse({ ...meta, type: 'clock.synced', severity: 'info', data: {} }).success, 'clock.synced without its fields');
  t.notOk(EventMessage.safeParse({ ...meta, type: 'sim.tick', severity: 'info', data: { n: -1 } }).success, 'sim.tick with n < 0');

  for (const type of ['Power.Lost', 'power', 'power..lost', 'power.lost!', 'a.' + 'b'.repeat(70), '']) {
    t.notOk(EventMessage.safeParse({ ...unknown, type }).success, `malformed type ${JSON.stringify(type)}`);
  }
  t.notOk(EventMessage.safeParse({ ...unknown, data: 'x' }).success, 'data must be an object');
  t.notOk(EventMessage.safeParse({ ...unknown, severity: 'fatal' }).success, 'severity outside the enum');
  t.end();
});

t.test('status: the two variants are told apart by state', (t) => {
  t.notOk(StatusMessage.safeParse({ ...online, state: 'sleeping' }).success);
  t.notOk(StatusMessage.safeParse({ ...offline, reason: 'crash' }).success);
  t.notOk(StatusMessage.safeParse({ ...online, session: 0 }).success, 'session counts from 1');
  t.notOk(StatusMessage.safeParse({ ...offline, session: undefined }).success, 'a will carries its session');
  t.end();
});

t.test('decodeMessage returns an error, never throws, on bad input', (t) => {
  const topic = topicFor(KIOSK, 'heartbeat');
  const cases: [string, string, Uint8Array, RegExp][] = [
    ['non-JSON', topic, new TextEncoder().encode('{"v":1,'), /not JSON/],
    ['plain text', topic, new TextEncoder().encode('online'), /not JSON/],
    ['empty payload', topic, new Uint8Array(0), /not JSON/],
    ['binary', topic, Uint8Array.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x9c, 0xc3]), /not JSON/],
    ['oversized', topic, new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20), /exceeds/],
    ['wrong topic', 'kiosk/v1/RJ-JAI-0001/nope', bytes(heartbeat), /topic outside the contract/],
    ['wrong root', 'kiosk/v2/RJ-JAI-0001/heartbeat', bytes(heartbeat), /topic outside the contract/],
    ['bad kiosk id', 'kiosk/v1/rj+jai/heartbeat', bytes(heartbeat), /topic outside the contract/],
    // Every channel has a schema since the jobs contract (issue 8): an empty job is refused by it.
    ['a job without its fields', topicFor(KIOSK, 'jobs'), bytes({}), /schema: \(root\)/],
    ['JSON null', topic, bytes(null), /schema: \(root\)/],
    ['JSON array', topic, bytes([heartbeat]), /schema/],
    ['JSON number', topic, bytes(42), /schema/],
    ['heartbeat on the state topic', topicFor(KIOSK, 'state'), bytes(heartbeat), /schema: \w+/],
  ];
  for (const [name, tp, payload, error] of cases) {
    let d: ReturnType<typeof decodeMessage> | undefined;
    t.doesNotThrow(() => {
      d = decodeMessage(tp, payload);
    }, name);
    t.equal(d?.ok, false, `${name} refused`);
    if (d && !d.ok) {
      t.match(d.error, error, `${name}: ${d.error}`);
      t.ok(d.error.length < 300, `${name}: a one-line error`);
      t.notOk(d.error.includes('\n'), `${name}: no newline`);
    }
  }
  t.end();
});

t.test('decodeMessage names the offending path', (t) => {
  const d = decodeMessage(topicFor(KIOSK, 'state'), bytes({ ...state, devices: { printer: { state: 'on-fire' } } }));
  t.equal(d.ok, false);
  if (!d.ok) t.match(d.error, 'devices.printer.state');
  t.end();
});

t.test('ledger and jobs: money is integer paise; a job of a known type carries its own parameters', (t) => {
  const txn = VALID.find(([c, n]) => c === 'transactions' && n === 'transaction')![2];
  t.notOk(CHANNEL_SCHEMAS.transactions!.safeParse({ ...txn, chargedPaise: 10.5 }).success, 'no fractional paise');
  t.notOk(CHANNEL_SCHEMAS.transactions!.safeParse({ ...txn, entry: 'other' }).success);
  const job = VALID.find(([c]) => c === 'jobs')![2];
  t.notOk(CHANNEL_SCHEMAS.jobs!.safeParse({ ...job, params: { amountPaise: -1 } }).success, 'a credit is positive');
  t.notOk(CHANNEL_SCHEMAS.jobs!.safeParse({ ...job, type: 'reboot.now' }).success, 'only the defined types');
  t.notOk(CHANNEL_SCHEMAS['job-status']!.safeParse({ ...meta, jobId: 'J-1', type: 'x', status: 'done' }).success);
  t.end();
});
