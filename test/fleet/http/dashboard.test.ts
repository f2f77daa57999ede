/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core): the fleet
 * table fills, sorts and filters; a kiosk whose connection drops turns offline on the page through
 * server-sent events (no reload); the inactivity risk list names who will be fined and when;
 * weekly e-KYC per district; Hindi labels; a job sent from the kiosk page shows up in its job list.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { addUser, cutKiosk, K1, K2, PASSWORD, startDashboardFleet } from './fixture.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

t.test('dashboard in headless Chromium', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM}` }, async (t) => {
  const { base, kiosks, fleet } = await startDashboardFleet(t);
  await addUser(fleet, 'ops', 'operator');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--disable-quic'] });
  t.teardown(() => browser.close());
  const tab = await browser.newPage();
  await tab.goto(base);
  // Expressions evaluated in the page, and waits until one is truthy (its value returned). Polled
  // from here: waitForFunction would compile the string inside the page, which its CSP forbids.
  const page = {
    eval: <T = unknown>(expression: string): Promise<T> => tab.evaluate<T>(expression),
    waitFor: async <T = unknown>(expression: string, what: string, timeoutMs = 10_000): Promise<T> => {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        last = await tab.evaluate(expression).catch((err: Error) => err.message);
        if (last && !(typeof last === 'string' && last.startsWith('page.evaluate:'))) return last as T;
        if (Date.now() > end) throw new Error(`timed out waiting in the page for ${what} (last: ${JSON.stringify(last)})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  // Without a session the dashboard sends the browser to its login page.
  await page.waitFor("location.pathname === '/login.html' && !!document.getElementById('login')", 'the login page');
  await tab.fill('#username', 'ops');
  await tab.fill('#password', PASSWORD);
  await tab.click('#login-submit');
  await page.waitFor("location.pathname === '/' && document.getElementById('who')?.textContent === 'ops (operator)'", 'logged in');

  const rowIds = "[...document.querySelectorAll('#kiosks tbody tr')].map((r) => r.dataset.kiosk).join(',')";
  t.equal(await page.waitFor<string>(`${rowIds} === '${K1},${K2}' && ${rowIds}`, 'both kiosks in the table'), `${K1},${K2}`);
  await page.waitFor("document.getElementById('live').className === 'live'", 'the live stream connected');
  t.equal(await page.eval("document.querySelector('[data-count=online] b').textContent"), '2', 'overview: 2 online');
  t.match(await page.eval(`document.querySelector('tr[data-kiosk="${K1}"]').textContent`), /printer-paper-out/, 'alerts shown in the row');

  await page.eval("document.querySelector('th[data-sort=wallet]').click()");
  await page.eval("document.querySelector('th[data-sort=wallet]').click()");
  t.equal(await page.waitFor<string>(`${rowIds} === '${K2},${K1}' && ${rowIds}`, 'sorted by wallet, descending'), `${K2},${K1}`);
  await page.eval("(() => { const s = document.getElementById('f-district'); s.value = 'Jaipur'; s.dispatchEvent(new Event('change')); })()");
  t.equal(await page.waitFor<string>(`${rowIds} === '${K1}' && ${rowIds}`, 'filtered to Jaipur'), K1);
  await page.eval("(() => { const s = document.getElementById('f-district'); s.value = ''; s.dispatchEvent(new Event('change')); })()");
  t.match(await page.eval("document.getElementById('csv').getAttribute('href')"), /^\/api\/kiosks\.csv\?/, 'CSV export of the current view');

  // The page must update itself: mark it, drop the kiosk's connection, and watch for the will.
  await page.eval('window.__marker = 42');
  const cutAt = Date.now();
  cutKiosk(kiosks.get(K2)!);
  await page.waitFor(`document.querySelector('tr[data-kiosk="${K2}"]')?.dataset.liveness === 'offline'`, 'the kiosk offline on the page', 10_000);
  const took = Date.now() - cutAt;
  t.ok(took < 5000, `offline on the page ${took} ms after the connection dropped (heartbeat interval 5 s)`);
  t.equal(await page.eval('window.__marker'), 42, 'updated live, without a reload');
  t.match(await page.eval(`document.querySelector('tr[data-kiosk="${K2}"]').textContent`), /offline \(will\)/);

  await page.eval("location.hash = '#/inactivity'");
  const risk = await page.waitFor<string>(`document.querySelector('#risk tr[data-risk="${K1}"]')?.textContent`, 'the inactivity risk list');
  t.match(risk, /27 days/);
  t.match(risk, /2026-11-27/, 'the date of the fine');

  await page.eval("location.hash = '#/ekyc'");
  t.match(await page.waitFor<string>("document.querySelector('#ekyc tr[data-district=Kota]')?.textContent", 'weekly e-KYC'), /2$/);

  await page.eval("document.getElementById('lang').click()");
  await page.eval("location.hash = '#/'");
  await page.waitFor("document.documentElement.lang === 'hi' && !!document.querySelector('#kiosks')", 'Hindi');
  t.equal(await page.eval("document.querySelector('header h1').textContent"), 'कियोस्क बेड़ा');
  t.match(await page.waitFor<string>(`document.querySelector('tr[data-kiosk="${K2}"]')?.textContent`, 'Hindi row'), /ऑफ़लाइन/);
  t.equal(await page.eval("document.querySelector('[data-count=offline]').textContent"), '1ऑफ़लाइन');

  await page.eval(`location.hash = '#/kiosk/${K1}'`);
  await page.waitFor("!!document.getElementById('job-send')", 'the kiosk page');
  t.match(await page.eval("document.getElementById('alerts').textContent"), /printer-paper-out/);
  await page.eval("document.getElementById('job-type').value = 'print.test'; document.getElementById('job-send').click()");
  const sent = await page.waitFor<string>("document.getElementById('job-out')?.textContent", 'the job sent');
  t.match(sent, /j-/);
  const jobId = /(j-[\w-]+)/.exec(sent)![1]!;
  await page.waitFor(`!!document.querySelector('#jobs tr[data-job="${jobId}"]')`, 'the job in the kiosk page');
  t.match(await fleet.repo.listJobTargets(jobId), [{ kioskId: K1 }]);
});
