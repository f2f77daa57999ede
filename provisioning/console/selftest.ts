/**
 * The console's self-test, through the local API only. `kioskctl selftest` (provisioning/
 * selftest.ts) is the technician's: it opens the printer itself and connects to the broker with
 * the kiosk's TLS key, neither of which the operator's console may do while the agent holds the
 * devices (and the key is the service account's). Here the agent reports on itself instead:
 * running, link to central, each device, clock, outbox.
 */
import type { CheckRow } from './model.js';

import { num, obj, str } from './read.js';

export function selftestChecks(status: Record<string, unknown>): CheckRow[] {
  const rows: CheckRow[] = [{ name: 'agent', verdict: 'pass', detail: `running, version ${str(status['version'], '?')}` }];
  const link = str(obj(status['link'])['state'], 'unknown');
  rows.push({ name: 'link', verdict: link === 'up' ? 'pass' : 'fail', detail: link });
  for (const [name, h] of Object.entries(obj(status['devices']))) {
    const o = obj(h);
    const state = str(o['state'], 'unknown');
    const verdict = state === 'ok' || state === 'degraded' ? 'pass' : state === 'disabled' ? 'skip' : 'fail';
    rows.push({ name, verdict, detail: `${state}${typeof o['detail'] === 'string' ? `: ${o['detail']}` : ''}` });
  }
  const clock = obj(status['clock']);
  rows.push({ name: 'clock', verdict: clock['synced'] === true ? 'pass' : 'fail', detail: `${clock['synced'] === true ? 'synced' : 'not synced'} (${str(clock['source'], '?')})` });
  const q = obj(status['queue']);
  const depth = num(q['depth']);
  // The same bound as kioskctl selftest's outbox check (1000 messages waiting).
  rows.push({ name: 'outbox', verdict: depth <= 1000 && q['overLimit'] !== true ? 'pass' : 'fail', detail: `${depth} messages waiting` });
  return rows;
}
