/**
 * Issue 9 acceptance, the way a new technician would go: in a temporary root, with the TCP
 * printer simulator, discover → provision unattended → enrollment by claim against a running
 * fleet → the agent, started from the written configuration, connects with its new certificate
 * to a Mosquitto that requires client certificates and confines each kiosk to kiosk/v1/<CN>/#
 * → selftest all green. Then: a second provision changes nothing, a used or expired claim is
 * refused, and a bad answers file is reported by field.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { keyIdOf } from '../../protocols/seal/seal.js';
import { run as fleetRun } from '../../fleet/cli.js';
import { createCa, issueKeyAndCertificate } from '../../fleet/enrollment/ca.js';
import { ClaimStore } from '../../fleet/enrollment/claims.js';
import { startSimulatedPrinter } from '../../drivers/printer/sim-server.js';
import { childEnv, requireBuild, ROOT, spawnAgent } from '../helpers/agent-process.js';
import { mosquittoPath, waitForPort } from '../helpers/mosquitto.js';
import { R30xPtySimulator } from '../../drivers/fingerprint/r30x-pty.js';
import { FAST_TIMING, R30xSimulator } from '../../drivers/fingerprint/r30x-simulator.js';
import { RdServiceSimulator } from '../../drivers/fingerprint/rd-service-simulator.js';
import { UpsdHarness, upsdInstalled } from '../fixtures/ups/upsd.js';
import { freePort } from '../helpers/ports.js';

const KIOSKCTL = join(ROOT, 'bin/kioskctl');
const MOSQUITTO = mosquittoPath();

function kioskctl(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawn(process.execPath, [KIOSKCTL, ...args], { env: childEnv({ KIOSKCTL_LANG: 'en' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return once(p, 'exit').then(([code]) => ({ code: code as number | null, out, err }));
}

function sink(): NodeJS.WritableStream & { text: () => string } {
  let s = '';
  return { write: (c: string | Buffer) => ((s += c.toString()), true), text: () => s } as unknown as NodeJS.WritableStream & { text: () => string };
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('discover → provision → claim → mTLS agent → selftest', { skip: MOSQUITTO ? false : 'mosquitto is not installed', timeout: 120_000 }, async (t) => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'kprov-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Started as root, Mosquitto drops to its own user, which must read its files here (test only).
  chmodSync(dir, 0o755);
  const w = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o644 });
    return p;
  };

  // Central's PKI: the kiosk CA, the broker's server certificate, the claim kit.
  const ca = await createCa('Kiosk CA (test)');
  const server = await issueKeyAndCertificate(ca, { commonName: 'broker', usage: 'server', altNames: { dns: ['localhost'], ip: ['127.0.0.1'] } });
  const claim = await issueKeyAndCertificate(ca, { commonName: 'claim', usage: 'client' });
  const caFile = w('ca.pem', ca.certPem);
  const caKey = w('ca.key', ca.keyPem);
  const claimCert = w('claim.crt', claim.pem);
  const claimKey = w('claim.key', claim.keyPem);

  // Mosquitto: kiosks on an mTLS listener confined by ACL; central on a loopback listener.
  const tlsPort = await freePort();
  const plainPort = await freePort();
  const acl = w('acl', 'pattern readwrite kiosk/v1/%u/#\npattern readwrite provisioning/v1/%c/#\n');
  const conf = w(
    'mosquitto.conf',
    [
      'per_listener_settings true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${caFile}`,
      `certfile ${w('server.crt', server.pem)}`,
      `keyfile ${w('server.key', server.keyPem)}`,
      'require_certificate true',
      'use_identity_as_username true',
      'allow_anonymous false',
      `acl_file ${acl}`,
      `listener ${plainPort} 127.0.0.1`,
      'allow_anonymous true',
      '',
    ].join('\n'),
  );
  const broker = spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let brokerLog = '';
  broker.stderr.on('data', (d: Buffer) => (brokerLog += d.toString()));
  t.teardown(async () => {
    if (broker.exitCode === null) {
      broker.kill('SIGTERM');
      await once(broker, 'exit');
    }
  });
  await waitForPort(tlsPort, 5000).catch((err: Error) => {
    throw new Error(`${err.message}: ${brokerLog}`);
  });
  await waitForPort(plainPort, 5000);

  // The fleet with the CA configured, and a claim code for Jaipur.
  const db = join(dir, 'fleet.db');
  const claimOut = sink();
  t.equal(await fleetRun(['claim', 'create', '--district', 'Jaipur', '--db', db, '--json'], { stdout: claimOut, stderr: sink() }), 0);
  const [{ code: claimCode }] = JSON.parse(claimOut.text()) as [{ code: string }];
  t.match(claimCode, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const stop = new AbortController();
  let fleetReady!: () => void;
  const ready = new Promise<void>((r) => (fleetReady = r));
  const fleetLog = sink();
  const fleet = fleetRun(['serve', '--mqtt-url', `mqtt://127.0.0.1:${plainPort}`, '--db', db, '--ca-cert', caFile, '--ca-key', caKey, '--log-level', 'warn'], {
    stdout: fleetLog,
    stderr: fleetLog,
    signal: stop.signal,
    onReady: () => fleetReady(),
  });
  t.teardown(async () => {
    stop.abort();
    await fleet;
  });
  await ready;

  const printer = await startSimulatedPrinter({ port: 0 });
  t.teardown(() => printer.close());

  // Simulated devices: an R30x reader on a pty, an RD service, upsd with dummy-ups.
  const fp = new R30xPtySimulator(new R30xSimulator({ timing: FAST_TIMING }), dir, 'fp');
  await fp.plug();
  t.teardown(() => fp.unplug());
  const rd = new RdServiceSimulator({ uidaiPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, info: 'Mantra_RD_Service' });
  const rdPort = await rd.listen(0);
  t.teardown(() => rd.close());
  const nut = upsdInstalled() ? new UpsdHarness() : undefined;
  if (nut) {
    await nut.setup();
    nut.startDriver();
    nut.startUpsd();
    t.teardown(() => nut.teardown());
  }

  // discover, as the technician runs it first.
  const root = mkdtempSync(join(tmpdir(), 'kr-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const closed = await freePort();
  const disc = await until('upsd to answer discovery', 15_000, async () => {
    const d = await kioskctl(['discover', '--json', '--port', fp.hostPath, '--rd-ports', `${closed},${rdPort}`, '--nut-port', String(nut?.port ?? closed)]);
    return !nut || d.out.includes('"via":"nut"') ? d : undefined;
  });
  t.equal(disc.code, 0, disc.err);
  const inventoryFile = w('inventory.json', disc.out);
  const inventory = (JSON.parse(disc.out) as { inventory: { kind: string; via: string; id: string }[] }).inventory;
  t.match(inventory, [{ kind: 'fingerprint', via: 'serial', id: fp.hostPath }, { kind: 'fingerprint', via: 'rd-service' }, ...(nut ? [{ kind: 'ups', via: 'nut' }] : [])]);
  const shown = await kioskctl(['discover', '--lang', 'hi', '--port', fp.hostPath, '--rd-ports', String(rdPort), '--nut-port', String(closed)]);
  t.match(shown.out, /मिले उपकरण:\nfingerprint\s+serial/);

  const central = generateKeyPairSync('x25519');
  const answers = {
    kiosk: { id: 'RJ-JAI-0042', name: 'e-Mitra Sanganer', district: 'Jaipur', lsp: 'Test LSP', location: { address: 'Sanganer, Jaipur' } },
    mqtt: { url: `mqtts://127.0.0.1:${tlsPort}`, ca: caFile },
    central: { capturePublicKey: central.publicKey.export({ type: 'spki', format: 'pem' }).toString(), confirmKeyId: keyIdOf(central.publicKey) },
    enrollment: { claimCode, claimCert, claimKey, timeoutSec: 20 },
    devicesFromDiscovery: true,
    devices: {
      printer: { transport: { type: 'tcp', host: '127.0.0.1', port: printer.server.port } },
      // The discovered upsd, with the power-off only recorded: this is a test machine.
      ...(nut ? { ups: { backend: 'nut', nut: { target: `dummy@127.0.0.1:${nut.port}` }, shutdown: { dryRun: true } } } : {}),
    },
    config: {
      ekyc: { rd: { ports: [rdPort] } }, clock: { trust: 'always' }, log: { level: 'warn' }, mqtt: { keepaliveSec: 5, backoff: { baseMs: 100, capMs: 1000, stableMs: 1000 } } },
  };
  const answersFile = w('answers.json', JSON.stringify(answers));

  const dry = await kioskctl(['provision', '--root', root, '--answers', answersFile, '--inventory', inventoryFile, '--dry-run', '--json']);
  t.equal(dry.code, 0, dry.err);
  t.throws(() => statSync(join(root, 'etc/kiosk-agent/config.json')), 'dry run writes nothing');

  const first = await kioskctl(['provision', '--root', root, '--answers', answersFile, '--inventory', inventoryFile, '--json']);
  t.equal(first.code, 0, first.err);
  const r1 = JSON.parse(first.out) as { changed: number; enrollment: { state: string; fingerprint: string } };
  t.equal(r1.enrollment.state, 'enrolled');
  t.equal(statSync(join(root, 'etc/kiosk-agent/config.json')).mode & 0o777, 0o600);
  t.equal(statSync(join(root, 'etc/kiosk-agent/tls/kiosk.key')).mode & 0o777, 0o600);
  t.equal(statSync(join(root, 'etc/kiosk-agent/keys/receipt-ed25519.pem')).mode & 0o777, 0o600);
  t.match(readFileSync(join(root, 'etc/systemd/system/kiosk-agent.service'), 'utf8'), /Type=notify[\s\S]*WatchdogSec=60[\s\S]*Restart=always/);
  t.match(readFileSync(join(root, 'etc/udev/rules.d/70-kiosk-agent.rules'), 'utf8'), /0665.*5161/);
  t.notMatch(first.out + first.err, /PRIVATE KEY/, 'no private key in the output');

  const before = readFileSync(join(root, 'etc/kiosk-agent/config.json'), 'utf8');
  const second = await kioskctl(['provision', '--root', root, '--answers', answersFile, '--inventory', inventoryFile, '--json']);
  t.equal(second.code, 0, second.err);
  const r2 = JSON.parse(second.out) as { changed: number; files: { action: string }[]; enrollment: { state: string; fingerprint: string } };
  t.equal(r2.changed, 0, 'a second run changes nothing');
  t.ok(r2.files.every((f) => f.action === 'keep'));
  t.same(r2.enrollment, { ...r2.enrollment, state: 'kept', fingerprint: r1.enrollment.fingerprint });
  t.equal(readFileSync(join(root, 'etc/kiosk-agent/config.json'), 'utf8'), before);

  // The agent from the written configuration, with its own certificate.
  const agent = spawnAgent(join(root, 'etc/kiosk-agent/config.json'));
  t.teardown(async () => {
    if (agent.proc.exitCode === null) {
      agent.proc.kill('SIGTERM');
      await agent.exited;
    }
  });
  const status = await until('the agent online through mTLS', 30_000, async () => {
    const s = await kioskctl(['status', '--root', root, '--json']);
    const j = JSON.parse(s.out) as { link: { state: string } };
    return j.link.state === 'up' ? j : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${agent.output()}\n${brokerLog}`);
  });
  t.equal(status.link.state, 'up');

  // The ACL: the kiosk identity cannot speak for another kiosk.
  const spy = await connectAsync(`mqtt://127.0.0.1:${plainPort}`);
  t.teardown(() => spy.endAsync());
  const seen: string[] = [];
  spy.on('message', (topic) => seen.push(topic));
  await spy.subscribeAsync('kiosk/v1/#', { qos: 1 });
  const asKiosk = await connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
    clientId: 'RJ-JAI-0042-probe',
    ca: readFileSync(caFile),
    cert: readFileSync(join(root, 'etc/kiosk-agent/tls/kiosk.crt')),
    key: readFileSync(join(root, 'etc/kiosk-agent/tls/kiosk.key')),
  });
  await asKiosk.publishAsync('kiosk/v1/RJ-JAI-9999/events', 'forged', { qos: 1 });
  await asKiosk.publishAsync('kiosk/v1/RJ-JAI-0042/probe', 'mine', { qos: 1 });
  await until('own topic delivered', 5000, () => Promise.resolve(seen.includes('kiosk/v1/RJ-JAI-0042/probe') ? true : undefined));
  t.notOk(seen.includes('kiosk/v1/RJ-JAI-9999/events'), 'another kiosk topic is refused by the ACL');
  await asKiosk.endAsync();

  const pages = printer.sim.pages.length;
  const st = await kioskctl(['selftest', '--root', root, '--json']);
  const report = JSON.parse(st.out) as { ok: boolean; checks: { name: string; verdict: string; detail: string }[] };
  t.equal(st.code, 0, `${st.out}\n${st.err}`);
  t.ok(report.ok);
  t.same(report.checks.filter((c) => c.verdict === 'fail'), []);
  t.same(
    report.checks.filter((c) => c.verdict === 'pass').map((c) => c.name).sort(),
    ['agent', 'certificate', 'clock', 'disk', 'fingerprint', 'mqtt identity', 'outbox', 'printer', ...(nut ? ['ups'] : [])].sort(),
  );
  t.ok(printer.sim.pages.length >= pages + 2, 'test page and provisioning receipt printed');
  const qr = printer.sim.pages.at(-1)?.ops.find((op) => op.kind === 'qr');
  t.equal(qr && 'text' in qr ? qr.text : undefined, `KIOSK:RJ-JAI-0042;CERT-SHA256:${r1.enrollment.fingerprint}`, 'the receipt QR carries the id and the certificate fingerprint');
  t.match(st.err, /All checks passed/);
  const text = await kioskctl(['status', '--root', root]);
  t.match(text.out, /^kiosk {4}RJ-JAI-0042 {2}\(Jaipur, Test LSP\)/m);
  t.match(text.out, /^central {2}up/m);
  t.match(text.out, /^fingerprint ok/m);

  // The same claim code again, on another kiosk: refused.
  const root2 = mkdtempSync(join(tmpdir(), 'kr2-'));
  t.teardown(() => rmSync(root2, { recursive: true, force: true }));
  const again = await kioskctl(['provision', '--root', root2, '--answers', answersFile, '--inventory', inventoryFile, '--kiosk-id', 'RJ-JAI-0043']);
  t.equal(again.code, 69);
  t.match(again.err, /claim_used/);

  // An expired claim code: refused.
  const store = await ClaimStore.open(db);
  const expired = await store.create('Jaipur', 60_000, Date.now() - 120_000);
  await store.close();
  const late = await kioskctl(['provision', '--root', root2, '--answers', answersFile, '--inventory', inventoryFile, '--kiosk-id', 'RJ-JAI-0043', '--claim-code', expired.code]);
  t.equal(late.code, 69);
  t.match(late.err, /claim_expired/);

  // The agent shuts down cleanly.
  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
});
