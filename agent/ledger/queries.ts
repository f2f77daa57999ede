/** Read-side queries of the ledger: balance, one transaction, a period, the daily report. */
import type { Queries } from '../store/db.js';
import { toRecord, TXN_COLUMNS, type TxnRecord } from './ledger.js';

/** The running balance after the last movement (0 before the first). */
export async function currentBalance(q: Queries): Promise<number> {
  const row = await q.get<{ b: number }>('SELECT balance_paise AS b FROM wallet_movements ORDER BY id DESC LIMIT 1');
  return row?.b ?? 0;
}

/** The sum of all movements: equal to currentBalance() by construction (checked by the tests). */
export async function sumOfMovements(q: Queries): Promise<number> {
  const row = await q.get<{ s: number | null }>('SELECT sum(amount_paise) AS s FROM wallet_movements');
  return row?.s ?? 0;
}

export async function getTransaction(q: Queries, txnId: string): Promise<TxnRecord | undefined> {
  const row = await q.get<Parameters<typeof toRecord>[0]>(`SELECT ${TXN_COLUMNS} FROM ledger_txns WHERE id = ?`, [txnId]);
  return row ? toRecord(row) : undefined;
}

/** Transactions with from ≤ ts < to (wall-clock ms), oldest first, at most `limit`. */
export async function listTransactions(q: Queries, from: number, to: number, limit: number): Promise<TxnRecord[]> {
  const rows = await q.all<Parameters<typeof toRecord>[0]>(
    `SELECT ${TXN_COLUMNS} FROM ledger_txns WHERE ts >= ? AND ts < ? ORDER BY ts, rowid LIMIT ?`,
    [from, to, limit],
  );
  return rows.map(toRecord);
}

export interface MovementRecord {
  id: number;
  kind: string;
  amountPaise: number;
  balancePaise: number;
  txnId?: string;
  jobId?: string;
  actor?: string;
  note?: string;
  ts: number;
}

export async function recentMovements(q: Queries, limit: number): Promise<MovementRecord[]> {
  const rows = await q.all<{ id: number; kind: string; amount_paise: number; balance_paise: number; txn_id: string | null; job_id: string | null; actor: string | null; note: string | null; ts: number }>(
    'SELECT id, kind, amount_paise, balance_paise, txn_id, job_id, actor, note, ts FROM wallet_movements ORDER BY id DESC LIMIT ?',
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amountPaise: r.amount_paise,
    balancePaise: r.balance_paise,
    ...(r.txn_id !== null ? { txnId: r.txn_id } : {}),
    ...(r.job_id !== null ? { jobId: r.job_id } : {}),
    ...(r.actor !== null ? { actor: r.actor } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
    ts: r.ts,
  }));
}
