/**
 * The dashboard's HTTP side, served by `kiosk-fleet serve --http-port`: the static page from
 * fleet/web/ (plain files, no build step), a JSON API, CSV export, server-sent events for live
 * updates, and Prometheus `/metrics`. Every API route, the event stream and the CSV export need a
 * login session (auth-routes.ts); only the login page, its static files and /metrics do not, and
 * /metrics takes a bearer token when one is configured. Jobs need the operator role.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { IngestStats } from '../ingest.js';
import { JobError, type JobTargetSpec } from '../jobs/service.js';
import type { Logger } from '../log.js';
import type { FleetChange, Operations } from '../operations.js';
import type { FleetRepository } from '../store/repository.js';
import { type AccessOptions, AccessService, type Authenticated, CAN, sameSecret } from './access.js';
import { accessRoute, address, authenticate, checkCsrf, checkOrigin, cookie, COOKIE, HttpError, json, problem, readJson } from './auth-routes.js';
import { renderMetrics } from './metrics.js';
import { serveStatic } from './static.js';
import { ekycWeekly, inactivityRisk, kioskRow, kioskRows, overview, queryRows, rowsCsv } from './views.js';

export interface HttpOptions {
  repo: FleetRepository;
  ops: Operations;
  clock: Clock;
  log: Logger;
  host: string;
  port: number;
  stats?: () => { ingest: IngestStats; listening: boolean };
  /** Pause between SSE keep-alive comments; each also re-checks the stream's session. */
  keepAliveMs?: number;
  /** Session lengths and the login lockout. */
  access?: AccessOptions;
  /** The session cookie is Secure: the dashboard is reached over HTTPS through a proxy. */
  secureCookie?: boolean;
  /** Take the client address from X-Forwarded-For's last hop (auth-routes.ts `address`). */
  trustProxy?: boolean;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

export interface RunningHttp {
  port: number;
  url: string;
  access: AccessService;
  clients(): number;
  close(): Promise<void>;
}

function jobTarget(body: Record<string, unknown>): JobTargetSpec {
  if (typeof body.kioskId === 'string') return { kind: 'kiosk', kioskId: body.kioskId };
  if (typeof body.district === 'string') return { kind: 'district', district: body.district };
  if (body.fleet === true) return { kind: 'fleet' };
  throw new HttpError(400, 'name a kioskId, a district, or fleet: true');
}

/** Static files anyone may fetch: the login page and what the pages load (no fleet data in them). */
const PUBLIC_FILES = new Set(['/login.html', '/login.js', '/i18n.js', '/style.css', '/app.js']);

