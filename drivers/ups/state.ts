/**
 * The one normalised UPS state every back-end produces, so the power policy, `state` telemetry and
 * `kioskctl ups status` never care whether the data came from upsd or straight from a Megatec unit.
 * Flags follow NUT's `ups.status` meanings (reference §4.3); numbers are null when unknown.
 */
import { estimateCharge, q1StatusTokens, type BatteryConfig, type Q1Status, type Rating, type VendorInfo } from '../../protocols/megatec/index.js';
import { parseUpsStatus } from '../../protocols/nut/index.js';

export type UpsBackend = 'nut' | 'megatec-serial' | 'megatec-hid';

export interface UpsState {
  backend: UpsBackend;
  /** Monotonic ms (Clock.now) when the reading was taken. */
  at: number;
  /** OL: input power present. */
  onMains: boolean;
  /** OB: running from the battery. */
  onBattery: boolean;
  /** LB. */
  lowBattery: boolean;
  /** CHRG. */
  charging: boolean;
  /** BYPASS: load fed straight from mains, no battery protection. */
  bypass: boolean;
  /** CAL: battery test / calibration running. */
  test: boolean;
  /** FSD: the UPS (or upsd) says a shutdown is imminent. */
  shutdownPending: boolean;
  /** UPS-reported fault or alarm (Megatec b4, NUT ALARM / ups.alarm). */
  fault: boolean;
  overload: boolean;
  replaceBattery: boolean;
  /** Charge %, 0..100. */
  chargePct: number | null;
  /** True when the charge is NUT-style voltage arithmetic rather than reported by the UPS. */
  chargeEstimated: boolean;
  /** Seconds left on battery, when the UPS reports it. */
  runtimeS: number | null;
  inputVoltage: number | null;
  outputVoltage: number | null;
  batteryVoltage: number | null;
  loadPct: number | null;
  temperatureC: number | null;
  frequencyHz: number | null;
  manufacturer: string | null;
  model: string | null;
  alarm: string | null;
  /** NUT-style status tokens, e.g. ["OB", "LB"]. */
  status: string[];
}

function num(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function str(v: string | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

export interface NutReading {
  state: UpsState;
  /** `WAIT`: upsd has not heard from the driver yet; not fresh data. */
  waiting: boolean;
}

/** Maps `LIST VAR` output (NUT names, reference §4.3 and nut-names.txt) to the normalised state. */
export function stateFromNutVars(vars: ReadonlyMap<string, string>, at: number): NutReading {
  const f = parseUpsStatus(vars.get('ups.status') ?? '');
  const alarm = str(vars.get('ups.alarm'));
  return {
    waiting: f.waiting || f.tokens.length === 0,
    state: {
      backend: 'nut',
      at,
      onMains: f.online,
      onBattery: f.onBattery,
      lowBattery: f.lowBattery,
      charging: f.charging,
      bypass: f.bypass,
      test: f.calibrating,
      shutdownPending: f.forcedShutdown,
      fault: f.alarm || alarm !== null,
      overload: f.overload,
      replaceBattery: f.replaceBattery,
      chargePct: num(vars.get('battery.charge')),
      chargeEstimated: false,
      runtimeS: num(vars.get('battery.runtime')),
      inputVoltage: num(vars.get('input.voltage')),
      outputVoltage: num(vars.get('output.voltage')),
      batteryVoltage: num(vars.get('battery.voltage')),
      loadPct: num(vars.get('ups.load')),
      temperatureC: num(vars.get('ups.temperature')),
      frequencyHz: num(vars.get('input.frequency')),
      manufacturer: str(vars.get('device.mfr') ?? vars.get('ups.mfr')),
      model: str(vars.get('device.model') ?? vars.get('ups.model')),
      alarm,
      status: f.tokens,
    },
  };
}

export interface MegatecContext {
  backend: 'megatec-serial' | 'megatec-hid';
  rating?: Rating | undefined;
  vendor?: VendorInfo | undefined;
  battery: BatteryConfig;
  ignoreShutdownBit?: boolean | undefined;
}

/** Maps a Q1 reading (plus the once-read F/I replies) to the normalised state. */
export function stateFromQ1(q1: Q1Status, ctx: MegatecContext, at: number): UpsState {
  const tokens = q1StatusTokens(q1, { ignoreShutdownBit: ctx.ignoreShutdownBit ?? false });
  const nominal = ctx.battery.voltageNominal ?? ctx.rating?.batteryVoltage ?? undefined;
  const estimate = estimateCharge(q1.batteryVoltage, { ...ctx.battery, voltageNominal: nominal });
  return {
    backend: ctx.backend,
    at,
    onMains: !q1.bits.utilityFail,
    onBattery: q1.bits.utilityFail,
    lowBattery: q1.bits.batteryLow,
    // Q1 carries no charger state (Voltronic QBV/QGS would; reference §1.9): never claimed.
    charging: false,
    bypass: tokens.includes('BYPASS'),
    test: q1.bits.testInProgress,
    shutdownPending: tokens.includes('FSD'),
    fault: q1.bits.upsFailed,
    overload: false,
    replaceBattery: false,
    chargePct: estimate?.chargePct ?? null,
    chargeEstimated: estimate !== null,
    runtimeS: null,
    inputVoltage: q1.inputVoltage,
    outputVoltage: q1.outputVoltage,
    batteryVoltage: q1.batteryVoltage,
    loadPct: q1.loadPct,
    temperatureC: q1.temperatureC,
    frequencyHz: q1.frequencyHz,
    manufacturer: ctx.vendor?.manufacturer ?? null,
    model: ctx.vendor?.model ?? null,
    alarm: q1.bits.upsFailed ? 'UPS failed (Q1 b4)' : null,
    status: tokens,
  };
}

/** One short line for the heartbeat summary, e.g. "ups:OB 62% 540s". */
export function summary(s: UpsState | null, commLost = false): string {
  if (commLost || !s) return 'ups:comm-lost';
  const parts = [`ups:${s.status.join('+') || '?'}`];
  if (s.chargePct !== null) parts.push(`${s.chargePct}%${s.chargeEstimated ? '~' : ''}`);
  if (s.runtimeS !== null) parts.push(`${Math.round(s.runtimeS)}s`);
  return parts.join(' ');
}
