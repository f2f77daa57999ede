/**
 * `make demo`: an embedded aedes broker and the fleet monitor (`kiosk-fleet serve
 * --embedded-broker`), three simulated kiosks — each a real `kiosk-agent` process with its own
 * configuration and database under .demo/ — and the fleet table, reprinted every 2 s.
 * Ctrl-C stops the kiosks (each says goodbye), then the fleet. Each kiosk has a simulated UPS
 * (`simulate.ups`: a Megatec unit behind a pretend USB HID shim); the first has a power cut.
 * Each prints to a simulated ESC/POS printer on a loopback TCP port, which keeps every page as a
 * PNG under .demo/<kiosk>/receipts/ (a test page at start; receipts as they are printed).
 *
 * The dashboard is served too; two users are made for it with passwords generated for this run
 * (`ops`, an operator who may send jobs, and `viewer`), printed on the banner.
 *
 * DEMO_SECONDS=N stops it by itself after N seconds, and DEMO_DIR puts its files elsewhere
 * (both used by the demo's own test).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPin } from '../agent/auth/pin.js';
import { startDemoReaders } from '../drivers/fingerprint/demo-readers.js';
import { startSimulatedPrinter } from '../drivers/printer/sim-server.js';
import { LocalApiClient } from '../provisioning/local-api.js';
import { keyIdOf, parsePublicKey } from '../protocols/seal/seal.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The demo's power cut at the first kiosk: mains fails 15 s after it starts (after the first table of all kiosks online) and returns 15 s later. */
const POWER_CUT = { cutAtSec: 15, cutForSec: 15 };
const DEMO = process.env['DEMO_DIR'] ?? join(ROOT, '.demo');
const KIOSKS = [
  { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'e-Mitra Jaipur LSP', name: 'e-Mitra Sanganer' },
  { id: 'RJ-UDR-0002', district: 'Udaipur', lsp: 'e-Mitra Udaipur LSP', name: 'e-Mitra Girwa' },
  { id: 'MP-BPL-0003', district: 'Bhopal', lsp: 'MPOnline', name: 'Samagra e-KYC Kendra Huzur' },
];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
}

function waitExit(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      res();
    }, ms);
    p.once('exit', () => {
      clearTimeout(t);
      res();
    });
  });
}

