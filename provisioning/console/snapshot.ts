/**
 * Replies of the home screen's refresh (GET /v1/status, /v1/wallet, /v1/inactivity, /v1/printer,
 * /v1/ekyc/captures/:id) folded into the snapshot. Bodies are read defensively: a field the
 * agent does not send shows as unknown, never as a crash.
 */
import type { Text } from './i18n.js';
import type { CaptureItem, EkycCounts, Health, Snapshot, Tag } from './model.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

function text(v: unknown): Text | undefined {
  const o = obj(v);
  const en = str(o['en']);
  const hi = str(o['hi']);
  return en && hi ? { en, hi } : undefined;
}

export function foldSnapshot(snap: Snapshot, tag: Tag, body: Record<string, unknown>, now: number): Snapshot {
  switch (tag) {
    case 'status': {
      const k = obj(body['kiosk']);
      const devices: Record<string, Health> = {};
      for (const [name, h] of Object.entries(obj(body['devices']))) {
        const o = obj(h);
        if (typeof o['state'] === 'string') devices[name] = o as Health;
      }
      const ekyc = ekycCounts(body['ekyc']);
      const { ekyc: _was, ...rest } = snap;
      return {
        ...rest,
        kiosk: { id: str(k['id']) ?? '?', ...(str(k['name']) ? { name: str(k['name'])! } : {}) },
        ...(ekyc ? { ekyc } : {}),
        link: str(obj(body['link'])['state']) ?? 'unknown',
        queueDepth: num(obj(body['queue'])['depth']) ?? 0,
        devices,
        at: now,
      };
    }
    case 'wallet': {
      const w = text(body['warning']);
      return {
        ...snap,
        wallet: { balancePaise: num(body['balancePaise']) ?? 0, minimumPaise: num(body['minimumPaise']) ?? 0, belowMinimum: body['belowMinimum'] === true, ...(w ? { warning: w } : {}) },
      };
    }
    case 'inactivity': {
      const w = text(body['warning']);
      const warnDays = Array.isArray(body['warnDays']) ? body['warnDays'].filter((d): d is number => typeof d === 'number') : [];
      return {
        ...snap,
        inactivity: { days: num(body['days']) ?? 0, breachDay: num(body['breachDay']) ?? 30, breachOn: str(body['breachOn']) ?? '', warnDays, ...(w ? { warning: w } : {}) },
      };
    }
    case 'printer': {
      const h = obj(body['health']);
      const bits = obj(body['status']);
      const uncertain = Array.isArray(body['uncertain']) ? body['uncertain'].length : 0;
      return {
        ...snap,
        printer: {
          configured: body['configured'] === true,
          queued: num(body['queued']) ?? 0,
          uncertain,
          ...(str(h['paper']) ? { paper: str(h['paper'])! } : {}),
          ...(str(h['state']) ? { state: str(h['state'])! } : {}),
          ...(str(h['detail']) ? { detail: str(h['detail'])! } : {}),
          ...(typeof bits['coverOpen'] === 'boolean' ? { coverOpen: bits['coverOpen'] } : {}),
        },
      };
    }
    default:
      return snap;
  }
}

/** The status's `ekyc` section; undefined when the agent sends none (e-KYC not configured, an older agent). */
function ekycCounts(v: unknown): EkycCounts | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = obj(v);
  const today = obj(o['today']);
  const n = (x: unknown) => num(x) ?? 0;
  return {
    queued: n(o['queued']),
    sent: n(o['sent']),
    today: { accepted: n(today['accepted']), rejected: n(today['rejected']), duplicate: n(today['duplicate']), expired: n(today['expired']) },
  };
}

/** A capture view (POST/GET /v1/ekyc/captures) as the console keeps it. */
export function captureItem(body: Record<string, unknown>, samagraTail: string): CaptureItem {
  return {
    id: str(body['id']) ?? '?',
    state: str(body['state']) ?? 'unknown',
    samagraTail,
    receiptPrinted: body['receiptPrinted'] === true,
    transactionRecorded: body['transactionRecorded'] === true,
    ...(str(body['code']) ? { code: str(body['code'])! } : {}),
    ...(str(body['reason']) ? { reason: str(body['reason'])! } : {}),
  };
}

export const FINAL_CAPTURE_STATES = new Set(['accepted', 'rejected', 'duplicate', 'expired']);

/** Whether a capture still changes: not final, or accepted with its receipt still to print. */
export function captureOpen(c: CaptureItem): boolean {
  return !FINAL_CAPTURE_STATES.has(c.state) || (c.state === 'accepted' && !c.receiptPrinted);
}

/**
 * The UPS line and charge from its health entry: `line`, `chargePct` (on mains too) and
 * `charging`; an agent that sends no `chargePct` has `NN%` in the detail on battery.
 */
export function upsView(h: Health | undefined): { line?: string; chargePct?: number; charging?: boolean } {
  if (!h) return {};
  const line = typeof h['line'] === 'string' ? h['line'] : undefined;
  const m = /(\d{1,3})%/.exec(h.detail ?? '');
  const charge = typeof h['chargePct'] === 'number' ? h['chargePct'] : m ? Number(m[1]) : undefined;
  return { ...(line ? { line } : {}), ...(charge !== undefined ? { chargePct: charge } : {}), ...(h['charging'] === true ? { charging: true } : {}) };
}

/** The fingerprint readers the agent reports: the UIDAI RD service (e-KYC) and the R30x module (logins). */
export function readers(devices: Record<string, Health> | undefined): { name: string; health: Health }[] {
  const out: { name: string; health: Health }[] = [];
  const rd = devices?.['rdService'];
  if (rd) out.push({ name: 'RD', health: rd });
  const fp = devices?.['fingerprint'];
  if (fp) out.push({ name: fp['reader'] === 'r30x' ? 'R30x' : 'FP', health: fp });
  return out;
}
