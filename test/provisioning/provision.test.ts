/**
 * `kioskctl provision` without a broker: answers checked by field, files and modes, keys never
 * replaced, a second run changes nothing, a changed answer changes only its file, --dry-run
 * writes nothing, and the interactive path (prompts, key fingerprint confirmation).
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf } from '../../protocols/seal/seal.js';
import { createCa } from '../../fleet/enrollment/ca.js';
import { AnswersError, parseAnswers } from '../../provisioning/answers.js';
import { layout } from '../../provisioning/files.js';
import { provisionCommand, type ProvisionCommandOptions } from '../../provisioning/provision-command.js';
import { provision } from '../../provisioning/provision.js';
import { csrMatches } from '../../provisioning/pki.js';
import { udevRules } from '../../provisioning/udev.js';

const dir = mkdtempSync(join(tmpdir(), 'kprv-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const central = generateKeyPairSync('x25519');
const centralPem = central.publicKey.export({ type: 'spki', format: 'pem' }).toString();
let caFile = '';

t.before(async () => {
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, (await createCa('Broker CA')).certPem);
});

const good = () => ({
  kiosk: { id: 'MP-BPL-0101', district: 'Bhopal', lsp: 'MPOnline' },
  mqtt: { url: 'mqtts://broker.example:8883', ca: caFile },
  central: { capturePublicKey: centralPem, confirmKeyId: keyIdOf(central.publicKey) },
});

function run(o: Partial<ProvisionCommandOptions> & { root: string }) {
  let out = '';
  let err = '';
  const p = provisionCommand({ flags: {}, dryRun: false, yes: false, json: true, noEnroll: true, lang: 'en', interactive: false, out: (s) => (out += s), err: (s) => (err += s), ...o });
  return p.then((code) => ({ code, out, err }));
}

t.test('a bad answers file is reported field by field', async (t) => {
  const bad = {
    kiosk: { id: 'rj jai 1', district: '', lsp: 'X', colour: 'red' },
    mqtt: { url: 'mqtt://plain.example:1883', ca: caFile },
    enrollment: { claimCode: 'abc', claimCert: 'c', claimKey: 'k' },
  };
  const e = t.throws(() => parseAnswers(bad, 'answers.json')) as AnswersError;
  t.type(e, AnswersError);
  const fields = e.problems.map((p) => p.split(':')[0]);
  t.same(fields.sort(), ['enrollment.claimCode', 'kiosk', 'kiosk.district', 'kiosk.id', 'mqtt.url'].sort());
  t.match(e.problems.join('\n'), /kiosk: unknown field colour/);
  t.match(e.problems.join('\n'), /mqtt\.url: a TLS broker URL/);

  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(bad));
  const root = join(dir, 'bad-root');
  const r = await run({ root, answersFile: file });
  t.equal(r.code, 65);
  t.match(r.err, /The answers are not valid: .*bad\.json:\n {2}- kiosk\.id: kiosk id: upper-case letters/s);
  t.throws(() => readdirSync(root), 'nothing written');

  writeFileSync(file, '{"kiosk": ');
  t.match((await run({ root, answersFile: file })).err, /not valid JSON/);
  const wrongKey = { ...good(), central: { capturePublicKey: centralPem, confirmKeyId: 'x25519:0000000000000000' } };
  t.throws(() => parseAnswers(wrongKey, 'a'), /central\.confirmKeyId: does not match the key \(its id is x25519:/);
  const badDevice = { ...good(), devices: { ups: { kind: 'carrier-pigeon' } } };
  writeFileSync(file, JSON.stringify(badDevice));
  const r2 = await run({ root, answersFile: file });
  t.equal(r2.code, 65);
  t.match(r2.err, /config devices\.ups/, "the agent schema's errors, by field");
});

t.test('unattended: central key must be confirmed', async (t) => {
  const a = good();
  delete (a.central as { confirmKeyId?: string }).confirmKeyId;
  const file = join(dir, 'noconfirm.json');
  writeFileSync(file, JSON.stringify(a));
  const r = await run({ root: join(dir, 'nc'), answersFile: file });
  t.equal(r.code, 65);
  t.match(r.err, /central\.confirmKeyId: required when unattended \(the key's id is x25519:[0-9a-f]{16}/);
  t.equal((await run({ root: join(dir, 'nc'), answersFile: file, yes: true })).code, 0, '--yes accepts the shown key');
});

t.test('files, modes, idempotence, updates, dry run', async (t) => {
  const root = join(dir, 'r1');
  const l = layout(root);
  const a = parseAnswers(good(), 'a');
  const dry = await provision({ root, answers: a, inventory: [], dryRun: true });
  t.ok(dry.files.every((f) => f.action === 'create'));
  t.throws(() => readdirSync(root), 'dry run writes nothing');

  const first = await provision({ root, answers: a, inventory: [], udevDevices: [{ kind: 'ups', vendorId: 0x0665, productId: 0x5161 }] });
  t.equal(first.changed, 12, 'eight files, and the console unit, its link and two masks');
  t.equal(first.enrollment.state, 'skipped');
  for (const [p, mode] of [[l.config, 0o600], [l.tlsKey, 0o600], [l.receiptKey, 0o600], [l.csr, 0o644], [l.unit, 0o644]] as const) t.equal(statSync(p).mode & 0o777, mode, p);
  const cfg = JSON.parse(readFileSync(l.config, 'utf8')) as { mqtt: { tls: unknown }; ekyc: { central: { keyId: string } }; store: { path: string } };
  t.same(cfg.mqtt.tls, { ca: l.ca, cert: l.cert, key: l.tlsKey });
  t.equal(cfg.ekyc.central.keyId, keyIdOf(central.publicKey));
  t.equal(cfg.store.path, l.store);
  t.ok(csrMatches(readFileSync(l.csr, 'utf8'), readFileSync(l.tlsKey, 'utf8'), 'MP-BPL-0101'));
  t.match(readFileSync(l.unit, 'utf8'), `--config ${l.config}`);
  t.match(readFileSync(l.udev, 'utf8'), /SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="0665", ATTRS\{idProduct\}=="5161", SYMLINK\+="kiosk\/ups"/);
  t.equal(readdirSync(join(root, 'etc/kiosk-agent')).filter((n) => n.includes('.tmp-')).length, 0, 'no temporary files left');

  const keys = [readFileSync(l.tlsKey, 'utf8'), readFileSync(l.receiptKey, 'utf8'), readFileSync(l.csr, 'utf8')];
  const again = await provision({ root, answers: a, inventory: [], udevDevices: [{ kind: 'ups', vendorId: 0x0665, productId: 0x5161 }] });
  t.equal(again.changed, 0, 'a second run changes nothing');

  const moved = parseAnswers({ ...good(), kiosk: { ...good().kiosk, lsp: 'MPOnline Ltd' } }, 'a');
  const third = await provision({ root, answers: moved, inventory: [], udevDevices: [{ kind: 'ups', vendorId: 0x0665, productId: 0x5161 }] });
  t.same(third.files.filter((f) => f.action !== 'keep').map((f) => f.path), [l.config], 'only the configuration changes');
  t.same([readFileSync(l.tlsKey, 'utf8'), readFileSync(l.receiptKey, 'utf8'), readFileSync(l.csr, 'utf8')], keys, 'keys and CSR kept');

  const renamed = parseAnswers({ ...good(), kiosk: { ...good().kiosk, id: 'MP-BPL-0102' } }, 'a');
  const fourth = await provision({ root, answers: renamed, inventory: [], udevDevices: [{ kind: 'ups', vendorId: 0x0665, productId: 0x5161 }] });
  t.same(fourth.files.filter((f) => f.action !== 'keep').map((f) => f.what).sort(), ['agent configuration', 'certificate request (CSR)'], 'a new id: new CSR, same key');
  t.ok(csrMatches(readFileSync(l.csr, 'utf8'), keys[0]!, 'MP-BPL-0102'));
});

t.test('private files belong to the service account; the printer signs with the provisioned key', { skip: process.getuid?.() === 0 ? false : 'needs root to chown' }, async (t) => {
  const root = join(dir, 'owned');
  const l = layout(root);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nkiosk-agent:x:4242:4343::/var/lib/kiosk-agent:/usr/sbin/nologin\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nkiosk-agent:x:4343:\n');
  const a = parseAnswers({ ...good(), devices: { printer: { transport: { type: 'tcp', host: '127.0.0.1' } } } }, 'a');
  await provision({ root, answers: a, inventory: [] });
  for (const p of [l.config, l.tlsKey, l.receiptKey]) t.match(statSync(p), { uid: 4242, gid: 4343 }, p);
  t.match(statSync(l.unit), { uid: 0 }, 'public files stay root-owned');
  const cfg = JSON.parse(readFileSync(l.config, 'utf8')) as { devices: { printer: { deviceKey: string } } };
  t.equal(cfg.devices.printer.deviceKey, l.receiptKey);
  t.equal(l.receiptPub, `${l.receiptKey}.pub`, "the agent's convention for the public half");
  t.equal((await provision({ root, answers: a, inventory: [] })).changed, 0, 'ownership kept: nothing to change');
});

t.test('udev rules do not depend on discovery order', (t) => {
  const a = udevRules([{ kind: 'printer', vendorId: 0x0416, productId: 0x5011 }, { kind: 'fingerprint', vendorId: 0x2c0f, productId: 0x1001 }]);
  const b = udevRules([{ kind: 'fingerprint', vendorId: 0x2c0f, productId: 0x1001 }, { kind: 'printer', vendorId: 0x0416, productId: 0x5011 }]);
  t.equal(a, b);
  t.match(a, /GROUP="plugdev"/);
  t.end();
});

t.test('interactive: prompts with defaults, the key fingerprint confirmed or refused', async (t) => {
  const answers: Record<string, string> = {
    'Kiosk id': 'MP-BPL-0200',
    District: 'Bhopal',
    LSP: 'MPOnline',
    Address: '',
    'Central broker URL': 'mqtts://broker.example:8883',
    'Broker CA file': caFile,
    "Central's capture public key": centralPem.replace(/\n/g, '\\n'),
    'Claim code': '',
    'Claim certificate file': '',
    'Claim key file': '',
  };
  const asked: string[] = [];
  let typo = true;
  const ask = (confirm: string) => (q: string) => {
    asked.push(q);
    if (q.startsWith('Kiosk id') && typo) {
      typo = false;
      return Promise.resolve('mp bpl 200');
    }
    if (q.startsWith('Does it match')) return Promise.resolve(confirm);
    const k = Object.keys(answers).find((p) => q.startsWith(p));
    const v = k === "Central's capture public key" ? centralPem : (answers[k ?? ''] ?? '');
    return Promise.resolve(v);
  };
  const root = join(dir, 'ia');
  const no = await run({ root, interactive: true, ask: ask('no') });
  t.equal(no.code, 1);
  t.match(no.err, /x25519:[0-9a-f]{16}[\s\S]*not confirmed: nothing written/);
  t.throws(() => readdirSync(root));
  const yes = await run({ root, interactive: true, ask: ask('हाँ') });
  t.equal(yes.code, 0, yes.err);
  t.match(asked.join('\n'), /Central broker URL \/ केंद्र ब्रोकर URL \[mqtts:\/\/\]/);
  t.match(no.err, /kiosk id: upper-case letters/, 'a mistyped id is caught as it is typed');
  t.equal(asked.filter((q) => q.startsWith('Kiosk id')).length, 3, 'and asked again');
  t.equal((JSON.parse(readFileSync(layout(root).config, 'utf8')) as { kiosk: { id: string } }).kiosk.id, 'MP-BPL-0200');
  const hi = await run({ root, interactive: false, lang: 'hi', answersFile: join(dir, 'missing.json') });
  t.equal(hi.code, 65);
  t.match(hi.err, /उत्तर सही नहीं हैं/);
});
