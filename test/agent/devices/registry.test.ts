// The device registry: a change in any field reaches the listeners (and so `state`), an
// identical report does not, and `since` stays the time the state began.
import t from 'tap';
import { DeviceRegistry } from '../../../agent/devices/registry.js';

t.test('extra fields count as a change; since is kept while the state is the same', (t) => {
  const reg = new DeviceRegistry();
  const seen: string[] = [];
  reg.onChange((name, h) => seen.push(`${name}:${h.state}:${String(h['templateCount'])}`));
  reg.set('fingerprint', { state: 'ok', detail: 'ready', templateCount: 1, since: 1000 });
  reg.set('fingerprint', { state: 'ok', detail: 'ready', templateCount: 1 });
  reg.set('fingerprint', { state: 'ok', detail: 'ready', templateCount: 2 });
  t.same(seen, ['fingerprint:ok:1', 'fingerprint:ok:2'], 'an identical report is no change');
  t.equal(reg.snapshot()['fingerprint']?.since, 1000, 'same state: since unchanged');
  reg.set('fingerprint', { state: 'disconnected', detail: 'unplugged' });
  t.not(reg.snapshot()['fingerprint']?.since, 1000, 'a new state starts a new since');
  t.equal(reg.summary(), 'fingerprint:disconnected(unplugged)');
  t.end();
});
