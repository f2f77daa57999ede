/**
 * NutClient against a scripted socket and a fake clock: one request in flight, timeouts, resync by
 * reconnecting, backoff, stop. The real-upsd half is nut-upsd.test.ts.
 */
import { EventEmitter } from 'node:events';
import t from 'tap';
import { recordingLogger } from '../../../drivers/common/logger.js';
import { isUpsError, UpsErrorCode } from '../../../drivers/ups/errors.js';
import { NutClient, type NutSocket } from '../../../drivers/ups/nut-client.js';
import { getVar, isNutError, listVar } from '../../../protocols/nut/index.js';
import { FakeClock, flush } from '../../fixtures/ups/fake-clock.js';

class FakeSocket extends EventEmitter implements NutSocket {
  written: string[] = [];
  destroyed = false;
  setEncoding(): this {
    return this;
  }
  write(data: string): boolean {
    this.written.push(data);
    return true;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      setImmediate(() => this.emit('close'));
    }
    return this;
  }
  open(): void {
    this.emit('connect');
  }
  send(text: string): void {
    this.emit('data', text);
  }
  refuse(): void {
    this.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    this.destroyed = true;
    this.emit('close');
  }
}

function setup(opts: Partial<ConstructorParameters<typeof NutClient>[0]> = {}) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const client = new NutClient({
    clock,
    random: () => 0.5,
    requestTimeoutMs: 1000,
    connectTimeoutMs: 500,
    reconnectBaseMs: 100,
    reconnectCapMs: 1000,
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    ...opts,
  });
  const last = (): FakeSocket => sockets[sockets.length - 1]!;
  return { clock, client, sockets, last };
}

t.test('one request in flight; replies matched in order; split chunks', async (t) => {
  const { client, last } = setup();
  const started = client.start();
  last().open();
  await started;
  t.equal(client.state, 'ready');
  const a = client.request(getVar('ups', 'ups.status'));
  const b = client.request(listVar('ups'));
  await flush();
  t.same(last().written, ['GET VAR ups ups.status\n'], 'second request waits for the first reply');
  last().send('VAR ups ups.status "OB');
  last().send(' LB"\nBEGIN LIST VAR ups\nVAR ups battery.charge "9"\n');
  await flush();
  t.same(last().written, ['GET VAR ups ups.status\n', 'LIST VAR ups\n']);
  t.equal(await a, 'OB LB');
  last().send('END LIST VAR ups\n');
  t.same([...(await b)], [['battery.charge', '9']]);
});

t.test('ERR reply rejects with the NUT code and the connection stays up', async (t) => {
  const { client, last } = setup();
  const started = client.start();
  last().open();
  await started;
  const p = client.request(getVar('ups', 'x'));
  last().send('ERR VAR-NOT-SUPPORTED\n');
  const e = await p.catch((x: unknown) => x);
  t.ok(isNutError(e) && e.code === 'VAR-NOT-SUPPORTED');
  t.equal(client.state, 'ready');
});

t.test('timeout: rejects, drops the connection (reply may still come) and reconnects with backoff', async (t) => {
  const { client, clock, sockets, last } = setup();
  const events: string[] = [];
  client.on('connected', () => events.push('connected'));
  client.on('disconnected', (e) => events.push(`disconnected:${isUpsError(e) ? e.code : '?'}`));
  const started = client.start();
  last().open();
  await started;
  const p = client.request(getVar('ups', 'ups.status'));
  const q = client.request(getVar('ups', 'battery.charge'));
  const pe = p.catch((x: unknown) => x);
  const qe = q.catch((x: unknown) => x);
  await clock.advance(1000);
  t.ok(isUpsError(await pe) && ((await pe) as { code: string }).code === UpsErrorCode.Timeout, 'in-flight times out');
  t.ok(isUpsError(await qe) && ((await qe) as { code: string }).code === UpsErrorCode.ConnectionClosed, 'queued one fails with the connection');
  t.ok(sockets[0]!.destroyed);
  t.equal(client.state, 'waiting');
  const rejected = await client.request(getVar('ups', 'x')).catch((x: unknown) => x);
  t.ok(isUpsError(rejected) && rejected.code === UpsErrorCode.NotConnected, 'fails fast while disconnected');
  await clock.advance(49);
  t.equal(sockets.length, 1, 'backoff: first delay is half of 100 ms with random 0.5');
  await clock.advance(1);
  t.equal(sockets.length, 2);
  last().open();
  await flush();
  t.same(events, ['connected', 'disconnected:UPS_TIMEOUT', 'connected']);
});

