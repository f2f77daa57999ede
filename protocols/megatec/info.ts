/**
 * F (rating) and I (vendor) replies [web:protocols/megatec.txt; reference §1.5]. Both are cosmetic or
 * once-only: some UPSes lock up when asked (NUT options `norating`, `novendor`), so the driver may
 * skip them, and a failure here never makes the UPS "unreachable".
 */
import { fail, MegatecErrorCode, ok, type ParseResult } from './errors.js';
import { parseField } from './q1.js';
import { cutAtCr, negativeFailure, negativeReply } from './reply.js';

export interface Rating {
  /** Rated voltage (NUT input.voltage.nominal; the Voltronic docs call it output nominal). */
  voltage: number | null;
  /** Rated current (NUT input.current.nominal). */
  current: number | null;
  /** Nominal battery voltage (battery.voltage.nominal): drives the charge estimate. */
  batteryVoltage: number | null;
  frequencyHz: number | null;
}

/** `#MMM.M QQQ SS.SS RR.R`, e.g. `#220.0 000 024.0 50.0`; split on whitespace like Q1. */
export function parseF(reply: string): ParseResult<Rating> {
  const negative = negativeReply('F', reply);
  if (negative) return negativeFailure(negative, reply);
  const line = cutAtCr(reply).trim();
  if (!line.startsWith('#')) return fail(MegatecErrorCode.BadPrefix, 'F reply must start with "#"', reply);
  const tokens = line.slice(1).trim().split(/\s+/);
  if (tokens.length !== 4) return fail(MegatecErrorCode.BadFieldCount, `F reply has ${tokens.length} fields, expected 4`, reply);
  return ok({
    voltage: parseField(tokens[0]),
    current: parseField(tokens[1]),
    batteryVoltage: parseField(tokens[2]),
    frequencyHz: parseField(tokens[3]),
  });
}

export interface VendorInfo {
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
}

/** Blank or dash-only columns (`-------------`) are the spec's "unavailable". */
function text(s: string): string | null {
  // eslint-disable-next-line no-control-regex
  const v = s.replace(/[\x00-\x1f\x7f-\xff]/g, '').trim();
  return v === '' || /^-+$/.test(v) ? null : v;
}

/**
 * `#` + 15-char company, space, 10-char model, space, 10-char version. NUT 2.8.0 reads columns
 * 1–15, 17–26, 28–37 [nut@v2.8.0:drivers/nutdrv_qx_megatec.c]; values are trimmed because real
 * units pad with spaces (#3075).
 */
export function parseI(reply: string): ParseResult<VendorInfo> {
  const negative = negativeReply('I', reply);
  if (negative) return negativeFailure(negative, reply);
  const line = cutAtCr(reply);
  const start = line.indexOf('#');
  if (start < 0 || line.slice(0, start).trim() !== '') {
    return fail(MegatecErrorCode.BadPrefix, 'I reply must start with "#"', reply);
  }
  const body = line.slice(start);
  return ok({
    manufacturer: text(body.slice(1, 16)),
    model: text(body.slice(17, 27)),
    firmware: text(body.slice(28, 38)),
  });
}
