/**
 * The daily report the nodal officer checks (issue 8 §2): one IST day's transactions by service,
 * what was charged and earned, and the wallet from opening to closing balance.
 */
import type { Queries } from '../store/db.js';

/** India has one zone, UTC+05:30, and no DST. */
export const IST_OFFSET_MS = 330 * 60_000;

/** Wall-clock ms of 00:00 IST on `date` (YYYY-MM-DD). */
export function istDayStart(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) - IST_OFFSET_MS;
}

/** The IST calendar date (YYYY-MM-DD) of a wall-clock time. */
export function istDate(ts: number): string {
  return new Date(ts + IST_OFFSET_MS).toISOString().slice(0, 10);
}

export interface DailyReport {
  date: string;
  kioskId: string;
  transactions: { success: number; failed: number };
  byService: { serviceCode: string; count: number; chargedPaise: number; commissionPaise: number }[];
  totals: { chargedPaise: number; commissionPaise: number };
  wallet: { openingPaise: number; closingPaise: number; topupsPaise: number; creditsPaise: number; debitsPaise: number; adjustmentsPaise: number };
  /** Whether any entry of the day was stamped while the clock was not trusted. */
  untrustedTimes: boolean;
}

export async function dailyReport(q: Queries, kioskId: string, date: string): Promise<DailyReport> {
  const from = istDayStart(date);
  const to = from + 86_400_000;
  const counts = await q.all<{ status: string; n: number }>(
    'SELECT status, count(*) AS n FROM ledger_txns WHERE ts >= ? AND ts < ? GROUP BY status',
    [from, to],
  );
  const byService = await q.all<{ serviceCode: string; count: number; chargedPaise: number; commissionPaise: number }>(
    "SELECT service_code AS serviceCode, count(*) AS count, sum(charged_paise) AS chargedPaise, sum(commission_paise) AS commissionPaise FROM ledger_txns WHERE ts >= ? AND ts < ? AND status = 'success' GROUP BY service_code ORDER BY service_code",
    [from, to],
  );
  const opening = await q.get<{ b: number }>('SELECT balance_paise AS b FROM wallet_movements WHERE ts < ? ORDER BY id DESC LIMIT 1', [from]);
  const closing = await q.get<{ b: number }>('SELECT balance_paise AS b FROM wallet_movements WHERE ts < ? ORDER BY id DESC LIMIT 1', [to]);
  const kinds = await q.all<{ kind: string; s: number }>(
    'SELECT kind, sum(amount_paise) AS s FROM wallet_movements WHERE ts >= ? AND ts < ? GROUP BY kind',
    [from, to],
  );
  const untrusted = await q.get<{ n: number }>(
    'SELECT (SELECT count(*) FROM ledger_txns WHERE ts >= ? AND ts < ? AND synced = 0) + (SELECT count(*) FROM wallet_movements WHERE ts >= ? AND ts < ? AND synced = 0) AS n',
    [from, to, from, to],
  );
  const kind = (k: string) => kinds.find((x) => x.kind === k)?.s ?? 0;
  return {
    date,
    kioskId,
    transactions: { success: counts.find((c) => c.status === 'success')?.n ?? 0, failed: counts.find((c) => c.status === 'failed')?.n ?? 0 },
    byService,
    totals: {
      chargedPaise: byService.reduce((s, x) => s + x.chargedPaise, 0),
      commissionPaise: byService.reduce((s, x) => s + x.commissionPaise, 0),
    },
    wallet: {
      openingPaise: opening?.b ?? 0,
      closingPaise: closing?.b ?? 0,
      topupsPaise: kind('topup'),
      creditsPaise: kind('credit'),
      debitsPaise: kind('debit'),
      adjustmentsPaise: kind('adjustment'),
    },
    untrustedTimes: (untrusted?.n ?? 0) > 0,
  };
}
