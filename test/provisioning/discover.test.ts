/**
 * Discovery against simulated devices: an R30x module and a Megatec UPS each on a socat pty pair,
 * an RD service on a loopback port, a real upsd with dummy-ups; and a silent port, which must cost
 * no more than its deadline and be left closed.
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { openPtyPair, R30xPtySimulator } from '../../drivers/fingerprint/r30x-pty.js';
import { FAST_TIMING, R30xSimulator } from '../../drivers/fingerprint/r30x-simulator.js';
import { RdServiceSimulator } from '../../drivers/fingerprint/rd-service-simulator.js';
import { MegatecSimulator } from '../../drivers/ups/megatec-sim.js';
import { discover, probeNut, probeRd, probeSerial, renderInventory } from '../../provisioning/discover.js';
import { freePort } from '../helpers/ports.js';
import { UpsdHarness, upsdInstalled } from '../fixtures/ups/upsd.js';

const dir = mkdtempSync(join(tmpdir(), 'kdisc-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('an R30x module on a pty answers the handshake', async (t) => {
  const fp = new R30xPtySimulator(new R30xSimulator({ timing: FAST_TIMING }), dir, 'fp');
  await fp.plug();
  t.teardown(() => fp.unplug());
  const found = await probeSerial(fp.hostPath, { probeTimeoutMs: 400 });
  t.match(found, { kind: 'fingerprint', via: 'serial', id: fp.hostPath, model: 'R30x', baudRate: 57600 });
});

t.test('a Megatec UPS on a pty answers Q1 at 2400 baud', async (t) => {
  const pair = await openPtyPair(dir, 'ups');
  t.teardown(() => pair.close());
  const sim = new MegatecSimulator();
  const device = new SerialPort({ path: pair.devicePath, baudRate: 2400 });
  t.teardown(() => new Promise<void>((r) => (device.isOpen ? device.close(() => r()) : r())));
  let line = '';
  device.on('data', (d: Buffer) => {
    line += d.toString('latin1');
    let cr: number;
    while ((cr = line.indexOf('\r')) >= 0) {
      const cmd = line.slice(0, cr);
      line = line.slice(cr + 1);
      const reply = sim.respond(cmd);
      if (reply) device.write(Buffer.from(reply, 'latin1'));
    }
  });
  const found = await probeSerial(pair.hostPath, { probeTimeoutMs: 300 });
  t.match(found, { kind: 'ups', via: 'serial', model: 'Megatec Q1' });
  t.ok(sim.received.some((c) => c === 'Q1'), 'the Q1 status query reached the UPS');
});

t.test('a silent port: bounded, and closed afterwards', async (t) => {
  const pair = await openPtyPair(dir, 'silent');
  t.teardown(() => pair.close());
  const t0 = Date.now();
  t.equal(await probeSerial(pair.hostPath, { probeTimeoutMs: 150, r30xBauds: [57600, 9600] }), undefined);
  t.ok(Date.now() - t0 < 2000, 'every probe has its deadline');
  // Closed again: it can be opened exclusively right away.
  const again = new SerialPort({ path: pair.hostPath, baudRate: 9600, lock: true, autoOpen: false });
  await new Promise<void>((resolve, reject) => again.open((e) => (e ? reject(e) : resolve())));
  await new Promise<void>((r) => again.close(() => r()));
});

t.test('the RD service is found on its port, closed ports cost their deadline only', async (t) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rd = new RdServiceSimulator({ uidaiPublicKey: publicKey, info: 'Mantra_RD_Service' });
  const port = await rd.listen(0);
  t.teardown(() => rd.close());
  t.match(await probeRd('127.0.0.1', port, 1000), { kind: 'fingerprint', via: 'rd-service', id: `http://127.0.0.1:${port}`, detail: /READY/ });
  const closed = await freePort();
  t.equal(await probeRd('127.0.0.1', closed, 300), undefined);
  const all = await discover({ usb: false, serial: false, rdPorts: [closed, port], nutPort: closed, probeTimeoutMs: 300 });
  t.equal(all.inventory.length, 1);
  t.match(renderInventory(all.inventory), /fingerprint\s+rd-service/);
});

t.test('NUT upsd with dummy-ups', { skip: upsdInstalled() ? false : 'nut-server not installed' }, async (t) => {
  const h = new UpsdHarness();
  await h.setup();
  h.startDriver();
  h.startUpsd();
  t.teardown(() => h.teardown());
  let found: Awaited<ReturnType<typeof probeNut>> = [];
  for (let i = 0; i < 50 && !found.length; i++) {
    found = await probeNut('127.0.0.1', h.port, 500);
    if (!found.length) await new Promise((r) => setTimeout(r, 100));
  }
  t.match(found, [{ kind: 'ups', via: 'nut', id: `dummy@127.0.0.1:${h.port}`, model: 'Simulated kiosk UPS' }]);
});
