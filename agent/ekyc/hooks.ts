/**
 * What the capture queue needs from the rest of the kiosk, as small interfaces: the RD-service
 * client (drivers/fingerprint), the ledger (agent/ledger, issue 8) and the receipt printer
 * (drivers/printer). Each is injected, so the queue is tested with fakes and wired to the real
 * ones by the capability.
 */
import type { PidCapture, PidOptionsInput } from '../../protocols/rd-service/index.js';
import type { Added } from '../outbox/outbox.js';
import type { Queries } from '../store/db.js';

/** Takes one fingerprint through the RD service; RdServiceClient implements it. */
export interface CaptureSource {
  capture(input: PidOptionsInput): Promise<PidCapture>;
}

/** An accepted e-KYC as the ledger records it (DESIGN §2: free to the citizen, Rs 18 to the kiosk). */
export interface EkycTransactionInput {
  /** The capture id: applying the same result twice records one transaction. */
  idempotencyKey: string;
  captureId: string;
  service: string;
  /** What the citizen paid and the official rate, paise: 0 for e-KYC. */
  chargedPaise: number;
  officialPaise: number;
  commissionPaise: number;
  operator?: string;
  /** Wall-clock time the result was applied, ms. */
  at: number;
  authRef?: string;
}

export interface RecordedTransaction {
  txnId?: string;
  receiptNo?: string;
  /** Outbox rows the ledger added inside the transaction; accounted after commit. */
  added?: Added[];
}

/**
 * Records the transaction inside the caller's transaction (the capture's state change and the
 * ledger entry commit together or not at all).
 */
export type RecordTransaction = (tx: Queries, input: EkycTransactionInput) => Promise<RecordedTransaction | void>;

export interface EkycReceipt {
  kioskId: string;
  captureId: string;
  service: string;
  commissionPaise: number;
  chargedPaise: number;
  officialPaise: number;
  at: number;
  operator?: string;
  txnId?: string;
  receiptNo?: string;
  authRef?: string;
}

/** Prints the e-KYC acknowledgement; the printer driver's durable queue implements it. */
export interface ReceiptPrinter {
  printEkycAck(receipt: EkycReceipt): Promise<void>;
}
