/**
 * Acceptance of issue 5 with the real daemon: a `kiosk-agent` process whose `devices.printer`
 * points at a simulated ESC/POS printer on TCP (in this process, so the test scripts its paper
 * and sees every page), publishing to a real broker (aedes) where a Collector listens as
 * central would. Receipts are printed through the local API as an operator would.
 *
 *  1. Paper out in the middle of a queue: jobs wait, printer.paper_out reaches the broker;
 *     paper loaded → each receipt prints exactly once, in order.
 *  2. kill -9 while a receipt is on its way to the printer: after the restart the interrupted
 *     receipt is uncertain (listed, printer.job_uncertain sent) and not printed again on its
 *     own; the ones queued behind it print once; a reprint is marked DUPLICATE.
 *  3. Every printed QR verifies with the kiosk's public key; changing a figure makes it fail.
 *  4. A receipt above the official rate is refused, by the ledger and by the printer's own rule.
 */
import t, { type Test } from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyReceiptQr, type EscposOp } from '../../../protocols/escpos/index.js';
import { PrinterSimulator } from '../../../drivers/printer/simulator.js';
import { hashPin } from '../../../agent/auth/pin.js';
import { jobMessage } from '../../../agent/jobs/runner.js';
import { LocalApiClient, LocalApiError } from '../../../provisioning/local-api.js';
import { startAedes } from '../../helpers/aedes.js';
import { Collector } from '../../helpers/collector.js';
import { childEnv, ROOT, requireBuild, spawnAgent, writeAgentConfig, type RunningAgent } from '../../helpers/agent-process.js';

const KIOSK = 'RJ-JAI-0405';

/** The built kioskctl, as the technician runs it. */
function kioskctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/kioskctl'), ...args], { env: childEnv(env), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const PIN = '482913';

