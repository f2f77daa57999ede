/**
 * The OpenAPI 3.1 document of the local API, generated from the routes' zod schemas (zod 4's
 * z.toJSONSchema), so the operator console and local tools can be built against it.
 */
import { z } from 'zod';
import type { AnyRoute } from './router.js';

const PROBLEM = {
  description: 'Problem details (RFC 9457) with Hindi title_hi/detail_hi',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        required: ['type', 'title', 'status', 'title_hi'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          title_hi: { type: 'string' },
          detail_hi: { type: 'string' },
          errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
};

function schema(t: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(t, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s['$schema'];
  return s;
}

export function buildOpenApi(routes: AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, t] of [['path', r.params], ['query', r.query]] as const) {
      if (!t) continue;
      const s = schema(t as z.ZodType, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, p] of Object.entries(s.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: p });
      }
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.role !== 'public' ? { security: [{ bearer: [] }], 'x-role': r.role } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body as z.ZodType, 'input') } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: schema(r.response as z.ZodType, 'output') } } },
        default: PROBLEM,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kiosk-agent local API',
      version,
      description:
        'HTTP with JSON over the Unix socket /run/kiosk-agent/api.sock (mode 0660). Errors are application/problem+json with English and Hindi messages.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token from the PIN login' } } },
    paths,
  };
}
