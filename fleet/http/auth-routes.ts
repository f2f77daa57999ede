/**
 * The access side of the dashboard's HTTP: problem+json errors (RFC 9457), the session cookie,
 * the same-origin and CSRF checks on every state-changing request, and the routes for login,
 * logout, the current session, the audit log and the user list.
 *
 * Cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` when the page is served over TLS (directly
 * or, with `secureCookie`, behind a TLS proxy). CSRF: the OWASP synchronizer-token pattern — the
 * session's token comes from GET /api/session and must come back in `x-csrf-token` — plus a check
 * that Origin (or, without it, Sec-Fetch-Site) names this very origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type AccessService, type Authenticated, CAN, sameSecret } from './access.js';

export const COOKIE = 'kiosk_fleet_session';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** An error as application/problem+json (RFC 9457); `error` repeats the detail for older callers. */
export function problem(res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, error: detail });
  res.writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpError(413, 'body too large');
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be an object');
  return body as Record<string, unknown>;
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export interface AccessHttp {
  access: AccessService;
  /** Mark the cookie Secure and expect an https:// Origin although the socket is plain (TLS proxy). */
  secureCookie?: boolean;
  /** The dashboard is reached only through a reverse proxy that appends the client to X-Forwarded-For. */
  trustProxy?: boolean;
}

/**
 * The client's address, for the login throttle and the audit log. Behind a trusted proxy
 * (`--trust-proxy`) it is the last entry of X-Forwarded-For: the one that proxy appended for the
 * peer it saw; entries before it come from the client and prove nothing (MDN X-Forwarded-For,
 * "Security and privacy concerns"). Without the header, or with a last entry that is not an IP
 * address, the socket's peer.
 */
export function address(req: IncomingMessage, o?: Pick<AccessHttp, 'trustProxy'>): string {
  const peer = req.socket.remoteAddress ?? '';
  if (!o?.trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  // Node joins repeated X-Forwarded-For headers with ', ', so the last hop is last either way.
  const last = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').pop()?.trim() ?? '';
  return isIP(last) ? last : peer;
}

const isTls = (req: IncomingMessage, o: AccessHttp): boolean => o.secureCookie === true || (req.socket as TLSSocket).encrypted === true;

/**
 * A state-changing request must come from the dashboard's own origin. Browsers send Origin on
 * every POST; where it is missing (an old browser, a script), Sec-Fetch-Site must not say
 * cross-site — the CSRF token is required either way.
 */
export function checkOrigin(req: IncomingMessage, o: AccessHttp): void {
  const origin = req.headers.origin;
  const own = `${isTls(req, o) ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  if (origin !== undefined ? origin !== own : req.headers['sec-fetch-site'] === 'cross-site') {
    throw new HttpError(403, 'cross-origin request refused');
  }
}

export function checkCsrf(req: IncomingMessage, who: Authenticated): void {
  const sent = req.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameSecret(sent, who.session.csrf)) throw new HttpError(403, 'missing or wrong CSRF token (x-csrf-token)');
}

function setCookie(req: IncomingMessage, o: AccessHttp, token: string, maxAgeSec: number): string {
  return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${isTls(req, o) ? '; Secure' : ''}`;
}

export function authenticate(req: IncomingMessage, o: AccessHttp, touch = true): Promise<Authenticated | undefined> {
  return o.access.authenticate(cookie(req, COOKIE), touch);
}

/** POST /api/login: `{username, password}`; sets the cookie, answers the session's user, role and CSRF token. */
async function login(req: IncomingMessage, res: ServerResponse, o: AccessHttp): Promise<void> {
  checkOrigin(req, o);
  const body = await readJson(req, 8 * 1024);
  const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
  const password = typeof body.password === 'string' ? body.password : '';
  if (!username || !password) throw new HttpError(400, 'send username and password');
  const r = await o.access.login(username, password, address(req, o));
  if (!r.ok && r.reason === 'locked') throw new HttpError(429, `too many failed logins; try again in ${r.retryAfterSec} s`, { 'retry-after': String(r.retryAfterSec) });
  if (!r.ok) throw new HttpError(401, 'wrong user name or password');
  const cookieHeader = setCookie(req, o, r.token, Math.floor(o.access.absoluteMs / 1000));
  json(res, 200, sessionBody({ session: r.session, user: r.user }, o), { 'set-cookie': cookieHeader });
}

function sessionBody(a: Authenticated, o: AccessHttp): Record<string, unknown> {
  return {
    user: a.user.username,
    role: a.user.role,
    csrf: a.session.csrf,
    can: { sendJobs: CAN.sendJobs(a.user.role), readAudit: CAN.readAudit(a.user.role), manageUsers: CAN.manageUsers(a.user.role) },
    idleSec: Math.floor(o.access.idleMs / 1000),
    expiresAt: a.session.expiresAt,
  };
}

/** Handles the access routes; `false` when the request is for another route. */
export async function accessRoute(req: IncomingMessage, res: ServerResponse, path: string, url: URL, o: AccessHttp, who: () => Promise<Authenticated>): Promise<boolean> {
  if (path === '/api/login') {
    if (req.method !== 'POST') throw new HttpError(405, 'POST a username and password');
    await login(req, res, o);
    return true;
  }
  if (path === '/api/logout') {
    if (req.method !== 'POST') throw new HttpError(405, 'POST to log out');
    const a = await who();
    checkOrigin(req, o);
    checkCsrf(req, a);
    await o.access.logout(a, address(req, o));
    json(res, 200, { ok: true }, { 'set-cookie': setCookie(req, o, '', 0) });
    return true;
  }
  if (path === '/api/session' && req.method === 'GET') {
    json(res, 200, sessionBody(await who(), o));
    return true;
  }
  if (path === '/api/audit' && req.method === 'GET') {
    const a = await who();
    if (!CAN.readAudit(a.user.role)) throw new HttpError(403, `the ${a.user.role} role cannot read the audit log`);
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
    const before = url.searchParams.get('before');
    json(res, 200, { entries: await o.access.auditLog(limit, before === null ? undefined : Number(before)) });
    return true;
  }
  if (path === '/api/users' && req.method === 'GET') {
    const a = await who();
    if (!CAN.manageUsers(a.user.role)) throw new HttpError(403, `the ${a.user.role} role cannot list users`);
    json(res, 200, { users: (await o.access.users()).map((u) => ({ username: u.username, role: u.role, createdAt: u.createdAt, updatedAt: u.updatedAt })) });
    return true;
  }
  return false;
}
