/**
 * The ledger (issue 8 §1): service transactions and e-wallet movements in integer paise, each
 * written in the caller's SQLite transaction together with its outbox row (DESIGN §4), so a
 * fact and its report to central exist together or not at all.
 *
 * The wallet model (DESIGN §2, prepaid): a successful transaction takes the charge out of the
 * e-wallet (the state's share, the citizen paid the operator in cash) and puts the commission in;
 * an e-KYC (free to the citizen, Rs 18 to the agency) therefore adds Rs 18. Top-ups, credits from
 * central and adjustments to central's balance are movements of their own. The balance is the sum
 * of all movements; each movement row also keeps the running balance after it.
 *
 * Other capabilities record a transaction inside their own transaction with `recordTransaction`
 * (e.g. e-KYC, issue 7), then call `outbox.committed(...added)` after the commit.
 */
import type { Added, Outbox, TimeSource } from '../outbox/outbox.js';
import { recordEvent } from '../outbox/events.js';
import type { Queries } from '../store/db.js';
import { getKv, nextCounter, setKv } from '../store/kv.js';
import type { RateConfig } from './config.js';
import { LedgerError } from './errors.js';
import { currentBalance } from './queries.js';
import { effectiveMinimum } from './settings.js';

export interface LedgerEnv {
  outbox: Outbox;
  time: TimeSource;
  kioskId: string;
  /** The official rate list (configuration). */
  rates: Record<string, RateConfig>;
  /** Minimum e-wallet balance from the configuration; a `config.set` job may override it. */
  minimumPaise: number;
}

/** Builds the environment from the agent context (what a capability has at hand). */
export function ledgerEnv(ctx: {
  outbox: Outbox;
  clock: TimeSource;
  loaded: { config: { kiosk: { id: string }; ledger: { rates: Record<string, RateConfig> }; wallet: { minimumPaise: number } } };
}): LedgerEnv {
  const cfg = ctx.loaded.config;
  return { outbox: ctx.outbox, time: ctx.clock, kioskId: cfg.kiosk.id, rates: cfg.ledger.rates, minimumPaise: cfg.wallet.minimumPaise };
}

export interface TransactionInput {
  /** The caller's key for this transaction: the same key never records twice (e.g. the capture id). */
  idempotencyKey: string;
  serviceCode: string;
  /** What the citizen paid, integer paise; refused above the official rate. */
  chargedPaise: number;
  /** The logged-in operator who delivered the service. */
  operator: string;
  /** `failed`: recorded for the books, with no wallet effect and not counted as activity. */
  status?: 'success' | 'failed';
  /** What it belongs to, e.g. an e-KYC capture id. */
  ref?: string;
}

export interface TxnRecord {
  txnId: string;
  receiptNo: string;
  serviceCode: string;
  chargedPaise: number;
  officialPaise: number;
  commissionPaise: number;
  operator: string;
  status: 'success' | 'failed';
  ref?: string;
  ts: number;
  synced: boolean;
  prints: number;
}

export interface Recorded {
  txn: TxnRecord;
  /** Outbox rows to pass to `outbox.committed()` after the commit (empty for a duplicate). */
  added: Added[];
  /** True when the idempotency key was already recorded with the same content. */
  duplicate: boolean;
  balancePaise: number;
}

export type MovementKind = 'topup' | 'debit' | 'credit' | 'adjustment';

const IDEM = /^[A-Za-z0-9._:-]{1,96}$/;

