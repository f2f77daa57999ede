/**
 * Acceptance of the fleet dashboard (issue 10), in Debian's chromium driven by playwright-core:
 * the fleet with its embedded broker, one real `kiosk-agent` process printing to a simulated
 * ESC/POS printer, and one protocol-exact publisher for a kiosk 26 days without a transaction.
 *   b) the inactivity risk list names the idle kiosk and its fine date;
 *   c) an operator sends `print.test` from the kiosk page and sees it succeed there;
 *   d) a viewer sees no job controls, and a POST forged with the viewer's own session and CSRF
 *      token is refused 403;
 *   a) kill -9 of the agent: the broker publishes its will and the page shows the kiosk offline
 *      within one heartbeat interval, without a reload.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireBuild } from '../../helpers/agent-process.js';
import { simulatedPrinter, startFleetAgent, startTestFleet } from '../fixtures/fleet.js';
import { birth, bytes, state, waitFor } from '../fixtures/helpers.js';
import { addUser, PASSWORD } from './fixture.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HEARTBEAT_SEC = 5;
const AGENT = 'RJ-JAI-0501';
const IDLE = 'RJ-KOT-0502';

async function logIn(browser: Browser, base: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto('/');
  await page.waitForURL('**/login.html');
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('#who', { hasText: user }).waitFor();
  await page.locator('#live.live:not(.off)').waitFor();
  return page;
}

t.test('fleet dashboard acceptance in chromium', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM}` }, async (t) => {
  requireBuild();
  const { startSimulatedPrinter } = await import('../../../drivers/printer/sim-server.js');
  const fleet = await startTestFleet(t, { operations: { http: { host: '127.0.0.1', port: 0 } } });
  const base = (await fleet.ops.http)!.url;
  await addUser(fleet, 'ops', 'operator');
  await addUser(fleet, 'asha', 'viewer');

  const printer = await startSimulatedPrinter({ port: 0 });
  t.teardown(() => printer.close());
  const agent = startFleetAgent(t, fleet, { id: AGENT, heartbeatSec: HEARTBEAT_SEC, extra: simulatedPrinter(printer.server.port) });
  // The idle kiosk speaks the contract exactly as an agent would, with its inactivity at day 26.
  const now = Date.now();
  const idle = await mqtt.connectAsync(fleet.url, { clientId: IDLE, reconnectPeriod: 0 });
  t.teardown(() => idle.endAsync(true));
  await idle.publishAsync(`kiosk/v1/${IDLE}/status`, bytes(birth(1, { district: 'Kota', heartbeatSec: 60 })), { qos: 1, retain: true });
  await idle.publishAsync(
    `kiosk/v1/${IDLE}/state`,
    bytes(state(2, { inactivity: { days: 26, breachDay: 30, breachAtTs: now + 4 * 86_400_000, breachOn: '2026-11-28', estimated: false } })),
    { qos: 1, retain: true },
  );
  await waitFor(async () => (await fleet.repo.getKiosk(AGENT))?.state?.devices.printer?.state === 'ok', 'the agent online with its printer ready', 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; agent: ${agent.output().slice(-1500)}`);
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-quic'] });
  t.teardown(() => browser.close());
  const ops = await logIn(browser, base, 'ops');

  // b) the inactivity risk list.
  await ops.click('a[href="#/inactivity"]');
  const risk = ops.locator(`#risk tr[data-risk="${IDLE}"]`);
  await risk.waitFor();
  t.match(await risk.textContent(), /26 days.*2026-11-28/, 'the idle kiosk on the risk list with the date of its fine');
  t.equal(await ops.locator(`#risk tr[data-risk="${AGENT}"]`).count(), 0, 'a kiosk in use is not at risk');

  // c) print.test from the kiosk page, seen to succeed there.
  const pages = printer.sim.pages.length;
  await ops.goto(`/#/kiosk/${AGENT}`);
  await ops.locator('#job-send').waitFor();
  await ops.selectOption('#job-type', 'print.test');
  await ops.click('#job-send');
  const sent = await ops.locator('#job-out', { hasText: 'j-' }).textContent();
  const jobId = /(j-[\w-]+)/.exec(sent ?? '')?.[1] ?? '';
  t.ok(jobId, `job sent: ${sent}`);
  const outcome = ops.locator(`#jobs tr[data-job="${jobId}"]`);
  await ops.locator(`#jobs tr[data-job="${jobId}"][data-status="succeeded"]`).waitFor({ timeout: 20_000 });
  t.match(await outcome.textContent(), /print\.test\s*succeeded/, 'the page shows the job succeeded');
  t.ok(printer.sim.pages.length > pages, 'and the test page came out of the printer');
  t.match(await fleet.repo.access.listAudit(5), [{ action: 'job.create', username: 'ops', target: `kiosk:${AGENT}`, detail: { jobId, type: 'print.test' } }], 'who sent what to which kiosk, in the audit log');
  await ops.click('#nav-audit');
  t.match(await ops.locator('#audit tr[data-audit="job.create"]').first().textContent(), new RegExp(`ops.*job\\.create.*kiosk:${AGENT}.*${jobId}`), 'the audit log in the page');

  // d) a viewer: no job controls, and a forged POST with its own session is refused.
  const viewer = await logIn(browser, base, 'asha');
  t.equal(await viewer.locator('#nav-audit').isHidden(), true, 'no audit log link for a viewer');
  await viewer.goto(`/#/kiosk/${AGENT}`);
  await viewer.locator('#job-denied').waitFor();
  t.equal(await viewer.locator('#job-send').count(), 0, 'no send button');
  t.equal(await viewer.locator('#job-type').count(), 0, 'no job form');
  const forged = await viewer.evaluate(async (kioskId) => {
    const s = (await (await fetch('/api/session')).json()) as { csrf: string };
    const res = await fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf },
      body: JSON.stringify({ type: 'print.test', kioskId, expiresInSec: 60 }),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  }, AGENT);
  t.match(forged, { status: 403, type: /^application\/problem\+json/, body: { status: 403, detail: 'the viewer role cannot send jobs' } }, 'a forged POST with the viewer’s session: 403');
  t.equal((await fleet.repo.listJobs()).length, 1, 'no job was created for the viewer');

  // a) kill -9 of the real agent: the broker sends its will; the page shows it offline, live.
  await ops.goto('/#/');
  const row = ops.locator(`#kiosks tr[data-kiosk="${AGENT}"]`);
  await ops.locator(`#kiosks tr[data-kiosk="${AGENT}"][data-liveness="online"]`).waitFor();
  await ops.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
  const killedAt = Date.now();
  agent.proc.kill('SIGKILL');
  await ops.locator(`#kiosks tr[data-kiosk="${AGENT}"][data-liveness="offline"]`).waitFor({ timeout: 3 * HEARTBEAT_SEC * 1000 });
  const shownAt = Date.now();
  const k = await fleet.repo.getKiosk(AGENT);
  t.match(k, { liveness: 'offline', reason: 'will' }, 'offline by its last will');
  t.ok(shownAt - k!.livenessSince! < HEARTBEAT_SEC * 1000, `shown ${shownAt - k!.livenessSince!} ms after the will arrived (heartbeat ${HEARTBEAT_SEC} s)`);
  t.ok(shownAt - killedAt < HEARTBEAT_SEC * 1000, `and ${shownAt - killedAt} ms after kill -9`);
  t.match(await row.textContent(), /offline \(will\)/);
  t.equal(await ops.evaluate(() => (globalThis as unknown as { marker: number }).marker), 42, 'live, without a reload');
  await agent.exited;
});
