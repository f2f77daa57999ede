/**
 * The printer as the ledger and the e-KYC flow see it. The ledger's receipt endpoint and
 * `print.test` job go through `ledgerPrinter`; an accepted e-KYC capture prints its
 * acknowledgement through `ekycPrinter`. A refusal by the rate rule comes back as the ledger's
 * own refusal (422 above-rate, …), not as a printer fault.
 */
import { EscposError, EscposErrorCode } from '../../protocols/escpos/errors.js';
import type { ReceiptPrinter as DriverReceiptPrinter } from '../../drivers/printer/service.js';
import type { EkycReceipt, ReceiptPrinter as EkycReceiptPrinter } from '../ekyc/hooks.js';
import { LedgerError } from '../ledger/errors.js';
import type { RateConfig } from '../ledger/config.js';
import type { ReceiptPrinter as LedgerReceiptPrinter } from '../ledger/printer.js';
import type { Queries } from '../store/db.js';

function asLedgerError(err: unknown): never {
  if (err instanceof EscposError) {
    switch (err.code) {
      case EscposErrorCode.AboveOfficialRate:
        throw new LedgerError('above-rate', err.message);
      case EscposErrorCode.UnknownService:
        throw new LedgerError('unknown-service', err.message);
      case EscposErrorCode.MoneyNotPaise:
        throw new LedgerError('not-paise', err.message);
      case EscposErrorCode.ReceiptInvalid:
        throw new LedgerError('invalid', err.message);
    }
  }
  throw err;
}

export function ledgerPrinter(p: DriverReceiptPrinter): LedgerReceiptPrinter {
  return {
    printReceipt: async (doc, opts) => {
      const q = await p.printReceipt(doc, opts).catch(asLedgerError);
      return { jobId: q.jobId };
    },
    printTest: () => p.printTest(),
  };
}

export interface EkycPrinterDeps {
  printer: DriverReceiptPrinter;
  kioskName: string;
  rates: Record<string, RateConfig>;
  store: Queries;
}

/**
 * The e-KYC acknowledgement. It counts as the transaction's first print in the ledger, so a
 * later print from the receipt endpoint says DUPLICATE.
 */
export function ekycPrinter(d: EkycPrinterDeps): EkycReceiptPrinter {
  return {
    printEkycAck: async (r: EkycReceipt) => {
      const txnId = r.txnId ?? r.captureId;
      await d.printer.printReceipt(
        {
          kind: 'ekyc-ack',
          kioskId: r.kioskId,
          kioskName: d.kioskName,
          operator: r.operator ?? 'kiosk',
          serviceCode: r.service,
          chargedPaise: r.chargedPaise,
          txnId,
          receiptNo: r.receiptNo ?? txnId,
          issuedAt: r.at,
        },
        { rates: d.rates },
      );
      if (r.txnId) await d.store.run('UPDATE ledger_txns SET prints = prints + 1 WHERE id = ?', [r.txnId]);
    },
  };
}

/** Stands in for the e-KYC capability's printer until the printer capability has started. */
export class ForwardingEkycPrinter implements EkycReceiptPrinter {
  current: EkycReceiptPrinter | undefined;
  printEkycAck(r: EkycReceipt): Promise<void> {
    if (!this.current) return Promise.reject(new Error('no receipt printer is connected to the agent'));
    return this.current.printEkycAck(r);
  }
}