async function main(): Promise<void> {
  rmSync(DEMO, { recursive: true, force: true });
  mkdirSync(DEMO, { recursive: true });
  const port = Number(process.env['DEMO_PORT'] ?? (await freePort()));
  const fleetDb = join(DEMO, 'fleet.db');
  const node = process.execPath;
  const httpPort = Number(process.env['DEMO_HTTP_PORT'] ?? (await freePort()));
  // Dashboard users for this run; the passwords go through files (0600), never argv.
  const logins = [
    { user: 'ops', role: 'operator', password: randomBytes(9).toString('base64url') },
    { user: 'viewer', role: 'viewer', password: randomBytes(9).toString('base64url') },
  ];
  for (const l of logins) {
    const file = join(DEMO, `${l.user}.password`);
    writeFileSync(file, `${l.password}\n`, { mode: 0o600 });
    execFileSync(node, [join(ROOT, 'bin/kiosk-fleet'), 'user', 'add', l.user, '--role', l.role, '--password-file', file, '--db', fleetDb], { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  const fleet = spawn(
    node,
    [join(ROOT, 'bin/kiosk-fleet'), 'serve', '--embedded-broker', '--host', '127.0.0.1', '--port', String(port), '--db', fleetDb, '--http-port', String(httpPort), '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // Each kiosk gets its own simulated readers: an R30x module on a socat pty (two operators
  // enrolled) and an RD service on a free loopback port, which its ekyc.rd points at. Captures
  // are sealed to a key made for this run only; the technician logs in as `tech`, PIN 1234.
  const readers = await Promise.all(
    KIOSKS.map((k) => {
      mkdirSync(join(DEMO, k.id), { recursive: true });
      return startDemoReaders({ dir: join(DEMO, k.id), rdPort: 0, operators: [`${k.id}-operator-1`, `${k.id}-operator-2`] });
    }),
  );
  // The 80 mm roll on the e-KYC kendra, 58 mm on the e-Mitra counters.
  const printers = await Promise.all(
    KIOSKS.map((k) => startSimulatedPrinter({ port: 0, paper: k.id.startsWith('MP-') ? 80 : 58, pngDir: join(DEMO, k.id, 'receipts') })),
  );
  const central = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const techPin = await hashPin('1234');
  // The agents connect with backoff, so the broker need not be up before they start.
  const agents = KIOSKS.map((k, i) => {
    const dir = join(DEMO, k.id);
    mkdirSync(dir, { recursive: true });
    const config = {
      schemaVersion: 2,
      kiosk: { id: k.id, name: k.name, district: k.district, lsp: k.lsp },
      mqtt: { url: `mqtt://127.0.0.1:${port}`, keepaliveSec: 10, backoff: { baseMs: 200, capMs: 2000, stableMs: 10000 } },
      telemetry: { heartbeatSec: 5 },
      store: { path: join(dir, 'agent.db') },
      api: { socket: join(dir, 'api.sock') },
      log: { level: 'warn' },
      clock: { trust: 'always' },
      // Each kiosk has a simulated UPS on a pretend USB HID shim; the first has a power cut (POWER_CUT).
      simulate: { eventEveryMs: 7000, ups: i === 0 ? POWER_CUT : {} },
      devices: {
        fingerprint: { r30x: { path: readers[i]!.r30xPath }, rd: { healthPollSec: 10 } },
        ups: { backend: 'megatec-hid', pollIntervalMs: 1000 },
        printer: {
          transport: { type: 'tcp', host: '127.0.0.1', port: printers[i]!.server.port },
          paper: k.id.startsWith('MP-') ? 80 : 58,
          deviceKey: join(dir, 'device-key.pem'),
        },
      },
      ekyc: { central: { publicKey: central, keyId: keyIdOf(parsePublicKey(central)) }, rd: { ports: [readers[i]!.rdPort] } },
      auth: { users: [{ user: 'tech', name: 'Demo technician', role: 'admin', pinHash: techPin }] },
    };
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(config, null, 2));
    return spawn(node, [join(ROOT, 'bin/kiosk-agent'), '--config', path], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    process.stdout.write('\nstopping the kiosks…\n');
    for (const a of agents) a.kill('SIGTERM');
    await Promise.all(agents.map((a) => waitExit(a, 8000)));
    await Promise.all(readers.map((r) => r.close()));
    await Promise.all(printers.map((p) => p.close()));
    process.stdout.write('stopping the fleet monitor…\n');
    fleet.kill('SIGTERM');
    await waitExit(fleet, 5000);
    await printTable();
    process.stdout.write('demo stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const started = Date.now();
  // Not spawnSync: the simulated readers live in this process and must keep answering meanwhile.
  const printTable = async () => {
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((res) =>
      execFile(node, [join(ROOT, 'bin/kiosk-fleet'), 'status', '--db', fleetDb], { encoding: 'utf8' }, (err, stdout, stderr) => res({ status: err ? 1 : 0, stdout, stderr })),
    );
    const secs = Math.round((Date.now() - started) / 1000);
    const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
    process.stdout.write(
      `${clear}kiosk-agent demo — broker mqtt://127.0.0.1:${port}, fleet db ${fleetDb}, t+${secs}s (Ctrl-C stops)\n\n` +
        `${r.status === 0 ? r.stdout : `(fleet not ready yet) ${r.stderr.trim()}`}\n` +
        `dashboard: http://127.0.0.1:${httpPort}/ — log in as ${logins.map((l) => `${l.user} / ${l.password} (${l.role})`).join(', ')}\n` +
        `readers: KIOSKCTL_USER=tech KIOSKCTL_PIN=1234 bin/kioskctl fingerprint info -c ${join(DEMO, KIOSKS[0]!.id, 'config.json')}\n` +
        `printer: bin/kioskctl printer status|test (same login); pages as PNGs in ${join(DEMO, '<kiosk>', 'receipts')}/\n` +
        `UPS: ${KIOSKS[0]!.id} loses mains ${POWER_CUT.cutAtSec} s after it starts, for ${POWER_CUT.cutForSec} s: bin/kioskctl ups status -c ${join(DEMO, KIOSKS[0]!.id, 'config.json')}\n`,
    );
  };
  const timer = setInterval(() => void printTable(), 2000);
  // A test page from each kiosk once its local API answers, so each printer has a PNG to show.
  for (const k of KIOSKS) void testPage(join(DEMO, k.id, 'api.sock'), Date.now() + 20_000);
  const limit = Number(process.env['DEMO_SECONDS'] ?? 0);
  if (limit > 0) setTimeout(() => void stop(), limit * 1000);
}

async function testPage(socket: string, until: number): Promise<void> {
  const api = new LocalApiClient(socket);
  while (Date.now() < until) {
    try {
      await api.login('tech', '1234');
      await api.call('POST', '/v1/printer/test', undefined, 30_000);
      await api.logout();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

void main();
