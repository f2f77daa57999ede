/**
 * Battery charge from voltage, the way NUT's nutdrv_qx/blazer do it when the UPS gives no % (reference
 * §1.7). It is a rough figure: only a resting battery's voltage tracks its charge, and under load the
 * estimate reads low (nutdrv_qx man page). The state marks it `estimated` for that reason.
 */

/** NUT's pack-count candidates, largest first [nut:drivers/nutdrv_qx.c; nut:drivers/blazer.c `blazer_packs`]. */
const PACK_MULTIPLIERS = [120, 100, 80, 60, 48, 36, 30, 24, 18, 12, 8, 6, 4, 3, 2, 1, 0.5] as const;

export interface BatteryConfig {
  /** Pack voltage at 0 % (`default.battery.voltage.low`). */
  voltageLow?: number | undefined;
  /** Pack voltage at 100 % (`default.battery.voltage.high`). */
  voltageHigh?: number | undefined;
  /** Nominal pack voltage, normally from the F reply (`battery.voltage.nominal`). */
  voltageNominal?: number | undefined;
  /** Multiplier from the reported voltage to the pack (`override.battery.packs`); autodetected if absent. */
  packs?: number | undefined;
}

/** 12 V → 10.40/13.00 V: low = 104/120·nominal, high = 130/120·nominal [nut:drivers/nutdrv_qx.c `qx_initbattery`]. */
export function limitsFromNominal(nominal: number): { low: number; high: number } {
  return { low: (104 / 120) * nominal, high: (130 / 120) * nominal };
}

/**
 * The first (largest) multiplier m with m·V ≤ 1.25·nominal; if even that lands below 0.8·nominal the
 * reading does not fit any pack count and autodetect gives up (null). Example: nominal 24, 2.27 V/cell → 12.
 */
export function detectPacks(voltage: number, nominal: number): number | null {
  if (!(voltage > 0) || !(nominal > 0)) return null;
  for (const m of PACK_MULTIPLIERS) {
    if (m * voltage <= 1.25 * nominal) return m * voltage < 0.8 * nominal ? null : m;
  }
  return null;
}

export interface ChargeEstimate {
  /** 0..100, rounded like NUT's `%.0f`. */
  chargePct: number;
  packs: number;
  low: number;
  high: number;
}

/**
 * charge = (packs·V − low)/(high − low)·100, clamped to 0..100. Multiplying by packs always follows
 * NUT 2.8.0, the version Debian 12 ships (current NUT only multiplies behind a flag, #1279/#1652).
 * Returns null when the limits cannot be known (no nominal and no configured high/low).
 */
export function estimateCharge(voltage: number | null, cfg: BatteryConfig): ChargeEstimate | null {
  if (voltage === null || !Number.isFinite(voltage) || voltage <= 0) return null;
  const nominal = cfg.voltageNominal;
  let low = cfg.voltageLow;
  let high = cfg.voltageHigh;
  if ((low === undefined || high === undefined) && nominal !== undefined && nominal > 0) {
    const derived = limitsFromNominal(nominal);
    low ??= derived.low;
    high ??= derived.high;
  }
  if (low === undefined || high === undefined || !(high > low)) return null;
  let packs = cfg.packs;
  if (packs === undefined) {
    packs = nominal !== undefined ? (detectPacks(voltage, nominal) ?? undefined) : 1;
    if (packs === undefined) return null;
  }
  const pct = ((packs * voltage - low) / (high - low)) * 100;
  return { chargePct: Math.round(Math.min(100, Math.max(0, pct))), packs, low, high };
}
