/**
 * The dashboard's HTTP side, served by `kiosk-fleet serve --http-port`: the static page from
 * fleet/web/ (plain files, no build step), a JSON API, CSV export, server-sent events for live
 * updates, and Prometheus `/metrics`. Jobs can be created with POST /api/jobs from the same origin
 * only; users, roles and sessions (issue 10 §5) are not built yet, so bind it to a trusted network.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { IngestStats } from '../ingest.js';
import { JobError, type JobTargetSpec } from '../jobs/service.js';
import type { Logger } from '../log.js';
import type { FleetChange, Operations } from '../operations.js';
import type { FleetRepository } from '../store/repository.js';
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
  /** Pause between SSE keep-alive comments. */
  keepAliveMs?: number;
}

export interface RunningHttp {
  port: number;
  url: string;
  clients(): number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpError(413, 'body too large');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

/** A job may be sent only by the dashboard's own page: a cross-site form or script carries another Origin. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin === undefined ? req.headers['sec-fetch-site'] !== 'cross-site' : origin === `http://${req.headers.host ?? ''}`;
}

function jobTarget(body: Record<string, unknown>): JobTargetSpec {
  if (typeof body.kioskId === 'string') return { kind: 'kiosk', kioskId: body.kioskId };
  if (typeof body.district === 'string') return { kind: 'district', district: body.district };
  if (body.fleet === true) return { kind: 'fleet' };
  throw new HttpError(400, 'name a kioskId, a district, or fleet: true');
}

export async function startHttp(o: HttpOptions): Promise<RunningHttp> {
  const streams = new Set<ServerResponse>();
  const unsubscribe = o.ops.subscribe((c: FleetChange) => {
    const line = `event: change\ndata: ${JSON.stringify(c)}\n\n`;
    for (const s of streams) s.write(line);
  });
  const keepAlive = setInterval(() => {
    for (const s of streams) s.write(': keep-alive\n\n');
  }, o.keepAliveMs ?? 15_000);
  keepAlive.unref();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fleet');
    const path = url.pathname;
    const p = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
    if (req.method === 'GET' && path === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'POST' && path === '/api/jobs') {
      if (!sameOrigin(req)) throw new HttpError(403, 'jobs are sent from the dashboard itself');
      const body = (await readJson(req)) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null) throw new HttpError(400, 'body must be an object');
      const ttl = typeof body.expiresInSec === 'number' ? body.expiresInSec : 3600;
      try {
        const created = await o.ops.jobs.create({
          type: typeof body.type === 'string' ? body.type : '',
          params: (body.params as Record<string, unknown> | undefined) ?? {},
          target: jobTarget(body),
          expiresInSec: ttl,
          createdBy: 'dashboard',
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
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(await renderMetrics(o.repo, { ...o.stats?.(), webhook: o.ops.webhook?.stats, sseClients: streams.size }));
      return;
    }
    if (path.startsWith('/api/')) throw new HttpError(404, 'no such API');
    if (!(await serveStatic(path, req, res))) throw new HttpError(404, 'not found');
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) o.log.error({ err, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) json(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
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
    clients: () => streams.size,
    close: async () => {
      unsubscribe();
      clearInterval(keepAlive);
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
