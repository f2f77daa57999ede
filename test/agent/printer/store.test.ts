/**
 * The SQLite print-job store (migration 4) under drivers/printer's queue, and the device key:
 * a job's state survives closing and reopening the database as it survives a kill -9 (the
 * agent-level test does the real kill), seq gives the print order, and the key file is 0600.
 */
import t from 'tap';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../agent/store/db.js';
import { migrate } from '../../../agent/store/migrations.js';
import { SqlitePrintJobStore } from '../../../agent/printer/store.js';
import { loadOrCreateDeviceKey } from '../../../agent/printer/device-key.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { AgentPrinterConfig } from '../../../agent/printer/config.js';
import { signReceiptQr, verifyReceiptQr, prepareReceipt } from '../../../protocols/escpos/index.js';

t.test('jobs round-trip, keep their order and survive a reopen', async (t) => {
  const path = join(t.testdir({}), 'a.db');
  let store = await Store.open(path, { logger: silentLogger });
  await migrate(store);
  const jobs = new SqlitePrintJobStore(store);
  const base = { key: 'R-1', doc: { receiptNo: 'R-1', hi: 'पावती' }, duplicate: false, state: 'queued' as const, attempts: 0, createdAt: 1, updatedAt: 1 };
  const s1 = await jobs.insert({ ...base, id: 'a' });
  const s2 = await jobs.insert({ ...base, id: 'b', key: 'R-2', duplicate: true, reprintOf: 'a' });
  t.ok(s2 > s1, 'seq increases');
  await t.rejects(jobs.insert({ ...base, id: 'a' }), 'a duplicate id is refused');
  await jobs.update('a', { state: 'sending', attempts: 1, updatedAt: 2 });
  await t.rejects(jobs.update('zz', { state: 'printed' }), 'an unknown job is an error');
  await store.close();

  store = await Store.open(path, { logger: silentLogger });
  t.teardown(() => store.close());
  const again = new SqlitePrintJobStore(store);
  t.match(await again.get('a'), { id: 'a', state: 'sending', attempts: 1, doc: { hi: 'पावती' }, duplicate: false, seq: s1 });
  t.match(await again.get('b'), { reprintOf: 'a', duplicate: true });
  t.same((await again.list(['queued', 'sending'])).map((j) => j.id), ['a', 'b'], 'by seq');
  t.same(await again.list([]), []);
  t.same((await again.recent(1)).map((j) => j.id), ['b'], 'newest first');
  t.equal(await again.get('nope'), undefined);
});

t.test('the device key: created 0600 with its public key beside it, reused, tightened', (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'k', 'device-key.pem');
  const k1 = loadOrCreateDeviceKey(path);
  t.equal(k1.created, true);
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.equal(readFileSync(`${path}.pub`, 'utf8'), k1.publicKeyPem);
  const k2 = loadOrCreateDeviceKey(path);
  t.equal(k2.created, false, 'reused on the next start');
  t.equal(k2.publicKeyPem, k1.publicKeyPem);
  chmodSync(path, 0o644);
  t.equal(loadOrCreateDeviceKey(path).tightened, true, 'a key readable by others is tightened');
  t.equal(statSync(path).mode & 0o777, 0o600);
  const receipt = prepareReceipt(
    { kind: 'service', kioskId: 'K1', kioskName: 'K', operator: 'op', serviceCode: 'S', chargedPaise: 100, txnId: 'T1', receiptNo: 'R1', issuedAt: 0 },
    { S: { officialPaise: 100, nameEn: 'S', nameHi: 'स' } },
  );
  t.equal(verifyReceiptQr(signReceiptQr(receipt, k2.privateKey), k1.publicKeyPem).valid, true, 'signs what the public key verifies');
  const other = join(dir, 'k2', 'device-key.pem');
  loadOrCreateDeviceKey(other);
  rmSync(`${other}.pub`);
  mkdirSync(`${other}.pub`);
  const k3 = loadOrCreateDeviceKey(other);
  t.match(k3.warnings, [/public key not written/], 'a public copy that cannot be written is a warning, not a failed start');
  writeFileSync(path, 'not a key', { mode: 0o600 });
  t.throws(() => loadOrCreateDeviceKey(path), 'a damaged key file stops the start rather than being replaced');
  t.end();
});

t.test('devices.printer: driver fields with defaults, and the key path', (t) => {
  const c = AgentPrinterConfig.parse({ transport: { type: 'tcp', host: '127.0.0.1' } });
  t.match(c, { enabled: true, paper: 58, deviceKey: '/var/lib/kiosk-agent/device-key.pem', transport: { port: 9100 } });
  const bad = AgentPrinterConfig.safeParse({ transport: { type: 'lp' }, paper: 76 });
  t.equal(bad.success, false);
  if (!bad.success) t.ok(bad.error.issues.some((i) => i.path.join('.') === 'paper'), 'the error names the field');
  t.end();
});
