/**
 * The dashboard's files, served as they are from fleet/web/. Found beside the sources, or from
 * dist/fleet/http/ back to the repository's fleet/web/ (the compiler does not copy them).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const WEB_DIR = [join(here, '../web'), join(here, '../../../fleet/web')].find((d) => existsSync(join(d, 'index.html'))) ?? join(here, '../web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Serves `/` and the files of WEB_DIR; `false` when there is no such file. */
export async function serveStatic(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const rel = path === '/' ? 'index.html' : decodeURIComponent(path).replace(/^\/+/, '');
  const file = normalize(join(WEB_DIR, rel));
  if (!file.startsWith(WEB_DIR) || !TYPES[extname(file)]) return false;
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)]!,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(extname(file) === '.html' ? { 'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'" } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
