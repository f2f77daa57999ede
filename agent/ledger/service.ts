/**
 * The ledger as the API and the jobs use it: each operation is one SQLite transaction (the fact,
 * its outbox rows, any event), accounted in the outbox after the commit, and a state snapshot
 * when the balance changed.
 */
import type { Store } from '../store/db.js';
import { effectiveMinimum } from './settings.js';
import { recordMovement, recordTransaction, type LedgerEnv, type MovementResult, type Recorded, type TransactionInput } from './ledger.js';
import { PrinterUnavailableError, type ReceiptPrinter } from './printer.js';
import { currentBalance, getTransaction, recentMovements, type MovementRecord } from './queries.js';
import { LedgerError } from './errors.js';

export interface WalletView {
  balancePaise: number;
  minimumPaise: number;
  belowMinimum: boolean;
  /** Shown by the operator console while the wallet is below the minimum. */
  warning?: { en: string; hi: string };
  recent: MovementRecord[];
}

export interface PrintOutcome {
  txnId: string;
  receiptNo: string;
  duplicate: boolean;
  prints: number;
  jobId: string;
}

function rupees(paise: number): string {
  return `Rs ${(paise / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export class LedgerService {
  constructor(
    readonly store: Store,
    readonly env: LedgerEnv,
    private readonly printer: ReceiptPrinter,
    private readonly kioskName: string,
    private readonly changed: () => void,
  ) {}

  async record(input: TransactionInput): Promise<Recorded> {
    const r = await this.store.transaction((tx) => recordTransaction(tx, this.env, input));
    this.env.outbox.committed(...r.added);
    if (!r.duplicate) this.changed();
    return r;
  }

  /** An admin's record of a top-up paid into the e-wallet. */
  async topup(idempotencyKey: string, amountPaise: number, actor: string, note?: string): Promise<MovementResult> {
    if (!Number.isSafeInteger(amountPaise) || amountPaise <= 0) throw new LedgerError('not-paise', 'a top-up is a positive integer number of paise');
    return this.#move({ kind: 'topup', amountPaise, idemKey: `topup:${idempotencyKey}`, actor, ...(note ? { note } : {}) });
  }

  async #move(m: Parameters<typeof recordMovement>[2]): Promise<MovementResult> {
    const r = await this.store.transaction((tx) => recordMovement(tx, this.env, m));
    this.env.outbox.committed(...r.added);
    if (!r.duplicate) this.changed();
    return r;
  }

  async wallet(): Promise<WalletView> {
    const balance = await currentBalance(this.store);
    const minimum = await effectiveMinimum(this.store, this.env.minimumPaise);
    const below = balance < minimum;
    return {
      balancePaise: balance,
      minimumPaise: minimum,
      belowMinimum: below,
      ...(below
        ? {
            warning: {
              en: `The e-wallet holds ${rupees(balance)}, below the required minimum of ${rupees(minimum)}. Top it up.`,
              hi: `ई-वॉलेट में ${rupees(balance)} है, जो आवश्यक न्यूनतम ${rupees(minimum)} से कम है। कृपया टॉप-अप करें।`,
            },
          }
        : {}),
      recent: await recentMovements(this.store, 10),
    };
  }

  /**
   * Prints a transaction's receipt: the first print is the original, every later one DUPLICATE.
   * The count goes up only once the printer's queue has taken the job, so a print refused for
   * want of a printer does not turn the original into a duplicate.
   */
  async print(txnId: string): Promise<PrintOutcome | undefined> {
    const txn = await getTransaction(this.store, txnId);
    if (!txn) return undefined;
    const duplicate = txn.prints > 0;
    const { jobId } = await this.printer.printReceipt(
      {
        kind: txn.serviceCode === 'EKYC' ? 'ekyc-ack' : 'service',
        kioskId: this.env.kioskId,
        kioskName: this.kioskName,
        operator: txn.operator,
        serviceCode: txn.serviceCode,
        chargedPaise: txn.chargedPaise,
        txnId: txn.txnId,
        receiptNo: txn.receiptNo,
        issuedAt: txn.ts,
      },
      { duplicate, rates: this.env.rates },
    );
    const row = await this.store.get<{ prints: number }>('UPDATE ledger_txns SET prints = prints + 1 WHERE id = ? RETURNING prints', [txnId]);
    return { txnId, receiptNo: txn.receiptNo, duplicate, prints: row?.prints ?? txn.prints + 1, jobId };
  }

  async printTest(): Promise<{ ok: boolean; detail?: string }> {
    try {
      return await this.printer.printTest();
    } catch (err) {
      if (err instanceof PrinterUnavailableError) return { ok: false, detail: err.message };
      throw err;
    }
  }
}
