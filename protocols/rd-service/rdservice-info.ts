/**
 * The reply to `RDSERVICE` on the port root (reference §1.2):
 *   <RDService status="READY|NOTREADY|USED" info="…"><Interface id="CAPTURE" path="…"/>…</RDService>
 *
 * Interface paths are found by id and normalised: vendors emit `/rd/capture`, `/capture`,
 * `/127.0.0.1:11102/capture`, `http://127.0.0.1:11100/rd/capture`, with stray whitespace, single
 * quotes and in any order. A path naming a host that is not loopback is refused: the agent sends
 * biometric captures only to a service on this machine.
 */
import { z } from 'zod';
import { RdServiceError } from './errors.js';
import { parseRoot } from './xml.js';

export type RdStatus = 'READY' | 'NOTREADY' | 'USED';

export interface RdServiceInfo {
  status: RdStatus;
  /** The status as sent, when it was not one of the three (treated as NOTREADY). */
  rawStatus: string;
  /** Free-text driver name, e.g. "Mantra_RD_Service". */
  info: string;
  capturePath: string | undefined;
  deviceInfoPath: string | undefined;
}

const schema = z.object({
  status: z.string().default(''),
  info: z.string().default(''),
  Interface: z.array(z.object({ id: z.string(), path: z.string() }).loose()).default([]),
}).loose();

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[?::1\]?)$/i;
const HOSTISH = /^(\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-f:.]+\])(?::\d{1,5})?$|^[a-z0-9.-]+:\d{1,5}$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/:\d{1,5}$/, '').replace(/^\[(.*)\]$/, '[$1]'));
}

/** Turns any vendor spelling of an interface path into `/a/b`; throws on a foreign host. */
export function normaliseInterfacePath(raw: string): string {
  let s = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(s);
  if (scheme) {
    const host = scheme[2]!;
    if (!isLoopbackHost(host)) throw new RdServiceError('RD_NON_LOOPBACK', 'interface path names a host that is not this machine', { host: host.slice(0, 64) });
    s = scheme[3]!;
  }
  const segments = s.split('/').filter((x) => x.length > 0);
  if (segments.length > 0 && HOSTISH.test(segments[0]!)) {
    const host = segments.shift()!;
    if (!isLoopbackHost(host)) throw new RdServiceError('RD_NON_LOOPBACK', 'interface path names a host that is not this machine', { host: host.slice(0, 64) });
  }
  if (segments.some((x) => x === '..' || x === '.') || segments.some((x) => !/^[A-Za-z0-9._~!$&'()*+,;=:@%?-]+$/.test(x))) {
    throw new RdServiceError('RD_BAD_PATH', 'interface path has characters a URL path cannot carry', { length: raw.length });
  }
  return `/${segments.join('/')}`;
}

export function parseRdServiceInfo(xml: string): RdServiceInfo {
  const parsed = schema.safeParse(parseRoot(xml, 'RDService'));
  if (!parsed.success) throw new RdServiceError('RD_SCHEMA', 'RDService reply does not have the expected shape');
  const { status, info, Interface } = parsed.data;
  const find = (id: string): string | undefined => {
    const hit = Interface.find((i) => i.id.trim().toUpperCase() === id);
    return hit ? normaliseInterfacePath(hit.path) : undefined;
  };
  const upper = status.trim().toUpperCase();
  return {
    status: upper === 'READY' || upper === 'USED' ? upper : 'NOTREADY',
    rawStatus: status,
    info: info.trim(),
    capturePath: find('CAPTURE'),
    deviceInfoPath: find('DEVICEINFO'),
  };
}

/** Builds an RDService reply (used by the simulator; the attributes are escaped). */
export function buildRdServiceInfo(status: string, info: string, interfaces: { id: string; path: string }[], quote: '"' | "'" = '"'): string {
  const q = quote;
  const attr = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(q === '"' ? /"/g : /'/g, q === '"' ? '&quot;' : '&apos;');
  const items = interfaces.map((i) => `  <Interface id=${q}${attr(i.id)}${q} path=${q}${attr(i.path)}${q} />`).join('\n');
  return `<?xml version="1.0"?>\n<RDService status=${q}${attr(status)}${q} info=${q}${attr(info)}${q}>\n${items}\n</RDService>\n`;
}
