import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../../drivers/common/logger.js';
import { ekycStatus, istDayStart, StatusResponse } from '../../../agent/api/status.js';
import { Store } from '../../../agent/store/db.js';

// 2026-11-24 12:00 UTC = 17:30 IST; midnight IST of that day is 2026-11-23 18:30 UTC.
const NOW = Date.UTC(2026, 10, 24, 12, 0);
const MIDNIGHT_IST = Date.UTC(2026, 10, 23, 18, 30);

t.test('the IST day starts at 18:30 UTC the evening before', (t) => {
  t.equal(istDayStart(NOW), MIDNIGHT_IST);
  t.equal(istDayStart(MIDNIGHT_IST), MIDNIGHT_IST);
  t.equal(istDayStart(MIDNIGHT_IST - 1), MIDNIGHT_IST - 86_400_000);
  t.end();
});

t.test('the ekyc section counts captures by state, and the decisions of today', async (t) => {
  const store = await Store.open(join(t.testdir({}), 's.db'), { logger: silentLogger });
  t.teardown(() => store.close());
  const empty = await ekycStatus(store, NOW);
  t.same(empty, { queued: 0, sent: 0, accepted: 0, rejected: 0, duplicate: 0, expired: 0, today: { since: MIDNIGHT_IST, accepted: 0, rejected: 0, duplicate: 0, expired: 0 } });

  let n = 0;
  const add = (state: string, updatedTs: number) =>
    store.run(
      `INSERT INTO captures (id, request_id, service, modality, state, created_ts, created_synced, ttl_sec, age_boot, age_mono, operator, auth_ref, updated_ts)
       VALUES (?, ?, 'samagra-ekyc', 'fingerprint', ?, ?, 1, 86400, 'b', 0, 'op1', 'REF-SECRET', ?)`,
      [`c${++n}`, `r${n}`, state, updatedTs - 1000, updatedTs],
    );
  for (let i = 0; i < 3; i++) await add('queued', NOW - 60_000);
  await add('sent', NOW - 60_000);
  await add('accepted', NOW - 60_000);
  await add('accepted', MIDNIGHT_IST); // just today
  await add('accepted', MIDNIGHT_IST - 1); // yesterday
  await add('rejected', MIDNIGHT_IST - 3_600_000);
  await add('duplicate', NOW);
  await add('expired', NOW - 1);

  const s = await ekycStatus(store, NOW);
  t.same(s, { queued: 3, sent: 1, accepted: 3, rejected: 1, duplicate: 1, expired: 1, today: { since: MIDNIGHT_IST, accepted: 2, rejected: 0, duplicate: 1, expired: 1 } });
  // Counts only: nothing of a capture, its operator or its reference reaches the status.
  const text = JSON.stringify(s);
  t.notMatch(text, /c1|r1|op1|REF-SECRET|samagra/);
  // And it fits the documented response.
  const body = { kiosk: { id: 'K', district: 'd', lsp: 'l' }, version: '1', uptimeSec: 1, link: { state: 'up', session: 1 }, queue: { depth: 0, bytes: 0, overLimit: false }, clock: { synced: true, source: 'ntp' }, devices: {}, ekyc: s };
  t.ok(StatusResponse.safeParse(body).success);
  t.notOk(StatusResponse.safeParse({ ...body, ekyc: { ...s, queued: -1 } }).success);
});
