/** The difference between the alerts open for a kiosk and those its rules say are active now. */
import type { AlertChange, OpenAlert } from '../store/repository.js';
import type { ActiveAlert } from './rules.js';

export function diffAlerts(kioskId: string, open: readonly OpenAlert[], active: readonly ActiveAlert[], now: number): AlertChange[] {
  const changes: AlertChange[] = [];
  const byKind = new Map(open.map((a) => [a.kind, a]));
  for (const a of active) {
    const cur = byKind.get(a.kind);
    byKind.delete(a.kind);
    if (!cur) changes.push({ kioskId, kind: a.kind, action: 'open', severity: a.severity, detail: a.detail, at: now, openedAt: now });
    else if (cur.severity !== a.severity || cur.detail !== a.detail) {
      changes.push({ kioskId, kind: a.kind, action: 'update', severity: a.severity, detail: a.detail, at: now, openedAt: cur.openedAt });
    }
  }
  for (const cur of byKind.values()) {
    changes.push({ kioskId, kind: cur.kind, action: 'clear', severity: cur.severity, detail: cur.detail, at: now, openedAt: cur.openedAt });
  }
  return changes;
}
