/**
 * The fleet's answer to a claim request: a bad CSR is refused without spending the claim; a good
 * one gets a client certificate for exactly the kiosk id, issued by the kiosk CA.
 */
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../fleet/log.js';
import { createCa } from '../../../fleet/enrollment/ca.js';
import { ClaimStore } from '../../../fleet/enrollment/claims.js';
import { ClaimService } from '../../../fleet/enrollment/service.js';
import { createCsr, newTlsKey } from '../../../provisioning/pki.js';

const NOW = Date.now();

t.test('claim requests', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csvc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa('Test kiosk CA');
  const claims = await ClaimStore.open(join(dir, 'f.db'));
  t.teardown(() => claims.close());
  const svc = new ClaimService({ url: 'mqtt://unused', ca, claims, clock: { now: () => NOW, setInterval: () => 0, clearInterval: () => undefined }, log: silentLogger });
  const key = newTlsKey();
  const { code } = await claims.create('Jaipur', 3_600_000, NOW - 1000);
  const req = (over: Record<string, unknown>) => Buffer.from(JSON.stringify({ v: 1, claimCode: code, kioskId: 'RJ-JAI-0007', district: 'Jaipur', lsp: 'LSP', inventory: [], ...over }));

  t.match(await svc.decide('claim-0123456789abcdef', Buffer.from('{')), { ok: false, code: 'bad_request' });
  t.match(await svc.decide('claim-0123456789abcdef', req({ csr: 'x' })), { ok: false, code: 'bad_request', message: /csr/ });
  const otherCsr = await createCsr(key, 'RJ-JAI-9999');
  t.match(await svc.decide('claim-0123456789abcdef', req({ csr: otherCsr })), { ok: false, code: 'csr_invalid', message: /RJ-JAI-9999/ });
  t.match(await claims.get(code), { usedAt: null }, 'a refused CSR does not spend the claim');

  const csr = await createCsr(key, 'RJ-JAI-0007');
  const ok = await svc.decide('claim-0123456789abcdef', req({ csr }));
  if (!ok.ok) throw new Error(ok.message);
  const cert = new X509Certificate(ok.certificate);
  t.match(cert.subject, /CN=RJ-JAI-0007/);
  t.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'signed by the kiosk CA');
  t.ok(cert.checkIssued(new X509Certificate(ok.issuer)));
  t.match(cert.keyUsage ?? [], ['1.3.6.1.5.5.7.3.2'], 'client authentication only');
  t.same(await claims.enrollments('RJ-JAI-0007'), [{ serial: (await claims.enrollments('RJ-JAI-0007'))[0]!.serial, fingerprint: ok.fingerprint, enrolledAt: NOW }]);
  const retried = await svc.decide('claim-fedcba9876543210', req({ csr }));
  t.same(retried, ok, 'the kiosk that spent the claim, with the same key, gets the same certificate again');
  const otherKey = await createCsr(newTlsKey(), 'RJ-JAI-0007');
  t.match(await svc.decide('claim-fedcba9876543210', req({ csr: otherKey })), { ok: false, code: 'claim_used' }, 'another key: refused');
  t.match(await svc.decide('claim-fedcba9876543210', req({ csr: await createCsr(key, 'RJ-JAI-0008'), kioskId: 'RJ-JAI-0008' })), { ok: false, code: 'claim_used' }, 'another kiosk: refused');
});
