/**
 * `ups.status` tokens [nut:docs/new-drivers.txt; reference §4.3]. Clients must tolerate unknown tokens,
 * so they are kept in `unknown` rather than rejected. OL/OB describe the input line only.
 */
export interface UpsStatusFlags {
  tokens: string[];
  online: boolean;
  onBattery: boolean;
  lowBattery: boolean;
  highBattery: boolean;
  replaceBattery: boolean;
  charging: boolean;
  discharging: boolean;
  bypass: boolean;
  calibrating: boolean;
  off: boolean;
  overload: boolean;
  trim: boolean;
  boost: boolean;
  forcedShutdown: boolean;
  alarm: boolean;
  /** upsd shows WAIT until the driver's first update. */
  waiting: boolean;
  unknown: string[];
}

const KNOWN = {
  OL: 'online',
  OB: 'onBattery',
  LB: 'lowBattery',
  HB: 'highBattery',
  RB: 'replaceBattery',
  CHRG: 'charging',
  DISCHRG: 'discharging',
  BYPASS: 'bypass',
  CAL: 'calibrating',
  OFF: 'off',
  OVER: 'overload',
  TRIM: 'trim',
  BOOST: 'boost',
  FSD: 'forcedShutdown',
  ALARM: 'alarm',
  WAIT: 'waiting',
} as const satisfies Record<string, keyof UpsStatusFlags>;

export function parseUpsStatus(value: string): UpsStatusFlags {
  const tokens = value.split(/\s+/).filter((t) => t !== '');
  const flags: UpsStatusFlags = {
    tokens,
    online: false,
    onBattery: false,
    lowBattery: false,
    highBattery: false,
    replaceBattery: false,
    charging: false,
    discharging: false,
    bypass: false,
    calibrating: false,
    off: false,
    overload: false,
    trim: false,
    boost: false,
    forcedShutdown: false,
    alarm: false,
    waiting: false,
    unknown: [],
  };
  for (const tok of tokens) {
    const key = (KNOWN as Record<string, (typeof KNOWN)[keyof typeof KNOWN]>)[tok];
    if (key) flags[key] = true;
    else flags.unknown.push(tok);
  }
  return flags;
}

/** upsmon's definition of critical: on battery and low battery, or forced shutdown [nut:docs/man/upsmon.txt]. */
export function isCritical(f: Pick<UpsStatusFlags, 'onBattery' | 'lowBattery' | 'forcedShutdown'>): boolean {
  return (f.onBattery && f.lowBattery) || f.forcedShutdown;
}
