/** `kiosk-fleet serve` with a kiosk CA: both files or neither, and a clear error when unreadable. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../fleet/cli.js';

function sink() {
  let s = '';
  return { stream: { write: (c: string) => ((s += c), true) } as unknown as NodeJS.WritableStream, text: () => s };
}

t.test('CA options', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const err = sink();
  t.equal(await run(['serve', '--ca-cert', join(dir, 'ca.pem'), '--db', join(dir, 'f.db')], { stdout: sink().stream, stderr: err.stream }), 2);
  t.match(err.text(), /--ca-cert and --ca-key go together/);
  const err2 = sink();
  const code = await run(['serve', '--mqtt-url', 'mqtt://127.0.0.1:1', '--ca-cert', join(dir, 'ca.pem'), '--ca-key', join(dir, 'ca.key'), '--db', join(dir, 'f.db'), '--log-level', 'fatal'], {
    stdout: sink().stream,
    stderr: err2.stream,
  });
  t.equal(code, 1);
  t.match(err2.text(), /cannot load the kiosk CA/);
  const help = sink();
  t.equal(await run(['claim', '--help'], { stdout: help.stream, stderr: sink().stream }), 0);
  t.match(help.text(), /kiosk-fleet claim create --district/);
});
