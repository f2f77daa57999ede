import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startEmbeddedBroker } from '../../fleet/broker.js';
import { main, run } from '../../fleet/cli.js';
import { birth, bytes, captureIo, freePort, heartbeat, state, tempDir, waitFor } from './fixtures/helpers.js';

const io = captureIo;

t.test('help', async (t) => {
  let x = io();
  t.equal(await run(['--help'], x), 0);
  t.match(x.out(), /Usage: kiosk-fleet <command>[\s\S]*serve[\s\S]*status/);
  x = io();
  t.equal(await run(['serve', '--help'], x), 0);
  for (const opt of ['--mqtt-url', '--embedded-broker', '--port', '--host', '--db', '--share-group', '--heartbeat-misses', '--log-level']) {
    t.match(x.out(), opt, `serve --help names ${opt}`);
  }
  x = io();
  t.equal(await run(['status', '-h'], x), 0);
  t.match(x.out(), /--db PATH[\s\S]*--json/);
  x = io();
  t.equal(await run([], x), 2, 'no command is a usage error');
  t.match(x.err(), /Usage:/);
});

t.test('bad arguments: one clear line, exit 2 (1 for failures at run time), no stack trace', async (t) => {
  const dir = tempDir(t);
  const busy = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => busy.close());
  const cases: [string[], RegExp, number][] = [
    [['bogus'], /unknown command 'bogus'/, 2],
    [['serve', '--nope'], /Unknown option '--nope'/, 2],
    [['serve', '--embedded-broker', '--port', 'abc'], /--port must be a whole number, got 'abc'/, 2],
    [['serve', '--embedded-broker', '--port', '70000'], /--port must be between 0 and 65535/, 2],
    [['serve', '--embedded-broker', '--port'], /--port/, 2],
    [['serve', '--heartbeat-misses', '0'], /--heartbeat-misses must be between 1 and 1000/, 2],
    [['serve', '--heartbeat-misses', '2.5'], /--heartbeat-misses must be a whole number/, 2],
    [['serve', '--log-level', 'loud'], /--log-level must be one of/, 2],
    [['serve', '--mqtt-url', 'http://broker'], /--mqtt-url must be mqtt:\/\//, 2],
    [['serve', '--mqtt-url', 'no url'], /--mqtt-url is not a URL/, 2],
    [['serve', '--embedded-broker', '--mqtt-url', 'mqtt://x'], /exclude each other/, 2],
    [['serve', '--port', '1884'], /--port and --host are for --embedded-broker/, 2],
    [['serve', '--share-group', 'a/b'], /--share-group must be/, 2],
    [['serve', '--instance', 'a/b'], /--instance must be 1-64 letters/, 2],
    [['serve', '--session-expiry', '1h'], /--session-expiry must be a whole number, got '1h'/, 2],
    [['serve', '--trust-proxy'], /--trust-proxy goes with --http-port/, 2],
    [['status', 'extra'], /Unexpected argument 'extra'/, 2],
    [['status', '--db', ''], /--db must name a file/, 2],
    [['serve', '--db', ' '], /--db must name a file/, 2],
    [['status', '--db', join(dir, 'missing.db')], /no fleet database at .*missing\.db/, 1],
    [['serve', '--db', join(dir, 'no-such-dir', 'fleet.db'), '--log-level', 'silent'], /cannot open the fleet database .*no-such-dir/, 1],
    [['serve', '--embedded-broker', '--port', String(busy.port), '--db', join(dir, 'f.db'), '--log-level', 'silent'], /already in use/, 1],
  ];
  for (const [argv, message, code] of cases) {
    const x = io();
    t.equal(await run(argv, x), code, argv.join(' '));
    t.match(x.err(), /^kiosk-fleet: /, `${argv.join(' ')}: prefixed`);
    t.match(x.err(), message, `${argv.join(' ')}: says why`);
    t.notMatch(x.err(), /\n\s+at /, `${argv.join(' ')}: no stack`);
  }
});

