/**
 * What the receipt endpoint needs from the receipt printer (drivers/printer, built separately):
 * print one acknowledgement receipt, marked DUPLICATE when it is a reprint (issue 8 §2), and a
 * test page for the `print.test` job. The fields are those of protocols/escpos ReceiptRequest, so
 * the driver's queue implements this with prepareReceipt() and its DUPLICATE banner.
 */
import type { RateConfig } from './config.js';

export interface ReceiptDoc {
  kind: 'ekyc-ack' | 'service';
  kioskId: string;
  kioskName: string;
  operator: string;
  serviceCode: string;
  chargedPaise: number;
  txnId: string;
  receiptNo: string;
  /** Wall-clock ms of the transaction. */
  issuedAt: number;
}

export interface ReceiptPrinter {
  /** Queues a receipt; resolves once the printer's queue has it (its id), rejects when it cannot. */
  printReceipt(doc: ReceiptDoc, opts: { duplicate: boolean; rates: Record<string, RateConfig> }): Promise<{ jobId: string }>;
  /** Prints a test page; resolves with what the printer reported. */
  printTest(): Promise<{ ok: boolean; detail?: string }>;
}

export class PrinterUnavailableError extends Error {
  override name = 'PrinterUnavailableError';
}

/** Until the printer driver is connected: every print is refused with a clear reason. */
export const noPrinter: ReceiptPrinter = {
  printReceipt: () => Promise.reject(new PrinterUnavailableError('no receipt printer is connected to the agent')),
  printTest: () => Promise.reject(new PrinterUnavailableError('no receipt printer is connected to the agent')),
};
