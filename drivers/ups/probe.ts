/**
 * One-shot reading for the technician (`kioskctl ups status`, the install self-test): open the
 * configured back-end, take one reading, close. Never throws for a missing or silent UPS: the
 * answer says what went wrong with a stable code.
 */
import type { UpsConfig } from './config.js';
import { createUpsSource, type UpsDeps } from './create.js';
import { errorCode } from './errors.js';
import type { UpsState } from './state.js';

export type ProbeResult = { ok: true; state: UpsState } | { ok: false; code: string; message: string };

export async function probeUps(cfg: UpsConfig, deps: UpsDeps, attempts = 3): Promise<ProbeResult> {
  const source = createUpsSource(cfg, deps);
  let last: unknown;
  try {
    await source.start();
    // upsd may still say WAIT right after boot, and a Megatec unit may drop its first query.
    for (let i = 0; i < attempts; i++) {
      try {
        return { ok: true, state: await source.read() };
      } catch (e) {
        last = e;
      }
    }
    return { ok: false, code: errorCode(last), message: String(last) };
  } finally {
    await source.stop();
  }
}

const fmt = (v: number | null, unit: string): string => (v === null ? 'unknown' : `${v}${unit}`);

/** Human-readable lines for a terminal. */
export function describeUps(r: ProbeResult): string[] {
  if (!r.ok) return [`UPS: not readable (${r.code})`, r.message];
  const s = r.state;
  const power = s.onBattery ? (s.lowBattery ? 'ON BATTERY, LOW' : 'ON BATTERY') : s.onMains ? 'on mains' : 'unknown';
  return [
    `UPS: ${power} [${s.status.join(' ')}] via ${s.backend}`,
    `model: ${[s.manufacturer, s.model].filter(Boolean).join(' ') || 'unknown'}`,
    `battery: ${fmt(s.chargePct, '%')}${s.chargeEstimated ? ' (estimated from voltage)' : ''}, runtime ${fmt(s.runtimeS, ' s')}, ${fmt(s.batteryVoltage, ' V')}`,
    `input ${fmt(s.inputVoltage, ' V')}, output ${fmt(s.outputVoltage, ' V')}, load ${fmt(s.loadPct, '%')}, temperature ${fmt(s.temperatureC, ' °C')}`,
    ...(s.alarm ? [`alarm: ${s.alarm}`] : []),
  ];
}
