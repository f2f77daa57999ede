/**
 * Printer condition → the DeviceHealth the agent puts in `state.devices.printer`
 * (protocols/telemetry/state.ts: ok | degraded | disconnected | absent | disabled | fault).
 * The detail is one short machine-friendly phrase the dashboard can show as is.
 */
import { paperState, type PaperState, type PrinterStatus } from '../../protocols/escpos/index.js';

export type PrinterHealthState = 'ok' | 'degraded' | 'disconnected' | 'absent' | 'fault';

export interface PrinterHealth {
  state: PrinterHealthState;
  /** e.g. `paper out`, `cover open`, `paper near end`, `no status support`. */
  detail?: string;
  paper: PaperState;
}

export function printerHealth(
  life: 'stopped' | 'opening' | 'ready' | 'reconnecting',
  s: PrinterStatus,
  statusSupported: boolean | undefined,
  everOpened: boolean,
): PrinterHealth {
  const paper = paperState(s);
  if (life !== 'ready') {
    return everOpened ? { state: 'disconnected', detail: 'link lost', paper: 'unknown' } : { state: 'absent', detail: life === 'stopped' ? 'not started' : 'not found', paper: 'unknown' };
  }
  if (s.unrecoverableError) return { state: 'fault', detail: 'unrecoverable error', paper };
  if (s.cutterError) return { state: 'fault', detail: 'cutter error', paper };
  if (s.coverOpen) return { state: 'fault', detail: 'cover open', paper };
  if (s.paperEnd) return { state: 'fault', detail: 'paper out', paper };
  if (s.online === false) return { state: 'fault', detail: 'offline', paper };
  if (s.autoRecoverableError) return { state: 'degraded', detail: 'head overheated', paper };
  if (s.paperNearEnd) return { state: 'degraded', detail: 'paper near end', paper };
  if (statusSupported === false) return { state: 'ok', detail: 'no status support', paper };
  return { state: 'ok', paper };
}