t.test('refused connections back off exponentially up to the cap', async (t) => {
  const { client, clock, sockets, last } = setup();
  const started = client.start();
  last().refuse();
  await started;
  t.equal(client.state, 'waiting');
  const times: number[] = [];
  let n = sockets.length;
  for (let i = 0; i < 6; i++) {
    const before = clock.now();
    while (sockets.length === n) await clock.advance(10);
    times.push(clock.now() - before);
    n = sockets.length;
    last().refuse();
    await flush();
  }
  t.same(times, [50, 100, 200, 400, 500, 500], 'window·0.5: 100,200,400,800,1000(cap),1000');
});

t.test('connect timeout', async (t) => {
  const { client, clock, sockets } = setup();
  const started = client.start();
  await clock.advance(500);
  await started;
  t.ok(sockets[0]!.destroyed);
  t.equal(client.state, 'waiting');
});

t.test('unsolicited line or an overlong line drops the connection', async (t) => {
  const { client, last, sockets } = setup();
  const started = client.start();
  last().open();
  await started;
  last().send('VAR ups surprise "1"\n');
  await flush();
  t.ok(sockets[0]!.destroyed);
  t.equal(client.state, 'waiting');

  const two = setup();
  const s2 = two.client.start();
  two.last().open();
  await s2;
  const p = two.client.request(getVar('ups', 'x')).catch((x: unknown) => x);
  two.last().send('x'.repeat(10_000));
  const e = await p;
  t.ok(isUpsError(e) && e.code === UpsErrorCode.ConnectionClosed);
  t.ok(two.sockets[0]!.destroyed);
});

t.test('credentials are sent after each connect and never logged', async (t) => {
  const log = recordingLogger();
  const { client, last } = setup({ username: 'mon', password: 's3cret pass', logger: log });
  const started = client.start();
  last().open();
  await flush();
  t.same(last().written, ['USERNAME mon\n']);
  last().send('OK\n');
  await flush();
  t.same(last().written, ['USERNAME mon\n', 'PASSWORD "s3cret pass"\n']);
  t.equal(client.state, 'connecting', 'not ready before auth completes');
  last().send('OK\n');
  await started;
  t.equal(client.state, 'ready');
  t.notMatch(JSON.stringify(log.records), /s3cret/);
});

t.test('refused credentials still leave a read-only connection', async (t) => {
  const { client, last } = setup({ username: 'mon', password: 'x' });
  const started = client.start();
  last().open();
  await flush();
  last().send('ERR INVALID-USERNAME\n');
  await flush();
  t.same(last().written, ['USERNAME mon\n']);
  await started;
  t.equal(client.state, 'ready');
});

t.test('stop rejects pending requests and stops reconnecting', async (t) => {
  const { client, clock, sockets, last } = setup();
  const started = client.start();
  last().open();
  await started;
  const p = client.request(getVar('ups', 'x')).catch((x: unknown) => x);
  const stopping = client.stop();
  await flush();
  // LOGOUT is queued behind the pending request; nobody answers, so its timeout ends the wait.
  await clock.advance(1000);
  await stopping;
  t.ok(isUpsError(await p));
  t.equal(client.state, 'stopped');
  await clock.advance(60_000);
  t.equal(sockets.length, 1, 'no reconnect after stop');
  const e = await client.request(getVar('ups', 'x')).catch((x: unknown) => x);
  t.ok(isUpsError(e) && e.code === UpsErrorCode.NotConnected);
  await t.rejects(client.start(), { code: UpsErrorCode.Stopped });
});
