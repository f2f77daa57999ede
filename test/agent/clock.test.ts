import { readFileSync } from 'node:fs';
import t from 'tap';
import { recordingLogger } from '../../drivers/common/logger.js';
import {
  BOOT_ID_PATH,
  Clock,
  type ClockChange,
  type ClockOptions,
  type CommandResult,
  TIMESYNC_FLAG_PATH,
} from '../../agent/clock.js';

const BOOT = 'a19dc557-3aec-4ce1-a7f5-85858e09af8c';
const MIN = 60_000;

/** A fake machine: files, timedatectl's answer, a wall clock and a monotonic clock we move by hand. */
function fakeHost(init: { files?: Record<string, string>; flagMtime?: number; ntp?: string | Error; wall?: number; monoMs?: number } = {}) {
  const host = {
    files: { [BOOT_ID_PATH]: `${BOOT}\n`, ...init.files } as Record<string, string>,
    flagMtime: init.flagMtime,
    ntp: init.ntp ?? 'no',
    wall: init.wall ?? 1_700_000_000_000,
    monoNs: BigInt(init.monoMs ?? 42_000) * 1_000_000n + 123_456n,
    runs: [] as string[][],
    /** When set, timedatectl never answers (a hung dbus). */
    hang: false,
    /** Moves both clocks forward, as time passing does. */
    advance(ms: number) {
      this.wall += ms;
      this.monoNs += BigInt(ms) * 1_000_000n;
    },
    /** Moves only the wall clock, as an NTP step or `date -s` does. */
    step(ms: number) {
      this.wall += ms;
    },
    options(extra: ClockOptions = {}): ClockOptions {
      return {
        readFile: (p) => {
          const v = host.files[p];
          if (v === undefined) return Promise.reject(Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' }));
          return Promise.resolve(v);
        },
        statFile: (p) => Promise.resolve(p === TIMESYNC_FLAG_PATH && host.flagMtime !== undefined ? { mtimeMs: host.flagMtime } : undefined),
        runCommand: (file, args) => {
          host.runs.push([file, ...args]);
          if (host.hang) return new Promise<CommandResult>(() => undefined);
          if (host.ntp instanceof Error) return Promise.reject(host.ntp);
          return Promise.resolve({ code: 0, stdout: `${host.ntp}\n` });
        },
        now: () => host.wall,
        hrtime: () => host.monoNs,
        ...extra,
      };
    },
  };
  return host;
}

const settle = () => new Promise((r) => setImmediate(r));

t.test('now(): wall clock, integer monotonic ms, trimmed boot id', async (t) => {
  const host = fakeHost({ monoMs: 42_000 });
  const clock = await Clock.create(host.options({ trust: 'never' }));
  const r = clock.now();
  t.same(r, { ts: 1_700_000_000_000, mono: 42_000, boot: BOOT, synced: false });
  t.ok(Number.isInteger(r.mono));
  host.advance(1500);
  t.equal(clock.now().mono, 43_500);
  t.equal(clock.now().ts, 1_700_000_001_500);
});

t.test('an unreadable boot id falls back to one random UUID for the life of the clock', async (t) => {
  const host = fakeHost();
  delete host.files[BOOT_ID_PATH];
  const log = recordingLogger();
  const clock = await Clock.create(host.options({ trust: 'never', logger: log }));
  t.match(clock.now().boot, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(clock.now().boot, clock.now().boot, 'stable');
  t.ok(log.records.some((r) => r.level === 'warn' && /boot id/.test(r.msg ?? '')));
  const other = await Clock.create(fakeHost({ files: { [BOOT_ID_PATH]: '   \n' } }).options({ trust: 'never' }));
  t.not(other.now().boot, '', 'an empty file also falls back');
});

t.test("trust 'always': synced from the start, source assumed, no NTP checks, central hints ignored", async (t) => {
  const host = fakeHost();
  const clock = await Clock.create(host.options({ trust: 'always' }));
  t.equal(clock.now().synced, true);
  t.same(clock.info(), { synced: true, source: 'assumed' });
  host.advance(10 * MIN);
  clock.now();
  await settle();
  t.same(host.runs, [], 'timedatectl never run');
  t.equal(clock.hintFromCentral(host.wall), false);
  t.same(clock.info(), { synced: true, source: 'assumed' });
});

t.test("trust 'never': never synced, even with NTP or a hint from central", async (t) => {
  const host = fakeHost({ flagMtime: 1_700_000_000_000, ntp: 'yes' });
  const clock = await Clock.create(host.options({ trust: 'never' }));
  t.same(clock.info(), { synced: false, source: 'none' });
  t.equal(clock.hintFromCentral(host.wall), false);
  t.equal(clock.now().synced, false);
  t.same(host.runs, []);
});

t.test("auto: the timesyncd flag file means synced, its mtime is the last sync, timedatectl not needed", async (t) => {
  const host = fakeHost({ flagMtime: 1_699_999_990_000.7 });
  const clock = await Clock.create(host.options());
  t.equal(clock.trust, 'auto');
  t.same(clock.info(), { synced: true, source: 'ntp', lastSyncTs: 1_699_999_990_001 });
  t.equal(clock.now().synced, true);
  t.same(host.runs, []);
});

t.test('auto: timedatectl NTPSynchronized=yes means synced; no means not', async (t) => {
  const yes = fakeHost({ ntp: 'yes' });
  const a = await Clock.create(yes.options());
  t.same(yes.runs, [['timedatectl', 'show', '-p', 'NTPSynchronized', '--value']]);
  t.same(a.info(), { synced: true, source: 'ntp', lastSyncTs: yes.wall });

  const no = fakeHost({ ntp: 'no' });
  const b = await Clock.create(no.options());
  t.same(b.info(), { synced: false, source: 'none' });
});

t.test('auto: timedatectl failing or missing is not synced and never throws', async (t) => {
  const host = fakeHost({ ntp: new Error('Failed to connect to bus') });
  const clock = await Clock.create(host.options());
  t.same(clock.info(), { synced: false, source: 'none' });

  const log = recordingLogger();
  const missing = fakeHost({ ntp: Object.assign(new Error('spawn timedatectl ENOENT'), { code: 'ENOENT' }) });
  const c2 = await Clock.create(missing.options({ logger: log }));
  t.equal(c2.info().synced, false);
  missing.advance(2 * MIN);
  await c2.refresh();
  t.equal(missing.runs.length, 1, 'a missing timedatectl is not run again');
  t.ok(log.records.some((r) => /timedatectl not found/.test(r.msg ?? '')));

  const odd = fakeHost({ ntp: 'maybe' });
  const c3 = await Clock.create(odd.options());
  t.equal(c3.info().synced, false, 'an answer other than yes is not trust');
});

t.test('a failed check keeps the previous answer instead of flipping', async (t) => {
  const host = fakeHost({ ntp: 'yes' });
  const changes: ClockChange[] = [];
  const clock = await Clock.create(host.options({ onChange: (c) => changes.push(c) }));
  t.equal(clock.info().synced, true);
  host.ntp = new Error('Connection timed out');
  host.advance(MIN);
  await clock.refresh();
  t.equal(clock.info().synced, true);
  t.same(changes, []);
  host.ntp = 'no';
  host.advance(MIN);
  await clock.refresh();
  t.equal(clock.info().synced, false, 'an explicit no does flip');
  t.equal(changes.length, 1);
});

t.test('NTP status is re-read at most every 60 s, in the background; now() never waits', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const clock = await Clock.create(host.options());
  t.equal(host.runs.length, 1, 'read once at create');
  for (let i = 0; i < 50; i++) {
    host.advance(1000);
    clock.now();
    clock.info();
  }
  await settle();
  t.equal(host.runs.length, 1, 'not again within 60 s');
  host.advance(10_000);
  clock.now();
  await settle();
  t.equal(host.runs.length, 2, 'again once 60 s have passed on the monotonic clock');

  // A hung timedatectl: now() still answers at once, and no second check piles up.
  host.hang = true;
  host.advance(MIN);
  const r = clock.now();
  t.equal(r.ts, host.wall);
  host.advance(MIN);
  clock.now();
  clock.now();
  await settle();
  t.equal(host.runs.length, 3, 'one check in flight at a time');
});

t.test('a wall-clock step alone does not hasten or stall the checks', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const clock = await Clock.create(host.options());
  host.step(24 * 60 * MIN);
  clock.now();
  await settle();
  t.equal(host.runs.length, 1);
});

