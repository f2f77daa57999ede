// The runtime with a fake terminal against real Unix-socket servers: a silent agent gives the
// timeout message instead of a frozen screen; a login reaches the home screen; Ctrl-C ends it.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runConsole } from '../../../provisioning/console/app.js';
import type { Terminal } from '../../../provisioning/console/terminal.js';

class FakeTerminal implements Terminal {
  out = '';
  #input: (s: string) => void = () => undefined;
  cols = () => 80;
  rows = () => 25;
  write(s: string) {
    this.out += s;
  }
  onInput(f: (s: string) => void) {
    this.#input = f;
  }
  onResize() {}
  restore() {}
  press(s: string) {
    this.#input(s);
  }
  async until(re: RegExp, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.out)) {
      if (Date.now() > end) throw new Error(`not seen ${re}: ${this.out.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function listen(handler: (sock: Socket) => void): Promise<{ server: Server; path: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'kc-')), 'api.sock');
  const server = createServer(handler);
  return new Promise((res) => server.listen(path, () => res({ server, path })));
}

t.test('a silent agent: the wait ends at its deadline with a clear message', async (t) => {
  const held: Socket[] = [];
  const { server, path } = await listen((sock) => void held.push(sock)); // accepts, never answers
  t.teardown(() => {
    held.forEach((s) => s.destroy());
    server.close();
  });
  const term = new FakeTerminal();
  const done = runConsole(term, { socket: path, idleLockSec: 0, lang: 'en', refreshMs: 60_000 });
  await term.until(/Log in/, 2000);
  term.press('asha\r4821\r');
  await term.until(/Logging in … \d s \/ 8 s/, 3000);
  await term.until(/No answer within 8 s: Logging in\. Try again, or check the device\./, 12_000);
  term.press('\x03');
  t.equal(await done, 0);
  t.notMatch(term.out, /4821/, 'the PIN never reaches the screen');
});

t.test('no agent at all: the message says so', async (t) => {
  const term = new FakeTerminal();
  const done = runConsole(term, { socket: join(mkdtempSync(join(tmpdir(), 'kc-')), 'none.sock'), idleLockSec: 0, lang: 'hi', hindi: true, refreshMs: 60_000 });
  term.press('asha\r4821\r');
  await term.until(/एजेंट नहीं चल रहा/, 3000);
  term.press('\x03');
  t.equal(await done, 0);
});

t.test('a login and the home refresh over HTTP on the socket; the token goes with later calls', async (t) => {
  const seen: { method: string; path: string; auth: string | undefined }[] = [];
  const { server, path } = await listen((sock) => {
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end).split('\r\n');
      const [method, url] = head[0]!.split(' ');
      const auth = head.find((h) => /^authorization:/i.test(h))?.split(': ')[1];
      seen.push({ method: method!, path: url!, auth });
      const bodies: Record<string, unknown> = {
        '/v1/login': { token: 'tok-'.padEnd(43, 'x'), user: 'asha', role: 'operator', expiresInSec: 900 },
        '/v1/status': { kiosk: { id: 'MP-IND-0011' }, link: { state: 'up', session: 1 }, queue: { depth: 0, bytes: 0, overLimit: false }, clock: { synced: true, source: 'ntp' }, devices: {} },
        '/v1/wallet': { balancePaise: 2_500_000, minimumPaise: 2_000_000, belowMinimum: false, recent: [] },
      };
      const body = JSON.stringify(bodies[url!] ?? { type: 'x', title: 'No such resource', title_hi: 'नहीं मिला', status: 404 });
      const status = bodies[url!] ? '200 OK' : '404 Not Found';
      sock.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  t.teardown(() => server.close());
  const term = new FakeTerminal();
  const done = runConsole(term, { socket: path, idleLockSec: 0, lang: 'en', refreshMs: 60_000 });
  term.press('asha\r4821\r');
  await term.until(/Rs 25,000\.00/, 5000);
  t.ok(term.out.includes('\x1b[2;1H'), 'rows are written with cursor positioning');
  const wallet = seen.find((s) => s.path === '/v1/wallet');
  t.equal(wallet?.auth, `Bearer ${'tok-'.padEnd(43, 'x')}`, 'the token of the login goes with the refresh');
  t.equal(seen.find((s) => s.path === '/v1/fingerprint')?.auth, undefined, 'the fingerprint probe before the login has no token');
  term.press('\x03');
  t.equal(await done, 0);
  await new Promise((r) => setTimeout(r, 100));
  t.ok(seen.some((s) => s.method === 'POST' && s.path === '/v1/logout'), 'the session is ended on exit');
});