export async function startHttp(o: HttpOptions): Promise<RunningHttp> {
  const access = new AccessService(o.repo.access, o.clock, o.log, o.access);
  const ax = { access, ...(o.secureCookie ? { secureCookie: true } : {}), ...(o.trustProxy ? { trustProxy: true } : {}) };
  // Each live stream with the session that opened it: a stream ends when its session does.
  const streams = new Map<ServerResponse, string>();
  const unsubscribe = o.ops.subscribe((c: FleetChange) => {
    const line = `event: change\ndata: ${JSON.stringify(c)}\n\n`;
    for (const s of streams.keys()) s.write(line);
  });
  const recheck = async (): Promise<void> => {
    for (const [s, token] of streams) {
      if (await access.authenticate(token, false).catch(() => undefined)) s.write(': keep-alive\n\n');
      else {
        streams.delete(s);
        s.end();
      }
    }
  };
  const keepAlive = setInterval(() => void recheck(), o.keepAliveMs ?? 15_000);
  keepAlive.unref();
  const purge = setInterval(() => void access.purge().catch((err: unknown) => o.log.warn({ err }, 'cannot purge ended sessions')), 10 * 60_000);
  purge.unref();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fleet');
    const path = url.pathname;
    const p = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
    if (path === '/metrics') {
      // For Prometheus on the internal network; with a token configured, only a scraper that has it.
      const auth = req.headers.authorization ?? '';
      if (o.metricsToken !== undefined && !(auth.startsWith('Bearer ') && sameSecret(auth.slice(7), o.metricsToken))) {
        throw new HttpError(401, 'metrics need the bearer token', { 'www-authenticate': 'Bearer realm="kiosk-fleet metrics"' });
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(await renderMetrics(o.repo, { ...o.stats?.(), webhook: o.ops.webhook?.stats, sseClients: streams.size }));
      return;
    }
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      // The dashboard itself only for a session; without one, the login page.
      if (!PUBLIC_FILES.has(path) && !(await authenticate(req, ax))) {
        res.writeHead(303, { location: '/login.html', 'cache-control': 'no-store' });
        res.end();
        return;
      }
      if (!(await serveStatic(path, req, res))) throw new HttpError(404, 'not found');
      return;
    }
    const who = async (): Promise<Authenticated> => {
      const a = await authenticate(req, ax);
      if (!a) throw new HttpError(401, 'log in first', { 'www-authenticate': 'Cookie realm="kiosk-fleet"' });
      return a;
    };
    if (await accessRoute(req, res, path, url, ax, who)) return;
    const me = await who();
    if (req.method === 'GET' && path === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      streams.set(res, cookie(req, COOKIE) ?? '');
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'POST' && path === '/api/jobs') {
      checkOrigin(req, ax);
      checkCsrf(req, me);
      if (!CAN.sendJobs(me.user.role)) {
        await access.audit({ username: me.user.username, action: 'job.denied', target: '', detail: { role: me.user.role }, address: address(req, ax) });
        throw new HttpError(403, `the ${me.user.role} role cannot send jobs`);
      }
      const body = await readJson(req);
      const ttl = typeof body.expiresInSec === 'number' ? body.expiresInSec : 3600;
      try {
        const created = await o.ops.jobs.create({
          type: typeof body.type === 'string' ? body.type : '',
          params: (body.params as Record<string, unknown> | undefined) ?? {},
          target: jobTarget(body),
          expiresInSec: ttl,
          createdBy: me.user.username,
        });
        await access.audit({
          username: me.user.username,
          action: 'job.create',
          target: created.job.target,
          detail: { jobId: created.job.jobId, type: created.job.type, params: created.job.params, kiosks: created.kiosks.length, expiresTs: created.job.expiresTs },
          address: address(req, ax),
        });
        json(res, 201, created);
      } catch (err) {
        if (err instanceof JobError) throw new HttpError(400, err.message);
        throw err;
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    const th = o.ops.alerts.thresholds;
    if (path === '/api/overview') return json(res, 200, overview(await kioskRows(o.repo), th));
    if (path === '/api/kiosks') {
      const rows = queryRows(await kioskRows(o.repo), { district: p('district'), alert: p('alert'), liveness: p('liveness'), q: p('q'), sort: p('sort'), order: p('order') });
      return json(res, 200, { kiosks: rows });
    }
    if (path === '/api/kiosks.csv') {
      const rows = queryRows(await kioskRows(o.repo), { district: p('district'), alert: p('alert'), liveness: p('liveness'), q: p('q'), sort: p('sort'), order: p('order') });
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="kiosks.csv"' });
      res.end(rowsCsv(rows));
      return;
    }
    const kiosk = /^\/api\/kiosks\/([A-Za-z0-9-]{1,64})$/.exec(path);
    if (kiosk) {
      const id = kiosk[1]!;
      const k = await o.repo.getKiosk(id);
      if (!k) throw new HttpError(404, `no kiosk ${id}`);
      const [alerts, history, events, transactions, jobs, gaps] = await Promise.all([
        o.repo.listOpenAlerts(id),
        o.repo.listAlertHistory(id, 50),
        o.repo.listEvents(id, 50),
        o.repo.listTransactions(id, 50),
        o.repo.listKioskJobs(id, 50),
        o.repo.seqGaps(id),
      ]);
      return json(res, 200, { row: kioskRow(k, alerts), kiosk: k, alerts, history, events: events.reverse(), transactions: transactions.reverse(), jobs, gaps });
    }
    if (path === '/api/inactivity') {
      const from = Number(p('fromDays') ?? Math.max(0, th.inactivityWarnDays - 5));
      return json(res, 200, { thresholds: { warnDays: th.inactivityWarnDays, breachDays: th.inactivityBreachDays }, kiosks: inactivityRisk(await kioskRows(o.repo), from) });
    }
    if (path === '/api/ekyc-weekly') {
      const weeks = Math.min(52, Math.max(1, Number(p('weeks') ?? 8) || 8));
      return json(res, 200, await ekycWeekly(o.repo, o.clock.now(), weeks));
    }
    if (path === '/api/alerts') return json(res, 200, { open: await o.repo.listOpenAlerts(), history: await o.repo.listAlertHistory(undefined, 100) });
    if (path === '/api/jobs') return json(res, 200, { jobs: await o.repo.listJobs(100) });
    const job = /^\/api\/jobs\/([A-Za-z0-9._:-]{1,64})$/.exec(path);
    if (job) {
      const j = await o.repo.getJob(job[1]!);
      if (!j) throw new HttpError(404, `no job ${job[1]!}`);
      return json(res, 200, { job: j, targets: await o.repo.listJobTargets(j.jobId) });
    }
    throw new HttpError(404, 'no such API');
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) o.log.error({ err, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) problem(res, status, status === 500 ? 'internal error' : (err as Error).message, err instanceof HttpError ? err.headers : {});
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/`;
  o.log.info({ url }, 'dashboard listening');
  return {
    port,
    url,
    access,
    clients: () => streams.size,
    close: async () => {
      unsubscribe();
      clearInterval(keepAlive);
      clearInterval(purge);
      for (const s of streams.keys()) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
