/**
 * kioskctl's client for the agent's local API over its Unix socket (the path is the agent
 * configuration's `api.socket`). The agent alone holds the devices, so technician commands that
 * touch a device go through it. Logs in with a personal PIN when one is given, and logs out after.
 */
import { request } from 'node:http';

export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
}

/** A problem+json answer, or the agent not answering at all (status 0). */
export class LocalApiError extends Error {
  override name = 'LocalApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class LocalApiClient {
  #token: string | undefined;

  constructor(readonly socketPath: string) {}

  async call(method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const r = await this.#raw(method, path, body, timeoutMs);
    if (r.status >= 400) {
      const p = r.body;
      const title = typeof p['title'] === 'string' ? p['title'] : '';
      const detail = typeof p['detail'] === 'string' ? p['detail'] : '';
      // A detail that already says what the title says stands alone.
      const text = detail.startsWith(title) ? detail : [title, detail].filter(Boolean).join(': ');
      throw new LocalApiError(r.status, text || `HTTP ${r.status}`, p);
    }
    return r.body;
  }

  /** POST /v1/login; later calls carry the token. */
  async login(user: string, pin: string): Promise<{ user: string; role: string }> {
    const r = await this.call('POST', '/v1/login', { user, pin });
    this.#token = String(r['token']);
    return { user: String(r['user']), role: String(r['role']) };
  }

  /** Adopts the token of a login made through `call` (the console's fingerprint login replies alike). */
  useToken(token: string | undefined): void {
    this.#token = token;
  }

  /** Ends the session, if any; a failure here changes nothing for the technician. */
  async logout(): Promise<void> {
    const token = this.#token;
    if (!token) return;
    await this.call('POST', '/v1/logout', { token }).catch(() => undefined);
    this.#token = undefined;
  }

  #raw(method: string, path: string, body: unknown, timeoutMs: number): Promise<ApiReply> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method, path, headers, timeout: timeoutMs }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} });
          } catch {
            reject(new LocalApiError(res.statusCode ?? 0, `the agent sent a reply that is not JSON (HTTP ${res.statusCode})`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new LocalApiError(0, `the agent did not answer within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof LocalApiError) return reject(e);
        const down = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
        reject(new LocalApiError(0, down ? `the agent is not running (no local API at ${this.socketPath})` : `local API: ${e.message}`));
      });
      req.end(text);
    });
  }
}
