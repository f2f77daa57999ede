/**
 * `kiosk/v1/<id>/transactions` (QoS 1): each ledger entry, for central's reconciliation and
 * reports (issue 8). Two kinds, told apart by `entry`:
 *  - `transaction`: a service delivered at the counter, with the charge, the official rate, the
 *    commission and what it did to the e-wallet;
 *  - `wallet`: a wallet movement of its own (a top-up, a credit from central, an adjustment to
 *    central's balance).
 * Money is integer paise (DESIGN §2). The wallet balance after each entry is included, so central
 * can check the kiosk's arithmetic entry by entry.
 */
import { z } from 'zod';
import { Meta } from './meta.js';

const Paise = z.number().int().nonnegative().describe('Integer paise');
const SignedPaise = z.number().int().describe('Integer paise; negative takes money out of the wallet');
const LedgerId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

export const TransactionEntry = Meta.extend({
  entry: z.literal('transaction'),
  txnId: LedgerId,
  receiptNo: LedgerId,
  serviceCode: LedgerId.describe('Code on the official rate list'),
  chargedPaise: Paise.describe('What the citizen paid; never above officialPaise'),
  officialPaise: Paise.describe('The official rate at the time of the transaction'),
  commissionPaise: Paise.describe('What the kiosk agency earns for it'),
  operator: z.string().min(1).max(64),
  status: z.enum(['success', 'failed']),
  ref: z.string().max(64).optional().describe('What it belongs to, e.g. an e-KYC capture id'),
  walletDeltaPaise: SignedPaise.describe('Commission minus charge for a success; 0 for a failure'),
  balancePaise: SignedPaise.describe('Wallet balance after this entry'),
}).meta({ id: 'TransactionEntry', title: 'Service transaction' });

export const WalletEntry = Meta.extend({
  entry: z.literal('wallet'),
  movementId: z.number().int().positive(),
  kind: z.enum(['topup', 'credit', 'adjustment', 'debit']),
  amountPaise: SignedPaise,
  balancePaise: SignedPaise.describe('Wallet balance after this movement'),
  jobId: z.string().max(64).optional().describe('The job from central that caused it'),
  actor: z.string().max(64).optional().describe('The admin who recorded it'),
  note: z.string().max(200).optional(),
}).meta({ id: 'WalletEntry', title: 'Wallet movement' });

export const TransactionMessage = z
  .discriminatedUnion('entry', [TransactionEntry, WalletEntry])
  .meta({ id: 'TransactionMessage', title: 'Ledger entry' });
export type TransactionMessage = z.infer<typeof TransactionMessage>;
export type TransactionEntry = z.infer<typeof TransactionEntry>;
export type WalletEntry = z.infer<typeof WalletEntry>;
