/**
 * Printer conditions → the typed events the agent puts on `kiosk/v1/<id>/events` (DESIGN §5:
 * paper out/near end, cover open, …). Edges only: an event when a condition starts or clears,
 * never one per poll. The agent owns publishing (outbox); this module only says what happened.
 */
import type { PrinterStatus } from '../../protocols/escpos/index.js';
import type { PrinterDriver } from './printer.js';
import type { JobEvent, PrintQueue } from './queue.js';

export type PrinterEventType =
  | 'printer.connected'
  | 'printer.disconnected'
  | 'printer.paper_out'
  | 'printer.paper_near_end'
  | 'printer.paper_ok'
  | 'printer.cover_open'
  | 'printer.cover_closed'
  | 'printer.offline'
  | 'printer.online'
  | 'printer.error'
  | 'printer.error_cleared'
  | 'printer.job_uncertain'
  | 'printer.job_failed';

export interface PrinterEvent {
  type: PrinterEventType;
  severity: 'info' | 'warning' | 'critical';
  data: Record<string, string | number | boolean>;
}

const ERRORS = [
  ['cutterError', 'cutter', 'critical'],
  ['unrecoverableError', 'unrecoverable', 'critical'],
  ['recoverableError', 'mechanical', 'warning'],
  ['autoRecoverableError', 'head_overheat', 'warning'],
] as const;

/** Events for the change from `prev` to `next`. A field that becomes known (undefined → x) counts. */
export function statusEvents(prev: PrinterStatus, next: PrinterStatus): PrinterEvent[] {
  const out: PrinterEvent[] = [];
  const rose = (k: keyof PrinterStatus): boolean => next[k] === true && prev[k] !== true;
  const fell = (k: keyof PrinterStatus): boolean => next[k] === false && prev[k] === true;
  if (rose('paperEnd')) out.push({ type: 'printer.paper_out', severity: 'critical', data: { paper: 'out' } });
  else if (next.paperEnd !== true && rose('paperNearEnd')) out.push({ type: 'printer.paper_near_end', severity: 'warning', data: { paper: 'near_end' } });
  if (fell('paperEnd') || (next.paperEnd !== true && fell('paperNearEnd'))) {
    out.push({ type: 'printer.paper_ok', severity: 'info', data: { paper: next.paperNearEnd ? 'near_end' : 'ok' } });
    if (fell('paperEnd') && next.paperNearEnd === true) out.push({ type: 'printer.paper_near_end', severity: 'warning', data: { paper: 'near_end' } });
  }
  if (rose('coverOpen')) out.push({ type: 'printer.cover_open', severity: 'warning', data: {} });
  if (fell('coverOpen')) out.push({ type: 'printer.cover_closed', severity: 'info', data: {} });
  // "Offline" alone, i.e. not already explained by paper or cover.
  const explained = next.paperEnd === true || next.coverOpen === true;
  if (next.online === false && prev.online !== false && !explained) out.push({ type: 'printer.offline', severity: 'critical', data: {} });
  if (next.online === true && prev.online === false) out.push({ type: 'printer.online', severity: 'info', data: {} });
  for (const [k, cause, severity] of ERRORS) {
    if (rose(k)) out.push({ type: 'printer.error', severity, data: { cause } });
    if (fell(k)) out.push({ type: 'printer.error_cleared', severity: 'info', data: { cause } });
  }
  return out;
}

export function jobEvent(e: JobEvent): PrinterEvent | undefined {
  if (e.to === 'uncertain') {
    return { type: 'printer.job_uncertain', severity: 'warning', data: { jobId: e.id, key: e.key, error: e.error ?? '' } };
  }
  if (e.to === 'failed') return { type: 'printer.job_failed', severity: 'warning', data: { jobId: e.id, key: e.key, error: e.error ?? '' } };
  return undefined;
}

/** Subscribes to a driver (and optionally its queue) and reports events; returns an unsubscribe. */
export function watchPrinter(driver: PrinterDriver, queue: PrintQueue | undefined, emit: (e: PrinterEvent) => void): () => void {
  let prev: PrinterStatus = { ...driver.status };
  let wasReady = driver.lifecycle === 'ready';
  const onStatus = (s: PrinterStatus): void => {
    for (const e of statusEvents(prev, s)) emit(e);
    prev = { ...s };
  };
  const onLife = (l: string): void => {
    if (l === 'ready' && !wasReady) {
      emit({ type: 'printer.connected', severity: 'info', data: { statusSupported: driver.statusSupported ?? false } });
    }
    if (l === 'reconnecting' && wasReady) emit({ type: 'printer.disconnected', severity: 'warning', data: {} });
    wasReady = l === 'ready';
  };
  const onJob = (e: JobEvent): void => {
    const ev = jobEvent(e);
    if (ev) emit(ev);
  };
  driver.on('status', onStatus);
  driver.on('lifecycle', onLife);
  queue?.on('job', onJob);
  return () => {
    driver.off('status', onStatus);
    driver.off('lifecycle', onLife);
    queue?.off('job', onJob);
  };
}
