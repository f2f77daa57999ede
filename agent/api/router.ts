/**
 * Routes of the local API, declared with zod schemas for their parameters, query, body and
 * response: the same declarations validate requests and generate the OpenAPI document.
 */
import type { z } from 'zod';

export type Role = 'public' | 'operator' | 'admin';

export interface Caller {
  role: Exclude<Role, 'public'>;
  user: string;
  /** Seconds the login has left, as of this request: idle timeout, and its absolute end (agent/auth/sessions.ts). */
  session?: { expiresInSec: number; endsInSec: number } | undefined;
}

export interface RequestContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller | undefined;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `:name` parameters, e.g. /v1/ekyc/captures/:id */
  path: string;
  summary: string;
  role: Role;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Status of a successful response (default 200). */
  status?: number;
  handler: (ctx: RequestContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<z.infer<R>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

/** A route as the server sees it at run time: schemas and a handler over unknown values. */
export interface RuntimeRoute {
  method: string;
  path: string;
  role: Role;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  status?: number;
  handler: (ctx: RequestContext<unknown, unknown, unknown>) => Promise<unknown>;
}

export function runtime(r: AnyRoute): RuntimeRoute {
  return r as RuntimeRoute;
}

/** Identity helper that keeps the route's types tied together. */
export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  spec: RouteSpec<P, Q, B, R>,
): RouteSpec<P, Q, B, R> {
  return spec;
}

export interface Match {
  route: AnyRoute;
  params: Record<string, string>;
}

export class Router {
  #routes: { route: AnyRoute; parts: string[] }[] = [];

  add(...routes: AnyRoute[]): this {
    for (const r of routes) this.#routes.push({ route: r, parts: r.path.split('/') });
    return this;
  }

  get routes(): AnyRoute[] {
    return this.#routes.map((r) => r.route);
  }

  /** The route for a method and path; `undefined` path match → 404, wrong method → 405. */
  match(method: string, path: string): Match | 'no-path' | 'no-method' {
    const parts = path.split('/');
    let pathMatched = false;
    for (const { route: r, parts: pattern } of this.#routes) {
      if (pattern.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < pattern.length && ok; i++) {
        const p = pattern[i]!;
        const v = parts[i]!;
        if (p.startsWith(':')) {
          if (!v) ok = false;
          else params[p.slice(1)] = decodeURIComponent(v);
        } else if (p !== v) ok = false;
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method) return { route: r, params };
    }
    return pathMatched ? 'no-method' : 'no-path';
  }
}
