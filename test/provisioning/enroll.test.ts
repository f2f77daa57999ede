/**
 * The kiosk side of enrollment over a flaky link: central not reachable at first, then up — the
 * kiosk keeps trying within its time allowance; a refusal is final and names its reason; a
 * certificate for another key is never accepted.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../../fleet/broker.js';
import { silentLogger } from '../../fleet/log.js';
import { createCa } from '../../fleet/enrollment/ca.js';
import { ClaimStore } from '../../fleet/enrollment/claims.js';
import { ClaimService } from '../../fleet/enrollment/service.js';
import { enroll, EnrollError, type EnrollOptions } from '../../provisioning/enroll.js';
import { certFacts, createCsr, newTlsKey } from '../../provisioning/pki.js';
import { freePort } from '../helpers/ports.js';

t.test('enrollment waits for central, then succeeds; refusals are final', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kenr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa('CA');
  const kit = join(dir, 'kit.pem');
  writeFileSync(kit, ca.certPem); // plain mqtt:// here: the files are read, TLS is not used
  const claims = await ClaimStore.open(join(dir, 'fleet.db'));
  t.teardown(() => claims.close());
  const { code } = await claims.create('Jaipur', 3_600_000, Date.now());
  const key = newTlsKey();
  const port = await freePort();
  const opts: EnrollOptions = {
    url: `mqtt://127.0.0.1:${port}`,
    caFile: kit,
    claimCert: kit,
    claimKey: kit,
    claimCode: code,
    kioskId: 'RJ-JAI-0301',
    district: 'Jaipur',
    lsp: 'LSP',
    csr: await createCsr(key, 'RJ-JAI-0301'),
    tlsKeyPem: key,
    inventory: [{ kind: 'printer', via: 'usb', id: '0416:5011' }],
    timeoutMs: 15_000,
  };
  const pending = enroll(opts, 200);
  // Central comes up a little later.
  await new Promise((r) => setTimeout(r, 600));
  const broker = await startEmbeddedBroker({ port });
  t.teardown(() => broker.close());
  const svc = new ClaimService({ url: broker.url, ca, claims, clock: { now: Date.now, setInterval: () => 0, clearInterval: () => undefined }, log: silentLogger });
  await svc.start();
  t.teardown(() => svc.stop());
  const got = await pending;
  const facts = certFacts(got.certificate, key);
  t.equal(facts.commonName, 'RJ-JAI-0301');
  t.ok(facts.keyMatches);
  t.equal(got.fingerprint, facts.fingerprint);

  // The same kiosk and key again (its answer lost): the same certificate.
  t.equal((await enroll(opts)).fingerprint, got.fingerprint);
  // Another kiosk with the spent code: refused, and the reason is named.
  const other = newTlsKey();
  const e = await enroll({ ...opts, kioskId: 'RJ-JAI-0302', csr: await createCsr(other, 'RJ-JAI-0302'), tlsKeyPem: other }).catch((err: unknown) => err);
  t.type(e, EnrollError);
  t.equal((e as EnrollError).code, 'claim_used');
  const missing = await enroll({ ...opts, claimKey: join(dir, 'nope.pem') }).catch((err: unknown) => err);
  t.equal((missing as EnrollError).code, 'claim_kit');
});

t.test('no central at all: gives up at its deadline', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kenr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'f.pem');
  writeFileSync(f, 'x');
  const t0 = Date.now();
  const key = newTlsKey();
  const e = await enroll(
    { url: `mqtt://127.0.0.1:${await freePort()}`, caFile: f, claimCert: f, claimKey: f, claimCode: 'AAAA-BBBB-CCCC', kioskId: 'RJ-JAI-0303', district: 'J', lsp: 'L', csr: await createCsr(key, 'RJ-JAI-0303'), tlsKeyPem: key, inventory: [], timeoutMs: 1500 },
    200,
  ).catch((err: unknown) => err);
  t.equal((e as EnrollError).code, 'connect');
  t.ok(Date.now() - t0 < 4000);
});
