import t from 'tap';
import { redact, sharedFilter } from '../../fleet/source.js';

t.test('shared-subscription filter and redacted URLs', (t) => {
  t.equal(sharedFilter('kiosk-fleet'), '$share/kiosk-fleet/kiosk/v1/+/+');
  t.equal(redact('mqtts://fleet:s3cret@broker.example:8883'), 'mqtts://fleet:***@broker.example:8883');
  t.equal(redact('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
  t.equal(redact('not a url'), 'not a url');
  t.end();
});
