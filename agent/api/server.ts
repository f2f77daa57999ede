/**
 * The local API: HTTP with JSON over a Unix socket (default /run/kiosk-agent/api.sock, mode
 * 0660, group configurable), so only the operator console and local tools in the service's
 * group reach it and nothing listens on the network. Requests are validated with each route's
 * zod schemas; every error is problem+json in English and Hindi; a handler's unexpected
 * failure is logged and answered 500 without internals.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { ApiError, problems } from './problem.js';
import { runtime, type Caller, type Router } from './router.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ApiServerOptions {
  socketPath: string;
  /** Owning group of the socket (name or gid); unset leaves the process's group. */
  group?: string | number;
  router: Router;
  logger: Logger;
  /** Resolves the caller from the request (Authorization: Bearer …); undefined = anonymous. */
  /** `renew`: the route needs a login, so the request counts as use of it (agent/auth/sessions.ts). */
  authenticate?: (req: IncomingMessage, opts: { renew: boolean }) => Promise<Caller | undefined>;
}

function issues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.length ? i.path.map(String).join('.') : '(body)', message: i.message }));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw problems.notJson();
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The gid of a group given by name or number, from /etc/group. */
export function groupId(group: string | number): number {
  if (typeof group === 'number') return group;
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === group);
  const gid = line ? Number(line.split(':')[2]) : NaN;
  if (!Number.isInteger(gid)) throw new Error(`api socket group "${group}" does not exist`);
  return gid;
}

export class ApiServer {
  #server: Server;

  constructor(private readonly o: ApiServerOptions) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://kiosk');
    try {
      const match = this.o.router.match(req.method ?? 'GET', url.pathname);
      if (match === 'no-path') throw problems.notFound('endpoint');
      if (match === 'no-method') throw problems.methodNotAllowed();
      const r = runtime(match.route);
      const caller = this.o.authenticate ? await this.o.authenticate(req, { renew: r.role !== 'public' }) : undefined;
      if (r.role !== 'public') {
        if (!caller) throw problems.unauthorized();
        if (r.role === 'admin' && caller.role !== 'admin') throw problems.forbidden('admin');
      }
      const params = r.params ? r.params.safeParse(match.params) : { success: true as const, data: match.params };
      if (!params.success) throw problems.badRequest(issues(params.error));
      const query = r.query ? r.query.safeParse(Object.fromEntries(url.searchParams)) : { success: true as const, data: {} };
      if (!query.success) throw problems.badRequest(issues(query.error));
      const raw = await readBody(req);
      const body = r.body ? r.body.safeParse(raw ?? {}) : { success: true as const, data: undefined };
      if (!body.success) throw problems.badRequest(issues(body.error));
      const out: unknown = await r.handler({ params: params.data, query: query.data, body: body.data, caller });
      send(res, r.status ?? 200, out);
      this.o.logger.debug({ method: req.method, path: r.path, status: r.status ?? 200, ms: Math.round(performance.now() - started) }, 'api');
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : undefined;
      if (!apiErr) this.o.logger.error({ err: (err as Error).message, path: url.pathname }, 'api handler failed');
      const problem = (apiErr ?? problems.internal()).toProblem();
      // Paths only, never bodies: a body may carry a citizen reference.
      this.o.logger.info({ method: req.method, path: url.pathname, status: problem.status, problem: problem.type }, 'api error');
      send(res, problem.status, problem, 'application/problem+json');
    }
  }

  async listen(): Promise<void> {
    const path = this.o.socketPath;
    // sockaddr_un holds 108 bytes with the NUL; a longer path would be silently truncated.
    if (Buffer.byteLength(path) > 107) throw new Error(`api socket path is longer than 107 bytes (the Unix socket limit): ${path}`);
    const gid = this.o.group === undefined ? undefined : groupId(this.o.group);
    mkdirSync(dirname(path), { recursive: true });
    // A socket left by a killed agent would make listen() fail with EADDRINUSE.
    try {
      if (statSync(path).isSocket()) rmSync(path);
    } catch {
      /* absent */
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(path, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o660);
    if (gid !== undefined) chownSync(path, process.getuid?.() ?? 0, gid);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
    rmSync(this.o.socketPath, { force: true });
  }
}
