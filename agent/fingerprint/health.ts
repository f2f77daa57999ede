/**
 * Reader health as the agent reports it: the drivers' own states mapped onto the contract's
 * DeviceHealth (`state` snapshot) and onto the three reader events. A reader that keeps failing
 * its reconnects stays in one reported state, so `state` and the events change on transitions
 * only, never on each retry. Nothing here carries biometric data: counts, codes, paths, models.
 */
import type { R30xHealth } from '../../drivers/fingerprint/r30x/driver.js';
import type { DeviceInfo } from '../../protocols/rd-service/device-info.js';
import type { RdHealth } from '../../protocols/rd-service/health.js';
import type { DeviceHealth } from '../../protocols/telemetry/state.js';

export type ReaderEvent =
  | { type: 'reader.connected'; severity: 'info'; data: { reader: 'r30x' | 'rd'; detail?: string } }
  | { type: 'reader.disconnected'; severity: 'warning'; data: { reader: 'r30x' | 'rd'; code?: string; detail?: string } }
  | { type: 'reader.not_ready'; severity: 'warning'; data: { reader: 'r30x' | 'rd'; status: string; detail?: string } };

const clip = (s: string, max = 200): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** What the reader is, as reported: `ok` only when it can capture now. */
type Reported = 'ok' | 'degraded' | 'absent' | 'disconnected' | 'fault';

/**
 * Follows the R30x driver. `connecting` is not reported: between retries the reader stays in
 * the state it was in, so an unplugged reader is `disconnected` until it is back.
 */
export class R30xHealthTracker {
  #reported: Reported | undefined;
  #everReady = false;

  /** The registry entry and the event for this health report; undefined entry = no change. */
  update(h: R30xHealth): { health?: DeviceHealth; event?: ReaderEvent } {
    const prev = this.#reported;
    let next: Reported;
    switch (h.state) {
      case 'ready':
        next = 'ok';
        this.#everReady = true;
        break;
      case 'disconnected':
        next = this.#everReady ? 'disconnected' : 'absent';
        break;
      case 'failed':
        next = 'fault';
        break;
      default:
        // connecting, stopped: keep what was reported.
        if (prev === undefined) return {};
        next = prev;
    }
    this.#reported = next;
    const health = r30xDeviceHealth(h, next);
    if (next === prev) return { health };
    const err = h.lastError;
    let event: ReaderEvent | undefined;
    if (next === 'ok') {
      event = { type: 'reader.connected', severity: 'info', data: { reader: 'r30x', ...(health.detail ? { detail: health.detail } : {}) } };
    } else if (next === 'fault') {
      event = { type: 'reader.not_ready', severity: 'warning', data: { reader: 'r30x', status: 'failed', ...(err ? { detail: clip(err.message) } : {}) } };
    } else if (!(next === 'absent' && prev === undefined)) {
      // A reader never found at start is reported in `state` only; one that goes away is an event.
      event = { type: 'reader.disconnected', severity: 'warning', data: { reader: 'r30x', ...(err ? { code: err.code, detail: clip(err.message) } : {}) } };
    }
    return { health, ...(event ? { event } : {}) };
  }
}

function r30xDeviceHealth(h: R30xHealth, state: Reported): DeviceHealth {
  const capacity = h.params?.capacity;
  const detail =
    state === 'ok'
      ? `${h.templateCount ?? 0}${capacity ? `/${capacity}` : ''} templates`
      : state === 'absent'
        ? `not found at ${h.path}`
        : state === 'disconnected'
          ? 'unplugged; reconnecting'
          : (h.lastError?.message ?? 'not ready');
  return {
    state,
    detail: clip(detail),
    reader: 'r30x',
    path: h.path,
    ...(h.params ? { params: h.params } : {}),
    ...(h.templateCount !== undefined ? { templateCount: h.templateCount } : {}),
    // Without the time: a reader failing every retry the same way is one unchanged state.
    ...(h.lastError && state !== 'ok' ? { lastError: { code: h.lastError.code, message: clip(h.lastError.message) } } : {}),
  };
}

/** Days before the device certificate's expiry when the RD reader is reported degraded. */
export const CERT_WARN_DAYS = 7;

/** Follows the RD service's health from periodic polls. */
export class RdHealthTracker {
  #last: 'usable' | 'NOTREADY' | 'ABSENT' | undefined;
  #everUsable = false;

  update(h: RdHealth, extra: { port?: number; scheme?: string; info?: string; device?: DeviceInfo; certExpiresAt?: Date }, now: number): { health: DeviceHealth; event?: ReaderEvent } {
    const prev = this.#last;
    const next = h.state === 'READY' || h.state === 'USED' ? 'usable' : h.state;
    this.#last = next;
    if (next === 'usable') this.#everUsable = true;
    const health = rdDeviceHealth(h, extra, now, this.#everUsable);
    if (next === prev) return { health };
    const detail = h.reason ? { detail: clip(h.reason) } : {};
    let event: ReaderEvent | undefined;
    if (next === 'usable') event = { type: 'reader.connected', severity: 'info', data: { reader: 'rd', ...(extra.info ? { detail: clip(extra.info) } : {}) } };
    else if (next === 'NOTREADY') event = { type: 'reader.not_ready', severity: 'warning', data: { reader: 'rd', status: h.state, ...detail } };
    else if (prev !== undefined) event = { type: 'reader.disconnected', severity: 'warning', data: { reader: 'rd', code: 'RD_NOT_FOUND', ...detail } };
    return { health, ...(event ? { event } : {}) };
  }
}

function rdDeviceHealth(
  h: RdHealth,
  extra: { port?: number; scheme?: string; info?: string; device?: DeviceInfo; certExpiresAt?: Date },
  now: number,
  everUsable: boolean,
): DeviceHealth {
  const exp = extra.certExpiresAt?.getTime();
  const expiring = exp !== undefined && exp - now < CERT_WARN_DAYS * 86_400_000;
  let state: Reported;
  let detail: string;
  if (h.state === 'READY' || h.state === 'USED') {
    state = h.state === 'USED' || expiring ? 'degraded' : 'ok';
    detail =
      h.state === 'USED'
        ? 'in use by another application'
        : expiring
          ? `device certificate ${exp <= now ? 'expired' : 'expires'} ${new Date(exp).toISOString().slice(0, 10)}`
          : (extra.info ?? 'ready');
  } else if (h.state === 'NOTREADY') {
    state = 'fault';
    detail = h.reason ?? 'not ready';
  } else {
    state = everUsable ? 'disconnected' : 'absent';
    detail = h.reason ?? 'no RD service found';
  }
  const d = extra.device;
  return {
    state,
    detail: clip(detail),
    reader: 'rd',
    status: h.state,
    ...(extra.port !== undefined ? { port: extra.port, scheme: extra.scheme } : {}),
    ...(d ? { dpId: d.dpId, rdsId: d.rdsId, rdsVer: d.rdsVer, model: d.mi } : {}),
    ...(exp !== undefined ? { certExpiresAt: exp } : {}),
  };
}