/** The simulator on TCP, with a switch that cuts a job off halfway (bytes swallowed, no replies). */
class StallingPrinter {
  readonly sim: PrinterSimulator;
  readonly server: Server;
  #sockets = new Set<Socket>();
  stallNext = false;
  stalled: Promise<void> = Promise.resolve();
  #onStall: () => void = () => undefined;
  constructor(sim: PrinterSimulator) {
    this.sim = sim;
    this.server = createServer((sock) => {
      this.#sockets.add(sock);
      const session = sim.connect((b) => {
        if (!sock.destroyed) sock.write(b);
      });
      let dead = false;
      sock.on('data', (d: Buffer) => {
        if (dead) return;
        // Status queries are a few bytes; a job's first chunk is large.
        if (this.stallNext && d.length > 256) {
          this.stallNext = false;
          dead = true;
          session.receive(d.subarray(0, d.length >> 1));
          this.#onStall();
          return;
        }
        session.receive(d);
      });
      sock.on('error', () => undefined);
      sock.on('close', () => {
        this.#sockets.delete(sock);
        session.close();
      });
    });
  }
  armStall(): void {
    this.stallNext = true;
    this.stalled = new Promise((resolve) => (this.#onStall = resolve));
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const qrTexts = (ops: readonly EscposOp[]): string[] => ops.flatMap((o) => (o.kind === 'qr' ? [o.text] : []));
const rasterHeight = (ops: readonly EscposOp[]): number => ops.reduce((h, o) => h + (o.kind === 'raster' ? o.height : 0), 0);

async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function loggedIn(socket: string): Promise<LocalApiClient> {
  const c = new LocalApiClient(socket);
  await waitFor(
    async () => {
      try {
        await c.login('admin1', PIN);
        return true;
      } catch (e) {
        if (e instanceof LocalApiError && e.status === 0) return false;
        throw e;
      }
    },
    20_000,
    'the local API',
  );
  return c;
}

interface Info {
  queued: number;
  uncertain: { id: string; receiptNo: string; state: string }[];
  health: { state: string; detail?: string };
}

t.test('issue 5 acceptance with a real agent process', async (t: Test) => {
  requireBuild();
  const broker = await startAedes();
  const collector = await Collector.start(broker.url, `kiosk/v1/${KIOSK}/#`);
  const sim = new PrinterSimulator({ paperOutAfterCuts: 2 });
  const printer = new StallingPrinter(sim);
  const port = await printer.listen();
  const dir = mkdtempSync(join(tmpdir(), 'printer-agent-'));
  const keyPath = join(dir, 'keys', 'device-key.pem');
  const extra = (officialPaise: number): Record<string, unknown> => ({
    kiosk: { id: KIOSK, name: 'ई-मित्र कियोस्क जयपुर', district: 'Jaipur', lsp: 'Test LSP' },
    auth: { users: [{ user: 'admin1', role: 'admin', pinHash: adminHash }] },
    ledger: {
      rates: {
        EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
        BIRTH: { officialPaise, commissionPaise: 1000, nameEn: 'Birth certificate', nameHi: 'जन्म प्रमाण पत्र' },
      },
    },
    devices: {
      printer: {
        transport: { type: 'tcp', host: '127.0.0.1', port },
        pollIntervalMs: 500,
        retryMs: 300,
        statusTimeoutMs: 2000,
        barrierTimeoutMs: 120_000,
        deviceKey: keyPath,
      },
    },
  });
  const adminHash = await hashPin(PIN, { N: 1024 });
  const configPath = writeAgentConfig({ id: KIOSK, url: broker.url, dir, extra: extra(5000) });
  const socket = (JSON.parse(readFileSync(configPath, 'utf8')) as { api: { socket: string } }).api.socket;

  let agent: RunningAgent | undefined;
  t.teardown(async () => {
    if (agent && agent.proc.exitCode === null) {
      agent.proc.kill('SIGKILL');
      await agent.exited;
    }
    await collector.close();
    await broker.close();
    await printer.close();
  });
  const events = (type: string) => collector.on('events').filter((r) => r.message['type'] === type);
  const pagesWith = (qrPrefix: string) => sim.pages.filter((p) => qrTexts(p.ops).some((q) => q.includes(qrPrefix)));

  agent = spawnAgent(configPath);
  let api = await loggedIn(socket);
  t.equal(statSync(keyPath).mode & 0o777, 0o600, 'the device key is created with mode 0600');
  const publicKeyPem = readFileSync(`${keyPath}.pub`, 'utf8');
  t.equal(((await api.call('GET', '/v1/printer/key')) as { publicKeyPem: string }).publicKeyPem, publicKeyPem, 'the API serves the same public key');
  t.notOk(agent.output().includes('PRIVATE KEY'), 'the private key is never logged');

  await api.call('POST', '/v1/wallet/topups', { idempotencyKey: 'topup-0001', amountPaise: 50_000_00 });
  const txns: { txnId: string; receiptNo: string }[] = [];
  for (let i = 1; i <= 8; i++) {
    const r = (await api.call('POST', '/v1/transactions', { idempotencyKey: `birth-000${i}`, serviceCode: 'BIRTH', chargedPaise: 5000 })) as {
      transaction: { txnId: string; receiptNo: string };
    };
    txns.push(r.transaction);
  }

  await t.test('paper out in the middle of a queue: jobs wait, an event goes out; paper loaded → each prints once', async (t) => {
    for (const x of txns.slice(0, 5)) {
      const r = await api.call('POST', `/v1/receipts/${x.txnId}/print`);
      t.equal(r['duplicate'], false, `${x.receiptNo} is an original`);
    }
    await collector.until(() => events('printer.paper_out').length === 1, 15_000, 'printer.paper_out at the broker');
    t.equal(sim.pages.length, 2, 'two receipts came out before the paper ran out');
    const waiting = (await api.call('GET', '/v1/printer')) as unknown as Info;
    t.equal(waiting.health.detail, 'paper out', 'the operator sees paper out');
    t.ok(waiting.queued >= 3, `the rest wait in the queue (${waiting.queued})`);
    await new Promise((r) => setTimeout(r, 1500)); // several retry periods
    t.equal(sim.pages.length, 2, 'nothing prints while the paper is out');

    sim.set({ paperEnd: false });
    await waitFor(() => sim.pages.length >= 5, 20_000, 'five pages');
    await collector.until(() => events('printer.paper_ok').length === 1, 10_000, 'printer.paper_ok');
    await new Promise((r) => setTimeout(r, 1000));
    t.equal(sim.pages.length, 5, 'five pages, no more');
    for (const x of txns.slice(0, 5)) t.equal(pagesWith(`|${x.receiptNo}|${x.txnId}|`).length, 1, `${x.receiptNo} printed once`);
    const order = sim.pages.map((p) => qrTexts(p.ops)[0]?.split('|')[2]);
    t.same(order, txns.slice(0, 5).map((x) => x.receiptNo), 'in order');
    t.equal(events('printer.paper_out').length, 1, 'one paper_out event for the one outage');
    const state = collector.on('state').at(-1)?.message as { devices: Record<string, { state: string }> } | undefined;
    t.equal(state?.devices['printer']?.state, 'ok', 'state says the printer is ok again');
  });

  await t.test('kill -9 while printing: nothing printed twice unmarked, nothing lost', async (t) => {
    printer.armStall();
    const [a, b, c] = txns.slice(5);
    for (const x of [a!, b!, c!]) await api.call('POST', `/v1/receipts/${x.txnId}/print`);
    await printer.stalled;
    await new Promise((r) => setTimeout(r, 200));
    agent!.proc.kill('SIGKILL');
    await agent!.exited;
    const before = sim.pages.length;
    t.equal(before, 5, 'the interrupted receipt did not come out');

    agent = spawnAgent(configPath);
    api = await loggedIn(socket);
    await waitFor(() => sim.pages.length >= before + 2, 20_000, 'the two queued receipts');
    await collector.until(() => events('printer.job_uncertain').length === 1, 10_000, 'printer.job_uncertain at the broker');
    const info = (await api.call('GET', '/v1/printer')) as unknown as Info;
    t.equal(info.uncertain.length, 1, 'one receipt awaits the operator');
    t.equal(info.uncertain[0]?.receiptNo, a!.receiptNo, 'the interrupted one');
    await new Promise((r) => setTimeout(r, 1000));
    t.equal(sim.pages.length, before + 2, 'not resent on its own');
    t.equal(pagesWith(`|${a!.receiptNo}|`).length, 0, `${a!.receiptNo} not printed again unmarked`);
    for (const x of [b!, c!]) t.equal(pagesWith(`|${x.receiptNo}|`).length, 1, `${x.receiptNo} printed once`);

    const re = (await api.call('POST', `/v1/printer/jobs/${info.uncertain[0]!.id}/reprint`)) as { duplicate: boolean };
    t.equal(re.duplicate, true, 'the reprint is a DUPLICATE job');
    await waitFor(() => pagesWith(`|${a!.receiptNo}|`).length === 1, 20_000, 'the reprint');
    const dup = pagesWith(`|${a!.receiptNo}|`)[0]!;
    // c's page, not b's: b's page starts with the white-filled rest of the interrupted raster.
    const plain = pagesWith(`|${c!.receiptNo}|`)[0]!;
    t.ok(rasterHeight(dup.ops) > rasterHeight(plain.ops), 'the reprint carries the DUPLICATE banner (taller raster)');
    const after = (await api.call('GET', '/v1/printer')) as unknown as Info;
    t.equal(after.uncertain.length, 0, 'nothing left pending a decision');

    // The ledger knows the first print: a second one from the receipt endpoint says DUPLICATE.
    const again = await api.call('POST', `/v1/receipts/${txns[0]!.txnId}/print`);
    t.equal(again['duplicate'], true, 'a reprint through the ledger says DUPLICATE');
    await waitFor(() => pagesWith(`|${txns[0]!.receiptNo}|`).length === 2, 20_000, 'the ledger reprint');
    const all = txns.map((x) => pagesWith(`|${x.receiptNo}|`).length);
    t.ok(all.every((n) => n >= 1), 'every receipt is on paper: nothing lost');
  });

  await t.test('the QR verifies with the kiosk key; changing any printed figure fails', (t) => {
    const qr = qrTexts(sim.pages[0]!.ops)[0]!;
    const ok = verifyReceiptQr(qr, publicKeyPem);
    t.equal(ok.valid, true, 'verifies');
    if (ok.valid) t.equal(ok.fields.chargedPaise, 5000);
    const parts = qr.split('|');
    for (const [i, name] of [[5, 'official rate'], [6, 'amount charged'], [2, 'receipt number']] as const) {
      const changed = [...parts];
      changed[i] = i === 2 ? `${parts[i]}9` : String(Number(parts[i]) + 100);
      t.equal(verifyReceiptQr(changed.join('|'), publicKeyPem).valid, false, `a changed ${name} fails`);
    }
    t.end();
  });

  await t.test('kioskctl printer status|test and receipt verify against the running agent', async (t) => {
    const login = { KIOSKCTL_USER: 'admin1', KIOSKCTL_PIN: PIN };
    const status = await kioskctl(['printer', 'status', '-c', configPath], login);
    t.equal(status.code, 0, status.stderr);
    t.match(status.stdout, /printer\s+ok .*tcp 127\.0\.0\.1:\d+, 58 mm/, 'status says ok, transport and paper');
    const pages = sim.pages.length;
    const test = await kioskctl(['printer', 'test', '-c', configPath], login);
    t.equal(test.code, 0, test.stderr);
    t.match(test.stdout, /test page: ok/);
    await waitFor(() => sim.pages.length === pages + 1, 10_000, 'the test page');
    t.ok(sim.pages.at(-1)!.ops.some((o) => o.kind === 'barcode'), 'the test page has its barcode');
    // Central's print.test job reaches the same printer.
    await collector.client.publishAsync(`kiosk/v1/${KIOSK}/jobs`, jobMessage('J-print-test-1', 'print.test', {}, Date.now()), { qos: 1 });
    await collector.until(() => collector.on('job-status').some((r) => r.message['jobId'] === 'J-print-test-1' && r.message['status'] === 'succeeded'), 30_000, 'print.test succeeded');
    await waitFor(() => sim.pages.length === pages + 2, 10_000, 'the job’s test page');
    const nologin = await kioskctl(['printer', 'status', '-c', configPath]);
    t.equal(nologin.code, 64, 'a login is needed');

    const qr = qrTexts(sim.pages[0]!.ops)[0]!;
    const ok = await kioskctl(['receipt', 'verify', qr, '-c', configPath]);
    t.equal(ok.code, 0, ok.stderr);
    t.match(ok.stdout, /^VALID receipt .* of kiosk RJ-JAI-0405/);
    t.match(ok.stdout, /charged ₹50\.00, official rate ₹50\.00/);
    const forged = qr.replace('|5000|5000|', '|5000|4000|');
    const qrFile = join(dir, 'scanned.txt');
    writeFileSync(qrFile, `${forged}\n`);
    const bad = await kioskctl(['receipt', 'verify', qrFile, '-c', configPath]);
    t.equal(bad.code, 65, 'an altered figure fails');
    t.match(bad.stdout, /NOT VALID/);
    const withKey = await kioskctl(['receipt', 'verify', qr, '--key', `${keyPath}.pub`, '--json', '-c', configPath]);
    t.match(JSON.parse(withKey.stdout), { valid: true, fields: { kioskId: KIOSK } }, '--key and --json');
  });

  await t.test('a receipt above the official rate is refused', async (t) => {
    const over = await api.call('POST', '/v1/transactions', { idempotencyKey: 'birth-over-01', serviceCode: 'BIRTH', chargedPaise: 5001 }).then(
      () => undefined,
      (e: unknown) => e as LocalApiError,
    );
    t.equal(over?.status, 422, 'the ledger refuses the charge');
    // The rate list changes (the state lowers the rate): an old receipt above it is no longer printed.
    agent!.proc.kill('SIGTERM');
    await agent!.exited;
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), ...extra(4000) }, null, 2));
    agent = spawnAgent(configPath);
    api = await loggedIn(socket);
    const pages = sim.pages.length;
    const err = await api.call('POST', `/v1/receipts/${txns[1]!.txnId}/print`).then(
      () => undefined,
      (e: unknown) => e as LocalApiError,
    );
    t.equal(err?.status, 422, 'refused with 422');
    t.equal(err?.problem?.['type'], 'urn:kiosk-agent:problem:above-rate', 'as above the official rate');
    await new Promise((r) => setTimeout(r, 500));
    t.equal(sim.pages.length, pages, 'nothing printed');
    agent.proc.kill('SIGTERM');
    t.equal(await agent.exited, 0, 'the agent stops cleanly');
  });
});