t.test('onChange fires when NTP synchronises, with the step it applied', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const changes: ClockChange[] = [];
  const clock = await Clock.create(host.options());
  const off = clock.onChange((c) => changes.push(c));
  clock.onChange(() => {
    throw new Error('a broken listener');
  });
  host.advance(30_000);
  // timesyncd steps the clock forward by 3 h 20 min and touches its flag file.
  host.step(12_000_000);
  host.flagMtime = host.wall;
  host.advance(30_000);
  clock.now();
  await settle();
  await settle();
  t.equal(changes.length, 1);
  t.match(changes[0], { synced: true, source: 'ntp', previousSource: 'none', stepMs: 12_000_000 });
  t.equal(clock.now().synced, true);
  t.same(clock.info(), { synced: true, source: 'ntp', lastSyncTs: host.wall - 30_000 });
  off();
  t.end();
});

t.test('a hint from central within tolerance trusts the clock; outside it does not', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const log = recordingLogger();
  const changes: ClockChange[] = [];
  const clock = await Clock.create(host.options({ logger: log, onChange: (c) => changes.push(c) }));

  t.equal(clock.hintFromCentral(host.wall - 3 * 3_600_000), false, '3 h off: refused');
  t.equal(clock.hintFromCentral(host.wall + 121_000), false, 'just over 2 min ahead: refused');
  t.equal(log.records.filter((r) => r.level === 'warn').length, 1, 'warned once, not per hint');
  t.equal(clock.hintFromCentral(Number.NaN), false);
  t.same(clock.info(), { synced: false, source: 'none' });
  t.same(changes, []);

  t.equal(clock.hintFromCentral(host.wall - 4_000), true, '4 s behind us (transit over 2G): accepted');
  t.equal(clock.now().synced, true);
  t.same(clock.info(), { synced: true, source: 'central', lastSyncTs: host.wall });
  t.equal(changes.length, 1);
  t.match(changes[0], { synced: true, source: 'central', stepMs: 0, skewMs: 4_000 });

  host.advance(30_000);
  t.equal(clock.hintFromCentral(host.wall), true, 'another hint');
  t.same(clock.info().lastSyncTs, host.wall, 'lastSyncTs follows the latest hint');
  t.equal(changes.length, 1, 'no flip, no event');
});

