// The status reply folded into the home screen's snapshot: the kiosk-wide capture counts and the
// UPS charge, read defensively (a field the agent does not send is unknown, never a crash).
import t from 'tap';
import { foldSnapshot, upsView } from '../../../provisioning/console/snapshot.js';

const base = { kiosk: { id: 'K' }, link: { state: 'up' }, queue: { depth: 0 }, devices: {} };

t.test('the ekyc section becomes the capture counts; odd fields count as 0; a later reply without it drops it', (t) => {
  const a = foldSnapshot({}, 'status', { ...base, ekyc: { queued: 2, sent: 'x', today: { accepted: 5, rejected: -0, expired: Number.POSITIVE_INFINITY } } }, 1);
  t.same(a.ekyc, { queued: 2, sent: 0, today: { accepted: 5, rejected: 0, duplicate: 0, expired: 0 } });
  const b = foldSnapshot(a, 'status', base, 2);
  t.equal(b.ekyc, undefined, 'an agent that stops sending the section: no stale counts');
  t.equal(foldSnapshot({}, 'status', { ...base, ekyc: 'nonsense' }, 3).ekyc, undefined);
  t.end();
});

t.test('the UPS charge: chargePct on mains, charging only when said; the detail of an older agent on battery', (t) => {
  t.same(upsView({ state: 'ok', line: 'mains', chargePct: 100 }), { line: 'mains', chargePct: 100 });
  t.same(upsView({ state: 'ok', line: 'mains', chargePct: 64, charging: true }), { line: 'mains', chargePct: 64, charging: true });
  t.same(upsView({ state: 'ok', line: 'mains', charging: 'yes' }), { line: 'mains' });
  t.same(upsView({ state: 'degraded', detail: 'on battery 62%', line: 'battery' }), { line: 'battery', chargePct: 62 });
  t.end();
});
