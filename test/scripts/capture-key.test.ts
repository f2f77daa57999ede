import { createPublicKey } from 'node:crypto';
import t from 'tap';
import { EkycConfig } from '../../agent/ekyc/config.js';
import { keyIdOf, parsePrivateKey } from '../../protocols/seal/seal.js';
import { makeCaptureKey } from '../../scripts/capture-key.js';

t.test('the key pair: a PEM for the receiver, a section the kiosks accept, matching ids', (t) => {
  const k = makeCaptureKey();
  const priv = parsePrivateKey(k.privatePem);
  t.equal(keyIdOf(createPublicKey(priv)), k.central.keyId);
  t.ok(EkycConfig.safeParse({ central: k.central }).success);
  t.end();
});
