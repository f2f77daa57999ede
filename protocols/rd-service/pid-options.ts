/**
 * PidOptions, the CAPTURE request body (reference §1.4), with the reference's defaults:
 * fCount 1, fType 2 (FMR+FIR), format 0 (XML; many drivers answer 210 to protobuf), pidVer 2.0,
 * env P (Mantra fails without env, Morpho refuses S/PP), posh UNKNOWN, and wadh only for e-KYC.
 */
import { RdServiceError } from './errors.js';
import { escapeAttr, parseRoot } from './xml.js';

export interface PidOptionsInput {
  fCount?: number;
  fType?: 0 | 1 | 2;
  format?: 0 | 1;
  pidVer?: '2.0';
  /** Capture timeout in ms: a natural number of at most 5 digits (§1.4, error 160). */
  timeoutMs?: number;
  env?: 'P' | 'PP' | 'S';
  /** 'UNKNOWN' or a comma list of finger positions, one per finger. */
  posh?: string;
  /** Base64 SHA-256 wrapper-API-data hash: e-KYC only (§2.5); omit for plain authentication. */
  wadh?: string;
  otp?: string;
  /** Vendor CustOpts params (e.g. Mantra `mantrakey`). */
  custOpts?: Record<string, string>;
}

export const PID_DEFAULTS = { fCount: 1, fType: 2, format: 0, pidVer: '2.0', timeoutMs: 10_000, env: 'P', posh: 'UNKNOWN' } as const;

const POSH = new Set(['UNKNOWN', ...['LEFT', 'RIGHT'].flatMap((s) => ['THUMB', 'INDEX', 'MIDDLE', 'RING', 'LITTLE'].map((f) => `${s}_${f}`))]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function bad(message: string, field: string): never {
  throw new RdServiceError('RD_BAD_OPTIONS', message, { field });
}

export function buildPidOptions(input: PidOptionsInput = {}): string {
  const o = { ...PID_DEFAULTS, ...input };
  if (!Number.isInteger(o.fCount) || o.fCount < 1 || o.fCount > 10) bad('fCount must be 1–10', 'fCount');
  if (![0, 1, 2].includes(o.fType)) bad('fType must be 0, 1 or 2', 'fType');
  if (![0, 1].includes(o.format)) bad('format must be 0 or 1', 'format');
  if (o.pidVer !== '2.0') bad('pidVer must be 2.0', 'pidVer');
  if (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 1 || o.timeoutMs > 99_999) bad('timeout must be 1–99999 ms', 'timeout');
  if (!['P', 'PP', 'S'].includes(o.env)) bad('env must be P, PP or S', 'env');
  const posh = o.posh.split(',').map((p) => p.trim().toUpperCase());
  if (posh.some((p) => !POSH.has(p)) || (posh[0] !== 'UNKNOWN' && posh.length !== o.fCount)) bad('posh must be UNKNOWN or one finger position per finger', 'posh');
  if (o.wadh !== undefined && (!BASE64.test(o.wadh) || o.wadh.length !== 44)) bad('wadh must be a base64 SHA-256 hash (44 characters)', 'wadh');
  if (o.otp !== undefined && !/^\d{0,8}$/.test(o.otp)) bad('otp must be digits', 'otp');

  const attrs: [string, string][] = [
    ['fCount', String(o.fCount)],
    ['fType', String(o.fType)],
    ['iCount', '0'],
    ['pCount', '0'],
    ['format', String(o.format)],
    ['pidVer', o.pidVer],
    ['timeout', String(o.timeoutMs)],
    ['posh', posh.join(',')],
    ['env', o.env],
  ];
  if (o.otp !== undefined) attrs.push(['otp', o.otp]);
  if (o.wadh !== undefined) attrs.push(['wadh', o.wadh]);
  const opts = attrs.map(([k, v]) => `${k}="${escapeAttr(v)}"`).join(' ');
  const cust = Object.entries(o.custOpts ?? {})
    .map(([k, v]) => `<Param name="${escapeAttr(k)}" value="${escapeAttr(v)}"/>`)
    .join('');
  return `<?xml version="1.0"?><PidOptions ver="1.0"><Opts ${opts}/><CustOpts>${cust}</CustOpts></PidOptions>`;
}

/** Reads the Opts attributes of a PidOptions document (for the simulator). */
export function parsePidOptions(xml: string): Record<string, string> {
  const root = parseRoot(xml, 'PidOptions');
  const opts = root['Opts'];
  if (!opts || typeof opts !== 'object') throw new RdServiceError('RD_SCHEMA', 'PidOptions without Opts');
  return Object.fromEntries(Object.entries(opts as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}
