/**
 * Sends real notifications through systemd-notify to a unix datagram socket that stands in for
 * systemd's NOTIFY_SOCKET. The receiver is python3's socket module: it reads with recv() and so
 * closes the file descriptor systemd-notify's BARRIER=1 carries, as systemd does (socat keeps it
 * open, and every notification would then wait out the 5 s barrier timeout).
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recordingLogger } from '../../../drivers/common/logger.js';
import { SystemdNotifier } from '../../../agent/systemd/notify.js';

const has = (cmd: string): boolean => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const RECEIVER = `
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("bound"), flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

interface Receiver {
  path: string;
  datagrams: string[];
  /** Waits until a datagram satisfying `pred` has arrived. */
  waitFor(pred: (d: string) => boolean, ms?: number): Promise<string>;
  close(): void;
}

async function receiver(dir: string): Promise<Receiver> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-c', RECEIVER, path]);
  const datagrams: string[] = [];
  let buf = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      datagrams.push(JSON.parse(buf.slice(0, nl)) as string);
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters) w();
  });
  const waitFor = (pred: (d: string) => boolean, ms = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = datagrams.find(pred);
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching datagram within ${ms} ms; got ${JSON.stringify(datagrams)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  await waitFor((d) => d === 'bound');
  datagrams.length = 0;
  return { path, datagrams, waitFor, close: () => child.kill() };
}

const fields = (d: string): string[] => d.split('\n');

t.test('ready, status, watchdog and stopping arrive as datagrams on NOTIFY_SOCKET', { skip: !has('systemd-notify') ? 'systemd-notify not installed' : !has('python3') ? 'python3 not installed' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-notify-'));
  const rx = await receiver(dir);
  t.teardown(() => {
    rx.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const log = recordingLogger();
  // Only NOTIFY_SOCKET: systemd-notify is still found on the PATH.
  const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: rx.path }, log);
  t.equal(n.enabled, true);

  n.ready('kiosk RJ-JAI-0001 running');
  n.watchdog();
  n.status('outbox: 3 waiting\nsecond line');
  n.stopping();
  await n.settled();

  const ready = await rx.waitFor((d) => fields(d).includes('READY=1'));
  t.ok(fields(ready).includes('STATUS=kiosk RJ-JAI-0001 running'), 'READY carries the status');
  t.ok(fields(ready).includes(`MAINPID=${process.pid}`), 'attributed to our pid through --pid');
  await rx.waitFor((d) => fields(d).includes('WATCHDOG=1'));
  const status = await rx.waitFor((d) => fields(d).some((f) => f.startsWith('STATUS=outbox')));
  t.ok(fields(status).includes('STATUS=outbox: 3 waiting second line'), 'a newline cannot start a second assignment');
  await rx.waitFor((d) => fields(d).includes('STOPPING=1'));

  // Sent one at a time, in the order called.
  const order = rx.datagrams.filter((d) => !d.startsWith('BARRIER')).map((d) => fields(d).find((f) => !f.startsWith('MAINPID=') && !f.startsWith('STATUS=kiosk')));
  t.same(order, ['READY=1', 'WATCHDOG=1', 'STATUS=outbox: 3 waiting second line', 'STOPPING=1']);
  t.same(log.records.filter((r) => r.level !== 'debug'), [], 'nothing logged');
});

t.test('failures are logged, never thrown', { skip: !has('systemd-notify') ? 'systemd-notify not installed' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-notify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const log = recordingLogger();
  const gone = SystemdNotifier.fromEnv({ ...process.env, NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') }, log);
  t.doesNotThrow(() => {
    gone.ready();
    gone.watchdog();
    gone.watchdog();
  });
  await gone.settled();
  const warns = log.records.filter((r) => r.level === 'warn');
  t.equal(warns.length, 1, 'warned once');
  t.match(warns[0], { msg: 'systemd-notify failed' });
  t.equal(log.records.filter((r) => r.level === 'debug').length, 2, 'then at debug');

  const log2 = recordingLogger();
  const missing = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: join(dir, 'x.sock') }, log2, { command: join(dir, 'no-such-systemd-notify') });
  t.doesNotThrow(() => missing.ready('up'));
  missing.status('with a NUL \0 byte');
  await missing.settled();
  t.match(log2.records[0], { level: 'warn', msg: 'systemd-notify could not be started' });
});

t.test('a hung systemd-notify is killed, and a backlog is dropped rather than grown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-notify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hang = join(dir, 'hang');
  writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(hang, 0o755);
  const log = recordingLogger();
  const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: join(dir, 's') }, log, { command: hang, timeoutMs: 50 });
  const started = Date.now();
  for (let i = 0; i < 20; i++) n.watchdog();
  await n.settled();
  t.ok(Date.now() - started < 5_000, 'each attempt ends at the timeout');
  t.match(log.records.find((r) => r.msg === 'systemd-notify failed'), { obj: { signal: 'SIGKILL' } });
  const dropped = log.records.filter((r) => /not keeping up/.test(r.msg ?? ''));
  t.equal(dropped.length, 4, '16 queued, 4 dropped');
  t.equal(dropped.filter((r) => r.level === 'warn').length, 1);
});

t.test('without NOTIFY_SOCKET every method is a no-op', async (t) => {
  const n = SystemdNotifier.fromEnv({ WATCHDOG_USEC: '60000000' }, undefined, { command: '/nonexistent' });
  t.equal(n.enabled, false);
  n.ready('x');
  n.status('y');
  n.watchdog();
  n.stopping();
  await n.settled();
  t.equal(n.watchdogIntervalMs(), undefined);
  t.equal(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '' }).enabled, false, 'empty counts as unset');
});

t.test('watchdogIntervalMs: half of WATCHDOG_USEC when the watchdog is meant for us', (t) => {
  const base = { NOTIFY_SOCKET: '/run/systemd/notify' };
  const at = (env: Record<string, string>, pid = 4242) => SystemdNotifier.fromEnv({ ...base, ...env }, undefined, { pid }).watchdogIntervalMs();
  t.equal(at({ WATCHDOG_USEC: '60000000' }), 30_000, 'WatchdogSec=60 → every 30 s');
  t.equal(at({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '4242' }), 30_000, 'WATCHDOG_PID is ours');
  t.equal(at({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }), undefined, 'WATCHDOG_PID is another process');
  t.equal(at({}), undefined, 'no watchdog');
  t.equal(at({ WATCHDOG_USEC: '0' }), undefined);
  t.equal(at({ WATCHDOG_USEC: 'soon' }), undefined);
  t.equal(at({ WATCHDOG_USEC: '1500' }), 1, 'never 0');
  t.equal(SystemdNotifier.fromEnv({ ...base, WATCHDOG_USEC: '20000000' }).watchdogIntervalMs(), 10_000, 'defaults to process.pid');
  t.end();
});
