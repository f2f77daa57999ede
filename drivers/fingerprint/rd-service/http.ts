/**
 * One HTTP exchange with a loopback RD service using its custom verbs. Node's client sends
 * `RDSERVICE`/`DEVICEINFO`/`CAPTURE` as-is (reference §1.1). https is spoken only to a service
 * whose certificate is pinned: drivers install self-signed loopback certificates, so the pinned
 * PEMs are the only trust anchors (the system CA store does not apply), the hostname is not
 * checked (it is always 127.0.0.1), and the handshake fails before any byte is sent to an
 * unpinned service. TLS verification is never switched off globally.
 */
import http from 'node:http';
import https from 'node:https';
import { FingerprintError } from '../errors.js';

export type Scheme = 'http' | 'https';

export interface RdHttpRequest {
  scheme: Scheme;
  port: number;
  method: 'RDSERVICE' | 'DEVICEINFO' | 'CAPTURE';
  path: string;
  body?: string;
  timeoutMs: number;
  /** PEM certificates of the local RD drivers to trust (self-signed). */
  trustedCerts: string[];
  /** Accept any certificate on loopback (opt-in for unprovisioned kiosks). */
  trustAnyLoopbackCert?: boolean;
}

/** Replies bigger than this are not an RD service (a real PidData is tens of kB). */
const MAX_REPLY = 2 * 1024 * 1024;

export function rdRequest(r: RdHttpRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ctx = { method: r.method, port: r.port, scheme: r.scheme };
    const headers: Record<string, string> = { Accept: 'text/xml', Connection: 'close' };
    if (r.body !== undefined) {
      headers['Content-Type'] = 'text/xml; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(r.body));
    }
    const common = { host: '127.0.0.1', port: r.port, path: r.path, method: r.method, headers, agent: false as const };
    if (r.scheme === 'https' && r.trustedCerts.length === 0 && !r.trustAnyLoopbackCert) {
      reject(new FingerprintError('RD_UNREACHABLE', 'No RD-service certificate is configured for https', { context: ctx }));
      return;
    }
    const req =
      r.scheme === 'https'
        ? https.request({
            ...common,
            ca: r.trustedCerts,
            rejectUnauthorized: !r.trustAnyLoopbackCert,
            checkServerIdentity: () => undefined,
          })
        : http.request(common);
    let settled = false;
    const fail = (e: FingerprintError): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(e);
    };
    req.setTimeout(r.timeoutMs, () => fail(new FingerprintError('RD_TIMEOUT', 'The RD service did not answer in time', { context: { ...ctx, timeoutMs: r.timeoutMs } })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      fail(new FingerprintError('RD_UNREACHABLE', 'Could not reach the RD service', { context: { ...ctx, errno: e.code ?? 'error' } }));
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REPLY) fail(new FingerprintError('RD_BAD_RESPONSE', 'The RD service reply is too large', { context: ctx }));
        else parts.push(c);
      });
      res.on('error', () => fail(new FingerprintError('RD_UNREACHABLE', 'The RD service connection broke', { context: ctx })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') });
      });
    });
    req.end(r.body);
  });
}