export function isPaise(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

interface TxnRow {
  id: string;
  receipt_no: string;
  service_code: string;
  charged_paise: number;
  official_paise: number;
  commission_paise: number;
  operator: string;
  status: 'success' | 'failed';
  ref: string | null;
  fingerprint: string;
  ts: number;
  synced: number;
  prints: number;
}

export const TXN_COLUMNS =
  'id, receipt_no, service_code, charged_paise, official_paise, commission_paise, operator, status, ref, fingerprint, ts, synced, prints';

export function toRecord(r: TxnRow): TxnRecord {
  return {
    txnId: r.id,
    receiptNo: r.receipt_no,
    serviceCode: r.service_code,
    chargedPaise: r.charged_paise,
    officialPaise: r.official_paise,
    commissionPaise: r.commission_paise,
    operator: r.operator,
    status: r.status,
    ...(r.ref !== null ? { ref: r.ref } : {}),
    ts: r.ts,
    synced: r.synced === 1,
    prints: r.prints,
  };
}

/** The rate of a service, or a refusal: unknown service, not paise, above the official rate. */
export function checkCharge(rates: Record<string, RateConfig>, serviceCode: string, chargedPaise: unknown): RateConfig {
  const rate = Object.prototype.hasOwnProperty.call(rates, serviceCode) ? rates[serviceCode] : undefined;
  if (!rate) throw new LedgerError('unknown-service', `service ${serviceCode} is not on the rate list`);
  if (!isPaise(chargedPaise) || chargedPaise < 0) {
    throw new LedgerError('not-paise', `the charge must be a non-negative integer number of paise, got ${String(chargedPaise)}`);
  }
  if (chargedPaise > rate.officialPaise) {
    throw new LedgerError('above-rate', `the charge ${chargedPaise} paise is above the official rate ${rate.officialPaise} paise for ${serviceCode}`);
  }
  return rate;
}

/**
 * Records one service transaction inside `tx`: the ledger row, its wallet movements, the
 * `transactions` outbox message and, when the wallet falls below the minimum, the
 * `wallet.below_minimum` event. Throws LedgerError (nothing written) on a refusal.
 */
export async function recordTransaction(tx: Queries, env: LedgerEnv, input: TransactionInput): Promise<Recorded> {
  if (!IDEM.test(input.idempotencyKey)) throw new LedgerError('invalid', 'idempotency key: letters, digits and . _ : - (max 96)');
  const status = input.status ?? 'success';
  const fingerprint = JSON.stringify([input.serviceCode, input.chargedPaise, input.operator, status, input.ref ?? null]);
  const existing = await tx.get<TxnRow>(`SELECT ${TXN_COLUMNS} FROM ledger_txns WHERE idem_key = ?`, [input.idempotencyKey]);
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      throw new LedgerError('idempotency-conflict', `idempotency key ${input.idempotencyKey} was used for a different transaction (${existing.id})`);
    }
    return { txn: toRecord(existing), added: [], duplicate: true, balancePaise: await currentBalance(tx) };
  }
  const rate = checkCharge(env.rates, input.serviceCode, input.chargedPaise);
  const charged = input.chargedPaise;
  const commission = status === 'success' ? rate.commissionPaise : 0;
  const delta = status === 'success' ? commission - charged : 0;
  const before = await currentBalance(tx);
  if (delta < 0 && before + delta < 0) {
    throw new LedgerError('insufficient-balance', `the e-wallet holds ${before} paise; the transaction needs ${-delta} paise`);
  }

  const n = await nextCounter(tx, 'ledger:txn');
  const txnId = `${env.kioskId}-T${n}`;
  const receiptNo = `${env.kioskId}-R${n}`;
  const now = env.time.now();
  await tx.run(
    'INSERT INTO ledger_txns (id, idem_key, service_code, charged_paise, official_paise, commission_paise, operator, receipt_no, status, ref, fingerprint, ts, mono, boot, synced) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [txnId, input.idempotencyKey, input.serviceCode, charged, rate.officialPaise, commission, input.operator, receiptNo, status, input.ref ?? null, fingerprint, now.ts, now.mono, now.boot, now.synced ? 1 : 0],
  );
  const added: Added[] = [];
  let balance = before;
  if (status === 'success') {
    // Two rows, not one net row: the reports show what was remitted and what was earned.
    if (charged > 0) balance = (await insertMovement(tx, env, { kind: 'debit', amountPaise: -charged, idemKey: `txn:${txnId}:debit`, txnId }, balance)).balance;
    if (commission > 0) balance = (await insertMovement(tx, env, { kind: 'credit', amountPaise: commission, idemKey: `txn:${txnId}:commission`, txnId, note: 'commission' }, balance)).balance;
  }
  added.push(
    await env.outbox.add(tx, 'transactions', {
      entry: 'transaction',
      txnId,
      receiptNo,
      serviceCode: input.serviceCode,
      chargedPaise: charged,
      officialPaise: rate.officialPaise,
      commissionPaise: commission,
      operator: input.operator,
      status,
      ...(input.ref !== undefined ? { ref: input.ref } : {}),
      walletDeltaPaise: delta,
      balancePaise: balance,
    }),
  );
  added.push(...(await checkMinimum(tx, env, balance)));
  const txn: TxnRecord = {
    txnId, receiptNo, serviceCode: input.serviceCode, chargedPaise: charged, officialPaise: rate.officialPaise,
    commissionPaise: commission, operator: input.operator, status, ...(input.ref !== undefined ? { ref: input.ref } : {}),
    ts: now.ts, synced: now.synced, prints: 0,
  };
  return { txn, added, duplicate: false, balancePaise: balance };
}