t.test('central trust is dropped when the wall clock is stepped later; NTP takes over from central', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const changes: ClockChange[] = [];
  const clock = await Clock.create(host.options({ onChange: (c) => changes.push(c), centralToleranceMs: 5_000 }));
  t.ok(clock.hintFromCentral(host.wall + 1_000));
  host.advance(MIN);
  host.step(-86_400_000); // someone sets the date a day back
  await clock.refresh();
  t.same(clock.info().synced, false);
  t.match(changes.at(-1), { synced: false, source: 'none', previousSource: 'central', stepMs: -86_400_000 });

  t.ok(clock.hintFromCentral(host.wall), 'trusted again by a new hint');
  host.ntp = 'yes';
  host.advance(MIN);
  await clock.refresh();
  t.same(clock.info(), { synced: true, source: 'ntp', lastSyncTs: host.wall });
  t.equal(changes.length, 3, 'central → ntp is not a flip');
});

t.test('close() stops background checks and drops listeners', async (t) => {
  const host = fakeHost({ ntp: 'no' });
  const changes: ClockChange[] = [];
  const clock = await Clock.create(host.options({ onChange: (c) => changes.push(c) }));
  clock.close();
  host.advance(5 * MIN);
  clock.now();
  await clock.refresh();
  t.equal(host.runs.length, 1);
  t.equal(clock.hintFromCentral(host.wall), false);
  t.same(changes, []);
});

t.test('the real machine: boot id from /proc and a monotonic clock', async (t) => {
  const clock = await Clock.create({ trust: 'never' });
  let boot: string | undefined;
  try {
    boot = readFileSync(BOOT_ID_PATH, 'utf8').trim();
  } catch {
    boot = undefined;
  }
  const a = clock.now();
  if (boot) t.equal(a.boot, boot);
  t.ok(Number.isInteger(a.mono) && a.mono > 0);
  t.ok(Math.abs(a.ts - Date.now()) < 1000);
  await new Promise((r) => setTimeout(r, 20));
  const b = clock.now();
  t.ok(b.mono - a.mono >= 15, 'advances with time');
  clock.close();

  // auto on this machine: whatever it says, it answers and does not throw.
  const auto = await Clock.create();
  t.type(auto.info().synced, 'boolean');
  auto.close();
});
