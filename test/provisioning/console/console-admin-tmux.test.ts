/**
 * The console's other paths in tmux against a real agent (the rig of console-tmux.test.ts): the
 * admin logs in by finger on the R30x (or, on an agent without POST /v1/login/fingerprint, sees
 * the offer withdrawn and uses the PIN), records a wallet top-up, prints the test page, runs the
 * self-test; a service transaction from the rate list (refused above the official rate) prints its
 * receipt, the reprint is marked DUPLICATE, the daily report counts it; the idle lock returns to
 * the login screen; SIGTERM gives the terminal back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { hasSocat } from '../../../drivers/printer/sim-pty.js';
import { ROOT } from '../../helpers/agent-process.js';
import { ADMIN_FINGER, startConsoleRig, USERS } from './rig.js';
import { TMUX } from './tmux.js';

const skip = !TMUX ? 'tmux is not installed (make system-deps)' : !hasSocat() ? 'socat is not installed' : false;
const RATES = {
  EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
  PAN: { officialPaise: 10700, commissionPaise: 1000, nameEn: 'PAN card application', nameHi: 'पैन कार्ड आवेदन' },
};

t.test('admin by finger, top-up, test page, self-test, a service sale, its reprint, the report, the idle lock', { skip }, async (t) => {
  const rig = await startConsoleRig(t, { kioskId: 'MP-IND-0012', rates: RATES });
  const screen = await rig.console();
  const fail = (err: unknown): never => {
    throw new Error(`${(err as Error).message}\nagent: ${rig.output()}`, { cause: err });
  };
  await screen.until(/Log in/, 15_000, 'the login screen').catch(fail);

  // Fingerprint login: offered once the public status shows the R30x ready.
  await screen.until(/F3: log in with your fingerprint/, 15_000, 'the fingerprint offer').catch(fail);
  if (existsSync(join(ROOT, 'dist/agent/fingerprint/login.js'))) {
    rig.r30x.touch({ finger: ADMIN_FINGER });
    await screen.keys('F3');
    await screen.until(/ravi \(admin\)/, 15_000, 'logged in by finger').catch(fail);
    t.pass('the admin logged in with a finger on the R30x');
  } else {
    await screen.keys('F3');
    await screen.until(/not available/, 10_000, 'the offer withdrawn').catch(fail);
    t.notMatch(await screen.text(), /F3:/, 'an agent without the route: the offer is hidden');
    await screen.type('ravi');
    await screen.keys('Tab');
    await screen.type(USERS.ravi);
    await screen.keys('Enter');
    await screen.until(/ravi \(admin\)/, 15_000, 'logged in by PIN').catch(fail);
  }
  let s = await screen.until(/Wallet\s+Rs 0\.00/, 15_000, 'the home screen').catch(fail);
  for (const a of ['Record a wallet top-up', 'Printer test page', 'Self-test']) t.match(s, a, `admin action: ${a}`);

  // Wallet top-up record: the balance reaches the minimum and the warning goes.
  await screen.type('w');
  await screen.until(/Top-up amount paid in/, 5000, 'the top-up form');
  await screen.type('20000');
  await screen.keys('Enter');
  await screen.until(/Top-up recorded: balance Rs 20,000\.00/, 10_000, 'the top-up').catch(fail);
  await screen.keys('Enter');
  s = await screen.until(/Wallet\s+Rs 20,000\.00/, 10_000, 'the new balance');
  t.notMatch(s, /below the required minimum/, 'no wallet warning at the minimum');

  // Printer test page.
  let pages = rig.printer.pages.length;
  await screen.type('p');
  await screen.until(/Test page printed/, 30_000, 'the test page').catch(fail);
  t.equal(rig.printer.pages.length, pages + 1, 'the test page came out');

  // Self-test through the API.
  await screen.type('t');
  s = await screen.until(/PASS\s+agent/, 10_000, 'the self-test').catch(fail);
  t.match(s, /PASS\s+printer/);
  t.match(s, /PASS\s+ups/);
  t.match(s, /PASS\s+link/);
  await screen.keys('Escape');

  // A service transaction from the rate list: never above the official rate; its receipt prints.
  await screen.type('s');
  s = await screen.until(/PAN\s+PAN card application\s+Rs 107\.00/, 10_000, 'the rate list').catch(fail);
  t.notMatch(s, /Aadhaar e-KYC/, 'e-KYC is not sold at the counter');
  await screen.keys('Enter');
  await screen.until(/Amount charged, Rs/, 5000, 'the amount');
  await screen.keys('BSpace', 'BSpace', 'BSpace');
  await screen.type('200');
  await screen.keys('Enter');
  await screen.until(/Above the official rate: not allowed/, 5000, 'the rate check');
  await screen.keys('BSpace', 'BSpace', 'BSpace');
  pages = rig.printer.pages.length;
  await screen.type('100');
  await screen.keys('Enter');
  s = await screen.until(/Receipt \S+ sent to the printer/, 15_000, 'the receipt').catch(fail);
  const receiptNo = /Recorded: receipt (\S+)/.exec(s)?.[1];
  t.ok(receiptNo, `receipt ${receiptNo}`);
  const deadline = Date.now() + 15_000;
  while (rig.printer.pages.length === pages && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(rig.printer.pages.length, pages + 1, 'the receipt came out');
  await screen.keys('Enter');

  // Reprint: marked DUPLICATE.
  await screen.type('r');
  await screen.until(new RegExp(`${receiptNo}\\s+PAN\\s+Rs 100\\.00\\s+×1`), 10_000, 'the reprint list').catch(fail);
  await screen.keys('Enter');
  await screen.until(/reprinted \(DUPLICATE\)/, 15_000, 'the reprint').catch(fail);
  await screen.keys('Escape');

  // Daily report.
  await screen.type('d');
  s = await screen.until(/Daily report \d{4}-\d\d-\d\d/, 10_000, 'the report').catch(fail);
  t.match(s, /Transactions: 1 successful, 0 failed/);
  t.match(s, /Charged Rs 100\.00, commission Rs 10\.00/);
  await screen.keys('Escape');

  // The idle lock: a console started with a 2 s lock returns to the login by itself.
  const idle = await rig.console('--idle-lock 2');
  await idle.until(/Log in/, 15_000, 'the second console');
  await idle.type('asha');
  await idle.keys('Tab');
  await idle.type(USERS.asha);
  await idle.keys('Enter');
  await idle.until(/asha \(operator\)/, 10_000, 'logged in').catch(fail);
  s = await idle.until(/Locked after 2 s without use: log in again/, 10_000, 'the idle lock').catch(fail);
  t.notMatch(s, /asha/, 'nothing of the last user is left on the screen');

  // SIGTERM (systemd stopping the unit): the console gives the terminal back and exits.
  process.kill(await idle.pid(), 'SIGTERM');
  const by = Date.now() + 5000;
  while (!(await idle.paneDead()) && Date.now() < by) await new Promise((r) => setTimeout(r, 100));
  t.ok(await idle.paneDead(), 'the console exits on SIGTERM');
  // A program killed without restoring leaves its alternate screen on the dead pane; this one is
  // gone. (tmux 3.3a does not always record the exit status of a pane whose pty closed first, so
  // the status is not asserted.)
  t.notMatch(await idle.text(), /Log in/, 'the alternate screen is left: the terminal is as it was');
});