export interface MovementInput {
  kind: MovementKind;
  /** Signed integer paise: positive into the wallet. */
  amountPaise: number;
  /** The same key never moves money twice (e.g. `job:<id>`). */
  idemKey: string;
  txnId?: string;
  jobId?: string;
  actor?: string;
  note?: string;
}

async function insertMovement(tx: Queries, env: LedgerEnv, m: MovementInput, before: number): Promise<{ id: number; balance: number }> {
  if (!isPaise(m.amountPaise)) throw new LedgerError('not-paise', `amount must be an integer number of paise, got ${String(m.amountPaise)}`);
  const balance = before + m.amountPaise;
  const now = env.time.now();
  const { lastID } = await tx.run(
    'INSERT INTO wallet_movements (kind, amount_paise, balance_paise, idem_key, txn_id, job_id, actor, note, ts, mono, boot, synced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [m.kind, m.amountPaise, balance, m.idemKey, m.txnId ?? null, m.jobId ?? null, m.actor ?? null, m.note ?? null, now.ts, now.mono, now.boot, now.synced ? 1 : 0],
  );
  return { id: lastID, balance };
}

export interface MovementResult {
  movementId: number;
  balancePaise: number;
  amountPaise: number;
  added: Added[];
  duplicate: boolean;
}

/**
 * A wallet movement of its own (top-up, credit from central, adjustment) inside `tx`, with its
 * `transactions` outbox message. A key already used returns the first movement unchanged.
 */
export async function recordMovement(tx: Queries, env: LedgerEnv, m: MovementInput): Promise<MovementResult> {
  const existing = await tx.get<{ id: number; balance_paise: number; amount_paise: number }>(
    'SELECT id, balance_paise, amount_paise FROM wallet_movements WHERE idem_key = ?',
    [m.idemKey],
  );
  if (existing) return { movementId: existing.id, balancePaise: existing.balance_paise, amountPaise: existing.amount_paise, added: [], duplicate: true };
  const { id: movementId, balance } = await insertMovement(tx, env, m, await currentBalance(tx));
  const added = [
    await env.outbox.add(tx, 'transactions', {
      entry: 'wallet',
      movementId,
      kind: m.kind,
      amountPaise: m.amountPaise,
      balancePaise: balance,
      ...(m.jobId !== undefined ? { jobId: m.jobId } : {}),
      ...(m.actor !== undefined ? { actor: m.actor } : {}),
      ...(m.note !== undefined ? { note: m.note } : {}),
    }),
    ...(await checkMinimum(tx, env, balance)),
  ];
  return { movementId, balancePaise: balance, amountPaise: m.amountPaise, added, duplicate: false };
}

/** Emits `wallet.below_minimum` once per crossing below the minimum (the flag is in the same transaction). */
async function checkMinimum(tx: Queries, env: LedgerEnv, balance: number): Promise<Added[]> {
  const minimum = await effectiveMinimum(tx, env.minimumPaise);
  const below = balance < minimum;
  const was = (await getKv(tx, 'wallet.below')) === '1';
  if (below === was) return [];
  await setKv(tx, 'wallet.below', below ? '1' : '0');
  if (!below) return [];
  return [await recordEvent(tx, env.outbox, 'wallet.below_minimum', 'warning', { balancePaise: balance, minimumPaise: minimum })];
}

/** Re-evaluates the minimum after it changed (a `config.set` job) without a movement. */
export function recheckMinimum(tx: Queries, env: LedgerEnv): Promise<Added[]> {
  return currentBalance(tx).then((b) => checkMinimum(tx, env, b));
}
