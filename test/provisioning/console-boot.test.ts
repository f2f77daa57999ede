// The operator console at boot (issue 11), as provisioning installs it under a temporary root:
// kiosk-console.service, its multi-user.target.wants link, getty@tty1 and autovt@tty1 masked;
// idempotent, shown by --dry-run, taken away again by `console: false`, kmscon when the root has it.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa } from '../../fleet/enrollment/ca.js';
import { consoleUnit } from '../../agent/systemd/console-unit.js';
import { parseAnswers } from '../../provisioning/answers.js';
import { layout } from '../../provisioning/files.js';
import { provisionCommand } from '../../provisioning/provision-command.js';
import { provision } from '../../provisioning/provision.js';
import { keyIdOf } from '../../protocols/seal/seal.js';

const dir = mkdtempSync(join(tmpdir(), 'kcon-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const central = generateKeyPairSync('x25519');
let caFile = '';
t.before(async () => {
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, (await createCa('Broker CA')).certPem);
});

const answers = (extra: Record<string, unknown> = {}) =>
  parseAnswers(
    {
      kiosk: { id: 'MP-BPL-0301', district: 'Bhopal', lsp: 'MPOnline' },
      mqtt: { url: 'mqtts://broker.example:8883', ca: caFile },
      central: { capturePublicKey: central.publicKey.export({ type: 'spki', format: 'pem' }).toString(), confirmKeyId: keyIdOf(central.publicKey) },
      ...extra,
    },
    'answers',
  );

const CONSOLE_WHATS = ['systemd unit kiosk-console.service', 'console enabled at boot', 'getty@tty1 masked', 'autovt@tty1 masked'];

t.test('by default: the unit, enabled, getty on tty1 masked; a second run changes nothing', async (t) => {
  const root = join(dir, 'default');
  const l = layout(root);
  const dry = await provision({ root, answers: answers(), inventory: [], dryRun: true });
  t.same(
    dry.files.filter((f) => CONSOLE_WHATS.includes(f.what)).map((f) => [f.what, f.action]),
    CONSOLE_WHATS.map((w) => [w, 'create']),
    'the dry run lists the console files',
  );
  t.throws(() => readdirSync(root), 'and writes nothing');

  await provision({ root, answers: answers(), inventory: [] });
  t.equal(readFileSync(l.consoleUnit, 'utf8'), consoleUnit({ configPath: l.config, terminal: 'vt' }), 'the generated unit, pointed at the configuration');
  t.match(readFileSync(l.consoleUnit, 'utf8'), /^ExecStart=\/opt\/kiosk-agent\/bin\/kioskctl console --config \S+\/etc\/kiosk-agent\/config.json --lang en$/m, 'no kmscon in the root: the VT, in English');
  t.equal(readlinkSync(l.consoleWants), '/etc/systemd/system/kiosk-console.service', 'enabled as systemctl enable does, with the on-kiosk path');
  t.equal(readlinkSync(l.gettyMask), '/dev/null', 'getty@tty1 masked');
  t.equal(readlinkSync(l.autovtMask), '/dev/null', 'autovt@tty1 masked');
  t.equal(readdirSync(join(root, 'etc/systemd/system')).filter((n) => n.includes('.tmp-')).length, 0, 'no temporary links left');

  const again = await provision({ root, answers: answers(), inventory: [] });
  t.equal(again.changed, 0, 'idempotent');
});

t.test('kmscon in the root: the unit runs the console under it; only the unit changes', async (t) => {
  const root = join(dir, 'kms');
  const l = layout(root);
  await provision({ root, answers: answers(), inventory: [] });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/kmscon'), '');
  const r = await provision({ root, answers: answers(), inventory: [] });
  t.same(r.files.filter((f) => f.action !== 'keep').map((f) => f.what), ['systemd unit kiosk-console.service']);
  t.match(readFileSync(l.consoleUnit, 'utf8'), /^ExecStart=\/usr\/bin\/kmscon --vt=tty1 .*--font-engine=pango --login -- \/usr\/bin\/setpriv .* console --config \S+$/m);
  const vt = await provision({ root, answers: answers({ consoleTerminal: 'vt' }), inventory: [] });
  t.equal(vt.changed, 1, 'consoleTerminal: vt overrides the choice');
  t.match(readFileSync(l.consoleUnit, 'utf8'), /--lang en$/m);
});

t.test('console: false takes the unit, its link and the masks away; an admin unit file for getty stays', async (t) => {
  const root = join(dir, 'off');
  const l = layout(root);
  await provision({ root, answers: answers(), inventory: [] });
  const dry = await provision({ root, answers: answers({ console: false }), inventory: [], dryRun: true });
  t.same(dry.files.filter((f) => f.action === 'remove').map((f) => f.what).sort(), [...CONSOLE_WHATS].sort(), 'the dry run shows what goes');
  t.equal(readlinkSync(l.gettyMask), '/dev/null', 'dry run: still there');

  const off = await provision({ root, answers: answers({ console: false }), inventory: [] });
  t.equal(off.changed, 4);
  t.same(readdirSync(join(root, 'etc/systemd/system')).sort(), ['kiosk-agent.service', 'multi-user.target.wants'], 'only the agent unit is left');
  t.same(readdirSync(join(root, 'etc/systemd/system/multi-user.target.wants')), []);
  t.equal((await provision({ root, answers: answers({ console: false }), inventory: [] })).changed, 0, 'idempotent when off too');

  writeFileSync(l.gettyMask, '[Service]\nExecStart=/sbin/agetty tty1\n');
  const keep = await provision({ root, answers: answers({ console: false }), inventory: [] });
  t.equal(keep.changed, 0, 'a real unit file at getty@tty1.service is not a mask, so not ours to remove');
  const on = await provision({ root, answers: answers(), inventory: [] });
  t.same(on.files.filter((f) => f.what === 'getty@tty1 masked').map((f) => f.action), ['update'], 'turning the console on masks it again');
  t.equal(readlinkSync(l.gettyMask), '/dev/null');
});

t.test('kioskctl provision --dry-run prints the console lines', async (t) => {
  const root = join(dir, 'cli');
  const file = join(dir, 'answers.json');
  writeFileSync(
    file,
    JSON.stringify({
      kiosk: { id: 'MP-BPL-0302', district: 'Bhopal', lsp: 'MPOnline' },
      mqtt: { url: 'mqtts://broker.example:8883', ca: caFile },
    }),
  );
  let out = '';
  const code = await provisionCommand({ root, answersFile: file, flags: {}, dryRun: true, yes: true, json: false, noEnroll: true, lang: 'en', interactive: false, out: (s) => (out += s), err: () => undefined });
  t.equal(code, 0);
  t.match(out, /^create\s+systemd unit kiosk-console.service\s+\S+\/etc\/systemd\/system\/kiosk-console.service$/m);
  t.match(out, /^create\s+console enabled at boot\s+\S+multi-user.target.wants\/kiosk-console.service$/m);
  t.match(out, /^create\s+getty@tty1 masked\s+\S+getty@tty1.service$/m);
  t.throws(() => readdirSync(root), 'nothing written');
});
