/** Claim codes: single use (also under a race), expiry, district, and only a hash kept. */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaimStore, hashCode, newClaimCode } from '../../../fleet/enrollment/claims.js';
import { claimCommand, parseDuration } from '../../../fleet/enrollment/cli.js';
import { CLAIM_CODE_PATTERN } from '../../../protocols/telemetry/claim.js';

const dir = mkdtempSync(join(tmpdir(), 'claims-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

t.test('codes are readable and match the contract', (t) => {
  for (let i = 0; i < 50; i++) t.match(newClaimCode(), CLAIM_CODE_PATTERN);
  t.equal(hashCode('abcd-efgh-jkmn'), hashCode(' ABCD-EFGH-JKMN '), 'typed in any case');
  t.end();
});

t.test('single use, expiry, district', async (t) => {
  const store = await ClaimStore.open(join(dir, 'a.db'));
  t.teardown(() => store.close());
  const { code } = await store.create('Jaipur', HOUR, NOW);
  t.same(await store.consume(code, 'RJ-JAI-0001', 'Ajmer', NOW + 1), { ok: false, code: 'district_mismatch', message: 'claim code is for district Jaipur, not Ajmer' });
  t.same(await store.consume(code, 'RJ-JAI-0001', 'jaipur', NOW + 1), { ok: true });
  t.match(await store.consume(code, 'RJ-JAI-0002', 'Jaipur', NOW + 2), { ok: false, code: 'claim_used', message: /RJ-JAI-0001/ });
  const late = await store.create('Jaipur', HOUR, NOW);
  t.match(await store.consume(late.code, 'RJ-JAI-0003', 'Jaipur', NOW + HOUR), { ok: false, code: 'claim_expired' });
  t.match(await store.consume('ZZZZ-ZZZZ-ZZZZ', 'RJ-JAI-0003', 'Jaipur', NOW), { ok: false, code: 'claim_unknown' });
  t.notOk(readFileSync(join(dir, 'a.db')).includes(Buffer.from(code)), 'the code itself is not stored');
});

t.test('two fleet instances racing on one code: one wins', async (t) => {
  const path = join(dir, 'race.db');
  const a = await ClaimStore.open(path);
  const b = await ClaimStore.open(path);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const { code } = await a.create('Jaipur', HOUR, NOW);
  const results = await Promise.all([a.consume(code, 'RJ-JAI-0001', 'Jaipur', NOW), b.consume(code, 'RJ-JAI-0002', 'Jaipur', NOW)]);
  t.equal(results.filter((r) => r.ok).length, 1);
});

t.test('kiosk-fleet claim create', async (t) => {
  let out = '';
  const io = { stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream };
  const db = join(dir, 'cli.db');
  t.equal(await claimCommand(['create', '--district', 'Jaipur', '--count', '3', '--ttl', '2h', '--db', db, '--json'], io, NOW), 0);
  const codes = JSON.parse(out) as { code: string; district: string; expiresAt: string }[];
  t.equal(codes.length, 3);
  t.equal(codes[0]?.expiresAt, new Date(NOW + 2 * HOUR).toISOString());
  const store = await ClaimStore.open(db);
  t.match(await store.get(codes[1]!.code), { district: 'Jaipur', usedAt: null });
  await store.close();
  await t.rejects(claimCommand(['create', '--db', db], io), /--district is required/);
  await t.rejects(claimCommand(['create', '--district', 'X', '--count', '0', '--db', db], io), /--count/);
  await t.rejects(claimCommand(['delete'], io), /unknown claim command/);
  t.throws(() => parseDuration('2 weeks'), /--ttl/);
  t.equal(parseDuration('7d'), 7 * 24 * HOUR);
});
