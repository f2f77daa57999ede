// The ekyc configuration section: defaults, and central's key id pinned beside the key.
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { EkycConfig } from '../../../agent/ekyc/config.js';
import { AgentConfig } from '../../../agent/config/schema.js';
import { keyIdOf } from '../../../protocols/seal/seal.js';
import { ekycSection } from './fixtures.js';

t.test('defaults: 6 h time to live, OTP 5 min, bounded, operator role, service EKYC', (t) => {
  const c = EkycConfig.parse({ central: (ekycSection() as { central: unknown }).central });
  t.match(c, { ttlSec: 21600, otpTtlSec: 300, maxQueued: 2000, sweepSec: 30, resendSec: 120, services: ['EKYC'], apiRole: 'operator', rd: { captureTimeoutMs: 20000 } });
  t.end();
});

t.test('a key id that does not match the key is refused with its path; so is a key that is not X25519', (t) => {
  const other = generateKeyPairSync('x25519');
  const central = { ...(ekycSection() as { central: { publicKey: string; keyId: string } }).central, keyId: keyIdOf(other.publicKey) };
  const r = EkycConfig.safeParse({ central });
  t.notOk(r.success);
  t.match(r.error?.issues[0], { path: ['central', 'keyId'], message: /does not match the public key/ });
  const bad = EkycConfig.safeParse({ central: { publicKey: 'A'.repeat(60), keyId: 'x' } });
  t.match(bad.error?.issues[0], { path: ['central', 'publicKey'] });
  t.end();
});

t.test('the section is optional in the agent configuration', (t) => {
  const base = { schemaVersion: 2, kiosk: { id: 'MP-BPL-0001', district: 'Bhopal', lsp: 'MPOnline' }, mqtt: { url: 'mqtt://127.0.0.1:1883' } };
  t.equal(AgentConfig.parse(base).ekyc, undefined);
  t.equal(AgentConfig.parse({ ...base, ekyc: ekycSection() }).ekyc?.ttlSec, 21600);
  t.end();
});
