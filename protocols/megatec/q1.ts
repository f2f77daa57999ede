/**
 * Q1 status reply `(MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7b6b5b4b3b2b1b0` [web:protocols/megatec.txt].
 * Parsed the tolerant way of NUT's blazer driver (reference §1.3): split on whitespace rather than by
 * fixed column, require the first char `(` and the last token to be exactly eight '0'/'1', and turn a
 * non-numeric field (`@@@.@` per the spec, `--.-`/`---.-` per Voltronic-QS and #2958) into "unknown"
 * instead of rejecting the whole reading.
 */
import { fail, MegatecErrorCode, ok, type ParseResult } from './errors.js';
import { cutAtCr, negativeFailure, negativeReply } from './reply.js';

export interface Q1Bits {
  /** b7: utility (mains) failed → NUT OB. */
  utilityFail: boolean;
  /** b6: battery low → LB. */
  batteryLow: boolean;
  /** b5: bypass / boost / buck active; which one is decided from the voltages. */
  bypassBoostBuck: boolean;
  /** b4: UPS failed (NUT: ups.alarm). */
  upsFailed: boolean;
  /** b3: 1 = standby / line-interactive type, 0 = online type. */
  standbyType: boolean;
  /** b2: battery test in progress → CAL. */
  testInProgress: boolean;
  /** b1: shutdown active → FSD. Some units always report 1 (NUT option `ignoresab`). */
  shutdownActive: boolean;
  /** b0: beeper on (bogus on some models). */
  beeperOn: boolean;
}

/** The eight status bits in the order of the reply's last token, b7 first (web:protocols/megatec.txt). */
export const Q1_BITS = [
  'utilityFail',
  'batteryLow',
  'bypassBoostBuck',
  'upsFailed',
  'standbyType',
  'testInProgress',
  'shutdownActive',
  'beeperOn',
] as const satisfies readonly (keyof Q1Bits)[];

/** The seven measured fields of a Q1 reply, in reply order; null = unknown. */
export interface Q1Readings {
  inputVoltage: number | null;
  /** Holds the glitch voltage until the next query. */
  inputFaultVoltage: number | null;
  outputVoltage: number | null;
  /** Percent of maximum load, not absolute. */
  loadPct: number | null;
  /** Input frequency per Megatec (output per the Voltronic docs). */
  frequencyHz: number | null;
  /** Per cell (S.SS) on online units, whole pack (SS.S) on standby units. */
  batteryVoltage: number | null;
  temperatureC: number | null;
}

export interface Q1Status extends Q1Readings {
  bits: Q1Bits;
  /** The eight status characters as received. */
  rawBits: string;
}

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** A field is a number or unknown; placeholders and padding (`@`, `-`, `#`) are unknown. */
export function parseField(token: string | undefined): number | null {
  if (token === undefined || !NUMBER.test(token)) return null;
  const n = Number(token);
  return Number.isFinite(n) ? n : null;
}

export function parseQ1(reply: string): ParseResult<Q1Status> {
  const negative = negativeReply('Q1', reply);
  if (negative) return negativeFailure(negative, reply);
  const line = cutAtCr(reply).trim();
  if (!line.startsWith('(')) return fail(MegatecErrorCode.BadPrefix, 'Q1 reply must start with "("', reply);
  const tokens = line.slice(1).trim().split(/\s+/);
  const rawBits = tokens[tokens.length - 1] ?? '';
  if (!/^[01]{8}$/.test(rawBits)) {
    return fail(MegatecErrorCode.BadStatusBits, 'Q1 status token must be eight 0/1 characters', reply);
  }
  if (tokens.length !== 8) {
    return fail(MegatecErrorCode.BadFieldCount, `Q1 reply has ${tokens.length} fields, expected 8`, reply);
  }
  const bits = Object.fromEntries(Q1_BITS.map((name, i) => [name, rawBits[i] === '1'])) as Record<keyof Q1Bits, boolean>;
  return ok({
    inputVoltage: parseField(tokens[0]),
    inputFaultVoltage: parseField(tokens[1]),
    outputVoltage: parseField(tokens[2]),
    loadPct: parseField(tokens[3]),
    frequencyHz: parseField(tokens[4]),
    batteryVoltage: parseField(tokens[5]),
    temperatureC: parseField(tokens[6]),
    bits,
    rawBits,
  });
}

export type RegulationMode = 'TRIM' | 'BYPASS' | 'BOOST';

/**
 * b5 says only "bypass/boost/buck"; NUT decides which from output/input voltage
 * [nut:drivers/nutdrv_qx_blazer-common.c]: vo < 0.5·vi → reading rejected; < 0.95 → TRIM;
 * < 1.05 → BYPASS; < 1.5 → BOOST; else rejected. Unknown voltages give no decision.
 */
export function regulationMode(s: Pick<Q1Status, 'inputVoltage' | 'outputVoltage' | 'bits'>): RegulationMode | null {
  if (!s.bits.bypassBoostBuck) return null;
  const vi = s.inputVoltage;
  const vo = s.outputVoltage;
  if (vi === null || vo === null || vi <= 0) return null;
  if (vo < 0.5 * vi) return null;
  if (vo < 0.95 * vi) return 'TRIM';
  if (vo < 1.05 * vi) return 'BYPASS';
  if (vo < 1.5 * vi) return 'BOOST';
  return null;
}

export interface Q1StatusOptions {
  /** NUT `ignoresab`: the unit always reports b1 = 1, so it must not mean FSD. */
  ignoreShutdownBit?: boolean;
}

/** The NUT `ups.status` tokens this reading stands for (reference §1.4), so both back-ends share one mapping. */
export function q1StatusTokens(s: Q1Status, opts: Q1StatusOptions = {}): string[] {
  const tokens: string[] = [s.bits.utilityFail ? 'OB' : 'OL'];
  if (s.bits.batteryLow) tokens.push('LB');
  const mode = regulationMode(s);
  if (mode) tokens.push(mode);
  if (s.bits.testInProgress) tokens.push('CAL');
  if (s.bits.shutdownActive && !opts.ignoreShutdownBit) tokens.push('FSD');
  if (s.bits.upsFailed) tokens.push('ALARM');
  return tokens;
}
