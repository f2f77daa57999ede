/** The dashboard's JSON API, CSV export, jobs endpoint and /metrics over real HTTP. */
import t from 'tap';
import { addUser, K1, K2, login, startDashboardFleet } from './fixture.js';

t.test('the JSON API behind the dashboard', async (t) => {
  const { base, fleet } = await startDashboardFleet(t);
  await addUser(fleet, 'ops', 'operator');
  const ops = await login(base, 'ops');
  const get = async (path: string) => {
    const res = await fetch(new URL(path, base), { headers: { cookie: ops.cookie } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const json = async (path: string) => JSON.parse((await get(path)).text) as Record<string, unknown>;

  t.match(await json('/api/overview'), { total: 2, online: 2, offline: 0, atRisk: 1, withAlerts: 1, districts: ['Jaipur', 'Kota'], alerts: { 'printer-paper-out': 1, 'inactivity-warning': 1, 'wallet-below-minimum': 1 } });
  const ids = async (q: string) => ((await json(`/api/kiosks${q}`)).kiosks as { kioskId: string }[]).map((k) => k.kioskId);
  t.same(await ids(''), [K1, K2]);
  t.same(await ids('?district=Kota'), [K2], 'filtered by district');
  t.same(await ids('?alert=printer-paper-out'), [K1], 'filtered by alert');
  t.same(await ids('?alert=any'), [K1]);
  t.same(await ids('?sort=wallet&order=desc'), [K2, K1], 'sorted by wallet');
  t.same(await ids('?sort=daysInactive&order=desc'), [K1, K2], 'sorted by days inactive');

  const k = await json(`/api/kiosks/${K1}`);
  t.match(k, { row: { kioskId: K1, daysInactive: 27, walletPaise: 15_000_00, severity: 'critical' }, gaps: { gaps: 0, missed: 0 } });
  t.same((k.alerts as { kind: string }[]).map((a) => a.kind), ['inactivity-warning', 'printer-paper-out', 'wallet-below-minimum']);
  t.equal((await get('/api/kiosks/RJ-NONE-0001')).status, 404);

  const risk = await json('/api/inactivity');
  t.same((risk.kiosks as { kioskId: string; breachOn: string }[]).map((r) => [r.kioskId, r.breachOn]), [[K1, '2026-11-27']], 'who will be fined, and when');
  const weekly = await json('/api/ekyc-weekly?weeks=4');
  t.equal((weekly.weeks as string[]).length, 4);
  t.match(weekly.districts, [{ district: 'Kota', total: 2 }], 'this week’s e-KYC per district');

  const csv = await get('/api/kiosks.csv?sort=id');
  t.match(csv.type, /text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  t.equal(lines[0], 'kioskId,district,lsp,liveness,reason,lastSeenAt,daysInactive,breachOn,walletPaise,walletMinimumPaise,onBattery,alerts,severity,summary');
  t.match(lines[1], new RegExp(`^${K1},Jaipur,e-Mitra LSP 7,online,birth,[^,]+,27,2026-11-27,1500000,2000000,false,inactivity-warning printer-paper-out wallet-below-minimum,critical,`));
  t.equal(lines.length, 3);

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL('/api/jobs', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, ''), cookie: ops.cookie, 'x-csrf-token': ops.csrf, ...headers },
      body: JSON.stringify(body),
    });
  const created = await post({ type: 'print.test', kioskId: K1, expiresInSec: 60 });
  t.equal(created.status, 201);
  const { job } = (await created.json()) as { job: { jobId: string } };
  t.match(await json(`/api/jobs/${job.jobId}`), { job: { type: 'print.test', target: `kiosk:${K1}`, createdBy: 'ops' }, targets: [{ kioskId: K1 }] });
  t.equal((await post({ type: 'print.test', kioskId: K1 }, { origin: 'http://evil.example' })).status, 403, 'another origin cannot send jobs');
  t.equal((await post({ type: 'reboot', fleet: true })).status, 400);
  t.equal((await post({ type: 'print.test' })).status, 400, 'a job needs a target');
  t.equal((await fetch(new URL('/api/jobs', base), { method: 'POST', headers: { origin: base.replace(/\/$/, ''), cookie: ops.cookie, 'x-csrf-token': ops.csrf }, body: 'x' })).status, 415);
  t.equal((await fetch(new URL('/api/overview', base), { method: 'DELETE', headers: { cookie: ops.cookie } })).status, 405);

  const metrics = await get('/metrics');
  t.match(metrics.type, /text\/plain/);
  t.match(metrics.text, /kiosk_fleet_kiosks\{liveness="online"\} 2/);
  t.match(metrics.text, /kiosk_fleet_alerts_open\{kind="printer-paper-out"\} 1/);
  t.match(metrics.text, /kiosk_fleet_ingest_messages_total\{result="stored"\} \d+/);
  t.match(metrics.text, /kiosk_fleet_broker_listening 1/);

  const page = await get('/');
  t.match(page.type, /text\/html/);
  t.match(page.text, /<script src="\/app.js" defer><\/script>/);
  t.match((await get('/app.js')).type, /javascript/);
  t.equal((await get('/..%2f..%2fpackage.json')).status, 404, 'no way out of the web folder');
  t.equal((await get('/api/nothing')).status, 404);
  t.ok(fleet.ops.http, 'served by the fleet');
});
