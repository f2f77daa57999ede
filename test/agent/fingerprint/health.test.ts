// Reader health as reported: driver states onto DeviceHealth and the three reader events, one
// event per transition, none for retries or for a reader never seen.
import t from 'tap';
import { R30xHealthTracker, RdHealthTracker } from '../../../agent/fingerprint/health.js';
import type { R30xHealth } from '../../../drivers/fingerprint/r30x/driver.js';

const params = { systemId: 0, capacity: 200, securityLevel: 3, address: 0xffffffff, packetSizeCode: 2, packetSize: 128, baudN: 6, baudRate: 57600 };
const h = (state: R30xHealth['state'], extra: Partial<R30xHealth> = {}): R30xHealth => ({ state, path: '/dev/ttyUSB0', reconnects: 0, ...extra });

t.test('R30x: a refused password is a fault and reader.not_ready, once; recovery is reader.connected', (t) => {
  const tr = new R30xHealthTracker();
  t.same(tr.update(h('connecting')), {}, 'nothing to report before the first outcome');
  const wrong = { code: 'FP_WRONG_PASSWORD', message: 'The fingerprint reader refused the configured password', at: 1 };
  const f = tr.update(h('failed', { lastError: wrong }));
  t.match(f, { health: { state: 'fault', detail: wrong.message, lastError: { code: 'FP_WRONG_PASSWORD' } }, event: { type: 'reader.not_ready', data: { reader: 'r30x', status: 'failed' } } });
  t.notOk('at' in (f.health!['lastError'] as object), 'no timestamp: a repeat is no change');
  t.same(tr.update(h('connecting', { reconnects: 1, lastError: { ...wrong, at: 2 } })).event, undefined);
  t.same(tr.update(h('failed', { reconnects: 1, lastError: { ...wrong, at: 2 } })).event, undefined, 'a retry failing the same way: no event');
  const ok = tr.update(h('ready', { params, templateCount: 4, reconnects: 1 }));
  t.match(ok, { health: { state: 'ok', detail: '4/200 templates', templateCount: 4, params }, event: { type: 'reader.connected' } });
  t.notOk('lastError' in ok.health!, 'an old error is not shown on a working reader');
  t.end();
});

t.test('R30x: a template count change updates state without an event', (t) => {
  const tr = new R30xHealthTracker();
  tr.update(h('ready', { params, templateCount: 1 }));
  const r = tr.update(h('ready', { params, templateCount: 2 }));
  t.match(r.health, { state: 'ok', templateCount: 2, detail: '2/200 templates' });
  t.equal(r.event, undefined);
  t.end();
});

t.test('RD: READY, certificate close to expiry is degraded; NOTREADY; gone; back', (t) => {
  const tr = new RdHealthTracker();
  const now = Date.UTC(2026, 10, 24);
  const day = 86_400_000;
  t.match(tr.update({ state: 'ABSENT', reason: 'no RD service found' }, {}, now), { health: { state: 'absent', status: 'ABSENT' } });
  t.equal(tr.update({ state: 'ABSENT' }, {}, now).event, undefined, 'absent from the start: no event');
  const device = { dpId: 'MANTRA.MSIPL', rdsId: 'MANTRA.WIN.001', rdsVer: '1.0.8', dc: 'x', mi: 'MFS100', mc: '', additional: {} };
  const ready = tr.update({ state: 'READY' }, { port: 11100, scheme: 'http', info: 'Mantra RD', device, certExpiresAt: new Date(now + 30 * day) }, now);
  t.match(ready, { health: { state: 'ok', detail: 'Mantra RD', model: 'MFS100', certExpiresAt: now + 30 * day, port: 11100 }, event: { type: 'reader.connected', data: { reader: 'rd', detail: 'Mantra RD' } } });
  t.notOk('dc' in ready.health, 'the device code is not reported');
  const soon = tr.update({ state: 'READY' }, { device, certExpiresAt: new Date(now + 3 * day) }, now);
  t.match(soon, { health: { state: 'degraded', detail: 'device certificate expires 2026-11-27' } });
  t.equal(soon.event, undefined);
  t.match(tr.update({ state: 'READY' }, { device, certExpiresAt: new Date(now - day) }, now).health, { detail: /expired 2026-11-23/ });
  t.match(tr.update({ state: 'NOTREADY', reason: 'service reports NOTREADY' }, {}, now), { health: { state: 'fault' }, event: { type: 'reader.not_ready', data: { status: 'NOTREADY', detail: 'service reports NOTREADY' } } });
  t.match(tr.update({ state: 'ABSENT' }, {}, now), { health: { state: 'disconnected' }, event: { type: 'reader.disconnected', data: { reader: 'rd' } } });
  t.match(tr.update({ state: 'USED' }, {}, now), { health: { state: 'degraded' }, event: { type: 'reader.connected' } });
  t.end();
});
