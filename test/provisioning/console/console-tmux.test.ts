/**
 * Acceptance of issue 11, driven in tmux: `kioskctl console --config <agent config>` on an 80×25
 * terminal against a real `kiosk-agent` process with simulated devices — the RD service
 * simulator (e-KYC captures), a serial ESC/POS printer simulator on a socat pty pair, the
 * simulated UPS, an aedes broker and central's capture receiver, so captures are accepted.
 *
 * Shown on the screen: a wrong PIN refused with the attempts left and the lock after repeated
 * wrong PINs; the login; the wallet warning and the inactivity countdown (the count seeded at 26
 * days); an e-KYC capture through to its printed receipt (the printer simulator got it); paper
 * out; the Hindi screen.
 */
import t from 'tap';
import { hasSocat } from '../../../drivers/printer/sim-pty.js';
import { displayWidth } from '../../../provisioning/console/width.js';
import { startConsoleRig } from './rig.js';
import { TMUX } from './tmux.js';

const KIOSK = 'MP-IND-0011';

t.test('the operator console in tmux against a real agent', { skip: !TMUX ? 'tmux is not installed (make system-deps)' : !hasSocat() ? 'socat is not installed' : false }, async (t) => {
  const rig = await startConsoleRig(t, { kioskId: KIOSK, inactiveDays: 26 });
  const printer = { sim: rig.printer };
  const screen = await rig.console();
  const fail = (err: unknown): never => {
    throw new Error(`${(err as Error).message}\nagent: ${rig.output()}`, { cause: err });
  };

  await screen.until(/Log in/, 15_000, 'the login screen').catch(fail);

  // A wrong PIN is refused with the attempts left; repeated wrong PINs lock the login.
  await screen.type('mohan');
  await screen.keys('Enter');
  await screen.type('1111');
  await screen.keys('Enter');
  let s = await screen.until(/Wrong user or PIN: 2 attempts left/, 10_000, 'wrong PIN refused');
  t.match(s, /Wrong user or PIN: 2 attempts left before the login is locked/, 'the wrong PIN shows the attempts left');
  for (const pin of ['2222', '3333']) {
    await screen.type(pin);
    await screen.keys('Enter');
    await screen.until((x) => !x.includes(' … ') && x !== s, 10_000, 'the answer');
    s = await screen.text();
  }
  s = await screen.until(/login locked/, 10_000, 'the lock');
  t.match(s, /Too many wrong PINs: login locked: try again in \d+ s/, 'repeated wrong PINs lock the login, with the retry time');
  await screen.type('7310');
  await screen.keys('Enter');
  await screen.until(/login locked: try again in/, 10_000, 'still locked');
  t.pass('the right PIN is refused while the login is locked');

  // Log in as the operator: the home screen with the devices, the wallet and the inactivity count.
  await screen.keys('Escape');
  await screen.type('asha');
  await screen.keys('Tab');
  await screen.type('4821');
  await screen.keys('Enter');
  s = await screen.until((x) => /asha \(operator\)/.test(x) && /26 days since the last transaction/.test(x) && /Wallet\s+Rs 0\.00/.test(x) && /paper ok/.test(x), 15_000, 'the home screen').catch(fail);
  t.match(s, /26 days since the last transaction; day 30 in 4 days/, 'the inactivity countdown');
  t.match(s, /WARNING|fine/i, 'the inactivity warning from day 25');
  t.match(s, /Wallet\s+Rs 0\.00 +\(minimum Rs 20,000\.00\)/, 'the wallet against its minimum');
  const rows = s.split('\n');
  t.ok(rows[9]?.trim().length, `the wallet warning under it: ${rows[9]?.trim()}`);
  t.match(s, /UPS\s+mains · \d{1,3} %/, 'the UPS on mains, with its charge');
  t.match(s, /Capture queue\s+0 queued, 0 sent/, 'the kiosk-wide capture queue');
  t.match(s, /Reader\s+RD ok/, 'the RD service ready');
  t.match(s, new RegExp(KIOSK), 'the kiosk in the title');

  // A new e-KYC capture: Samagra ID (format checked), consent, capture, accepted, receipt printed.
  const pagesBefore = printer.sim.pages.length;
  await screen.type('k');
  await screen.until(/Samagra member ID/, 5000, 'the capture form');
  await screen.type('61234');
  await screen.keys('Enter');
  await screen.until(/A Samagra member ID is 9 digits/, 5000, 'the format check');
  await screen.type('5789');
  await screen.keys('Enter');
  await screen.until(/consents/, 5000, 'the consent question');
  await screen.type('y');
  s = await screen.until(/ACCEPTED/, 30_000, 'the capture accepted').catch(fail);
  s = await screen.until(/Receipt sent to the printer/, 20_000, 'the receipt queued').catch(fail);
  const captureId = /Capture: (\S+)/.exec(s)?.[1];
  t.ok(captureId, `capture ${captureId}`);
  // The agent's receiptPrinted says the receipt is in its durable print queue; the page follows.
  const deadline = Date.now() + 15_000;
  while (printer.sim.pages.length === pagesBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.ok(printer.sim.pages.length > pagesBefore, 'the printer simulator got the receipt', {
    diagnostic: true,
    simulator: { pages: printer.sim.pages.length, opsOfUnfinishedPage: printer.sim.current.length, held: printer.sim.heldCount, state: printer.sim.state },
  });
  const page = printer.sim.pages.at(-1)!;
  t.ok(page.ops.some((o) => o.kind === 'qr'), 'the receipt carries its signed QR');
  t.ok(page.cut, 'and was cut');

  // The printer runs out of paper: the home screen says so.
  await screen.keys('Escape');
  s = await screen.until((x) => /This session\s+1 ACCEPTED/.test(x) && /Today\s+1 accepted, 0 rejected/.test(x), 10_000, 'the capture on the home screen, and in the kiosk-wide counts of today').catch(fail);
  printer.sim.set({ paperEnd: true });
  s = await screen.until(/PAPER OUT/, 15_000, 'paper out on the console').catch(fail);
  t.match(s, /Printer\s+.*PAPER OUT/, 'paper out shows on the printer row');

  // Hindi: every label switches.
  await screen.keys('F2');
  s = await screen.until(/वॉलेट/, 5000, 'the Hindi screen');
  for (const label of ['रीडर', 'प्रिंटर', 'यूपीएस', 'वॉलेट', 'निष्क्रियता', 'कागज़ खत्म', 'नया ई-केवाईसी कैप्चर', 'अंतिम लेनदेन को', 'दैनिक रिपोर्ट']) t.ok(s.includes(label), `Hindi: ${label}`);
  // Values line up in their column: the terminal counted the Devanagari labels as the console did.
  const walletRow = s.split('\n').find((r) => r.includes('वॉलेट'))!;
  t.equal(displayWidth(walletRow.slice(0, walletRow.indexOf('रु'))), 21, 'the wallet value starts in column 21 after a Devanagari label');
  const title = s.split('\n')[0]!;
  t.ok(/\d\d:\d\d$/.test(title.trimEnd()) && displayWidth(title.trimEnd()) === 79, `the title bar keeps its width in Hindi: ${title}`);
  await screen.keys('F2');
  await screen.until(/Wallet/, 5000, 'back to English');
  printer.sim.set({ paperEnd: false });
  await screen.until(/paper ok/, 15_000, 'paper back');

  // Log out: back at the login screen; Ctrl-C ends the console and gives the terminal back.
  await screen.keys('F10');
  await screen.until(/Logged out/, 5000, 'logged out');
  await screen.keys('C-c');
  const exitBy = Date.now() + 5000;
  while (!(await screen.paneDead()) && Date.now() < exitBy) await new Promise((r) => setTimeout(r, 100));
  t.ok(await screen.paneDead(), 'the console exits on Ctrl-C');
  t.notOk((await screen.text()).includes('Wallet'), 'the alternate screen is gone: the terminal is back as it was');

  rig.agent.proc.kill('SIGTERM');
  t.equal(await rig.agent.exited, 0);
});
