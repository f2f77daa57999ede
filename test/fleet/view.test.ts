import t from 'tap';
import { readFleetRows, renderFleetTable as renderFromIndex } from '../../fleet/index.js';
import { Ingestor } from '../../fleet/ingest.js';
import { silentLogger } from '../../fleet/log.js';
import { SqliteFleetRepository } from '../../fleet/store/sqlite-repository.js';
import { formatAge, renderFleetTable, type FleetRow } from '../../fleet/view.js';
import { birth, bytes, FakeClock, heartbeat, tempDir } from './fixtures/helpers.js';

const NOW = 1_764_000_000_000;
const row = (over: Partial<FleetRow>): FleetRow => ({
  kiosk: 'RJ-JAI-0001',
  district: 'Jaipur',
  lsp: 'LSP 7',
  agentVersion: '0.1.0',
  liveness: 'online',
  reason: 'birth',
  since: NOW - 5000,
  session: 4,
  lastSeenAt: NOW - 4000,
  heartbeatSeq: 17,
  heartbeatSec: 60,
  outboxDepth: 0,
  devices: 'fp:ok prn:paper-low ups:mains',
  invalidCount: 0,
  lastInvalidError: null,
  ...over,
});

t.test('renders one line per kiosk with why it is online or offline, and a totals line', (t) => {
  const out = renderFleetTable(
    [
      row({}),
      row({ kiosk: 'RJ-JAI-0002', liveness: 'offline', reason: 'will', session: 9, lastSeenAt: NOW - 125_000, outboxDepth: 12 }),
      row({ kiosk: 'MP-BPL-0003', district: 'Bhopal', liveness: 'offline', reason: 'missed-heartbeats', lastSeenAt: NOW - 3 * 3600_000 }),
      row({ kiosk: 'MP-BPL-0004', liveness: 'offline', reason: 'shutdown' }),
      row({ kiosk: 'MP-BPL-0005', district: null, lsp: null, liveness: 'unknown', reason: 'none', session: null, lastSeenAt: null, heartbeatSeq: null, outboxDepth: null, devices: null, invalidCount: 3 }),
    ],
    { now: NOW, invalidTotal: 5 },
  );
  const lines = out.trimEnd().split('\n');
  t.match(lines[0], /^KIOSK\s+DISTRICT\s+LSP\s+STATE\s+WHY\s+SESSION\s+LAST SEEN\s+HB SEQ\s+OUTBOX\s+BAD\s+DEVICES$/);
  t.match(lines[1], /^RJ-JAI-0001\s+Jaipur\s+LSP 7\s+online\s+birth\s+4\s+4s ago\s+17\s+0\s+0\s+fp:ok prn:paper-low ups:mains$/);
  t.match(lines[2], /offline\s+will\s+9\s+2m ago\s+17\s+12/);
  t.match(lines[3], /offline\s+missed heartbeats\s+4\s+3h ago/);
  t.match(lines[4], /offline\s+shutdown/);
  t.match(lines[5], /^MP-BPL-0005\s+-\s+-\s+unknown\s+invalid messages only\s+-\s+never\s+-\s+-\s+3\s+-$/);
  t.equal(lines.at(-1), '5 kiosks: 1 online, 3 offline, 1 unknown; 5 invalid messages');
  const col = lines[0]!.indexOf('STATE');
  t.ok(lines.slice(1, 6).every((l) => /^(online|offline|unknown) /.test(l.slice(col))), 'columns line up');
  t.end();
});

t.test('an empty fleet and a monitor that is not running say so', (t) => {
  const out = renderFleetTable([], { now: NOW, monitorTickAt: NOW - 120_000 });
  t.match(out, /\(no kiosks heard yet\)/);
  t.match(out, /0 kiosks: 0 online, 0 offline; 0 invalid messages/);
  t.match(out, /warning: the monitor last checked liveness 2m ago/);
  t.notMatch(renderFleetTable([], { now: NOW, monitorTickAt: NOW - 1000, brokerConnected: true }), /warning/);
  t.match(renderFleetTable([], { now: NOW, monitorTickAt: NOW - 1000, brokerConnected: false }), /warning: the monitor cannot reach the broker/);
  t.end();
});

t.test('ages', (t) => {
  t.equal(formatAge(null, NOW), 'never');
  t.equal(formatAge(NOW + 5000, NOW), '0s ago', 'a clock a little ahead is not negative');
  t.equal(formatAge(NOW - 59_000, NOW), '59s ago');
  t.equal(formatAge(NOW - 60_000, NOW), '1m ago');
  t.equal(formatAge(NOW - 47 * 3600_000, NOW), '47h ago');
  t.equal(formatAge(NOW - 72 * 3600_000, NOW), '3d ago');
  t.end();
});

t.test('readFleetRows and renderFleetTable, as the demo calls them', async (t) => {
  const path = `${tempDir(t)}/fleet.db`;
  const repo = await SqliteFleetRepository.open(path);
  const clock = new FakeClock(NOW);
  const ingest = new Ingestor({ repo, clock, log: silentLogger });
  await ingest.handle('kiosk/v1/MP-BPL-0003/status', bytes(birth(2, { district: 'Bhopal', lsp: 'MPOnline' })));
  await ingest.handle('kiosk/v1/MP-BPL-0003/heartbeat', bytes(heartbeat(8, { q: 1, sum: 'fp:ok' })));
  const rows = await readFleetRows(path); // read-only, beside the open writer
  t.match(rows, [{ kiosk: 'MP-BPL-0003', district: 'Bhopal', lsp: 'MPOnline', liveness: 'online', session: 2, heartbeatSeq: 8, outboxDepth: 1, devices: 'fp:ok' }]);
  t.match(renderFromIndex(rows, { now: NOW + 3000 }), /MP-BPL-0003\s+Bhopal\s+MPOnline\s+online\s+birth\s+2\s+3s ago\s+8\s+1\s+0\s+fp:ok/);
  await repo.close();
  await t.rejects(readFleetRows(`${path}.missing`), /no fleet database/);
});