t.test('serve with the embedded broker, then status as a table and as JSON', async (t) => {
  const db = join(tempDir(t), 'fleet.db');
  const ac = new AbortController();
  let port = 0;
  const logs = io({ signal: ac.signal, onReady: (info) => (port = info.port ?? 0) });
  const serving = run(['serve', '--embedded-broker', '--port', '0', '--db', db, '--log-level', 'info'], logs);
  t.teardown(() => ac.abort());
  await waitFor(() => port, 'serve ready');

  const K = 'RJ-JPR-0042';
  const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: K, reconnectPeriod: 0 });
  await c.publishAsync(`kiosk/v1/${K}/status`, bytes(birth(3, { district: 'Jaipur', lsp: 'CSC SPV' })), { qos: 1, retain: true });
  await c.publishAsync(`kiosk/v1/${K}/heartbeat`, bytes(heartbeat(12, { q: 5, sum: 'fp:ok prn:paper-out' })), { qos: 1 });
  await c.publishAsync(`kiosk/v1/${K}/state`, bytes(state(2)), { qos: 1, retain: true });
  await c.publishAsync(`kiosk/v1/${K}/heartbeat`, 'not json', { qos: 1 });
  await c.endAsync();

  const json = await waitFor(async () => {
    const x = io();
    if ((await run(['status', '--db', db, '--json'], x)) !== 0) return undefined;
    const s = JSON.parse(x.out()) as { totals: { invalid: number }; monitorTickAt: unknown; brokerConnected: boolean | null };
    return s.totals.invalid === 1 && typeof s.monitorTickAt === 'number' && s.brokerConnected ? s : undefined;
  }, 'status shows the kiosk', 15_000);
  t.match(json, {
    totals: { kiosks: 1, online: 1, offline: 0, unknown: 0, invalid: 1 },
    rows: [{ kiosk: K, district: 'Jaipur', lsp: 'CSC SPV', liveness: 'online', reason: 'birth', session: 3, heartbeatSeq: 12, outboxDepth: 5, devices: 'fp:ok prn:paper-out', invalidCount: 1 }],
  });
  t.type(json.monitorTickAt, 'number', 'the running monitor is visible');

  const x = io();
  t.equal(await run(['status', '--db', db], x), 0);
  const lines = x.out().trimEnd().split('\n');
  t.match(lines[0], /^KIOSK\s+DISTRICT/);
  t.match(lines[1], /^RJ-JPR-0042\s+Jaipur\s+CSC SPV\s+online\s+birth\s+3\s+\d+s ago\s+12\s+5\s+1\s+fp:ok prn:paper-out$/);
  t.equal(lines.at(-1), '1 kiosk: 1 online, 0 offline; 1 invalid message');

  ac.abort();
  t.equal(await serving, 0, 'serve stops cleanly');
  const lines2 = logs.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(lines2.every((l) => typeof l.ns === 'string' && (l.ns).startsWith('fleet')), 'every log line has a fleet namespace');
  t.ok(lines2.some((l) => l.ns === 'fleet:ingest' && l.msg === 'invalid message dropped' && l.kiosk === K), 'invalid message logged with its kiosk');
  t.ok(lines2.some((l) => l.msg === 'stopped'));
});

t.test('main() sets the exit code and prints no stack', async (t) => {
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    err += chunk;
    return true;
  });
  t.teardown(() => {
    process.stderr.write = write;
    process.exitCode = 0;
  });
  main(['status', '--json', '--nope']);
  await waitFor(() => process.exitCode === 2, 'exit code set');
  process.stderr.write = write;
  t.match(err, /^kiosk-fleet: Unknown option '--nope'/);
  t.notMatch(err, /\n\s+at /);
});

t.test('as a process: serve stops with exit 0 on SIGTERM', async (t) => {
  const port = await freePort();
  const db = join(tempDir(t), 'fleet.db');
  const cli = new URL('../../fleet/cli.ts', import.meta.url).href;
  const serve = spawn(
    process.execPath,
    [...process.execArgv, '--input-type=module', '-e', `import { main } from '${cli}'; main(process.argv.slice(1));`,
      'serve', '--embedded-broker', '--port', String(port), '--db', db],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } },
  );
  t.teardown(() => serve.kill('SIGKILL'));
  let out = '';
  serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('"subscribed"'), 'serve subscribed', 30_000);
  serve.kill('SIGTERM');
  const [exit] = (await once(serve, 'exit')) as [number];
  t.equal(exit, 0, 'clean exit on SIGTERM');
  t.match(out, /"msg":"stopped"/);
});
