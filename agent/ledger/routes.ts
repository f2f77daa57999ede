/**
 * Local API routes of the ledger (issue 8 §2). Operators record transactions, print receipts and
 * read the wallet and reports; admins record top-ups (an admin may do everything an operator may).
 * Money is integer paise in and out.
 */
import { z } from 'zod';
import { problems } from '../api/problem.js';
import { route, type AnyRoute } from '../api/router.js';
import type { Clock } from '../clock.js';
import { listTransactions } from './queries.js';
import { asProblem } from './problems.js';
import { dailyReport, istDate, istDayStart } from './report.js';
import type { LedgerService } from './service.js';

const Paise = z.number().int();
const Key = z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, 'idempotency key: 8–64 letters, digits and . _ : -');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD (IST)');
/** A bound of a period: wall-clock ms, or an IST date meaning its midnight. */
const Bound = z.union([z.string().regex(/^\d{1,15}$/).transform(Number), Day.transform(istDayStart)]);

export const TxnView = z.object({
  txnId: z.string(),
  receiptNo: z.string(),
  serviceCode: z.string(),
  chargedPaise: Paise,
  officialPaise: Paise,
  commissionPaise: Paise,
  operator: z.string(),
  status: z.enum(['success', 'failed']),
  ref: z.string().optional(),
  ts: z.number().int(),
  synced: z.boolean(),
  prints: z.number().int(),
});

const Movement = z.object({
  id: z.number().int(),
  kind: z.string(),
  amountPaise: Paise,
  balancePaise: Paise,
  txnId: z.string().optional(),
  jobId: z.string().optional(),
  actor: z.string().optional(),
  note: z.string().optional(),
  ts: z.number().int(),
});

export const WalletResponse = z.object({
  balancePaise: Paise,
  minimumPaise: Paise,
  belowMinimum: z.boolean(),
  warning: z.object({ en: z.string(), hi: z.string() }).optional(),
  recent: z.array(Movement),
});

export interface LedgerRouteDeps {
  ledger: Pick<LedgerService, 'record' | 'topup' | 'wallet' | 'print' | 'store' | 'env'>;
  clock: Pick<Clock, 'now'>;
}

export function ledgerRoutes(d: LedgerRouteDeps): AnyRoute[] {
  const today = () => istDate(d.clock.now().ts);
  return [
    route({
      method: 'POST',
      path: '/v1/transactions',
      summary: 'Record a service transaction (refused above the official rate); the same idempotency key records once',
      role: 'operator',
      body: z.object({
        idempotencyKey: Key,
        serviceCode: z.string().min(1).max(48),
        chargedPaise: Paise.nonnegative(),
        status: z.enum(['success', 'failed']).default('success'),
        ref: z.string().max(64).optional(),
      }),
      response: z.object({ transaction: TxnView, balancePaise: Paise, duplicate: z.boolean(), wallet: WalletResponse.pick({ belowMinimum: true, warning: true }) }),
      status: 201,
      handler: async ({ body, caller }) => {
        const r = await d.ledger
          .record({ idempotencyKey: body.idempotencyKey, serviceCode: body.serviceCode, chargedPaise: body.chargedPaise, operator: caller!.user, status: body.status, ...(body.ref ? { ref: body.ref } : {}) })
          .catch(asProblem);
        const w = await d.ledger.wallet();
        return { transaction: r.txn, balancePaise: r.balancePaise, duplicate: r.duplicate, wallet: { belowMinimum: w.belowMinimum, ...(w.warning ? { warning: w.warning } : {}) } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/transactions',
      summary: 'Transactions in a period: from ≤ ts < to, each wall-clock ms or an IST date (default today)',
      role: 'operator',
      query: z.object({ from: Bound.optional(), to: Bound.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: z.object({ from: z.number().int(), to: z.number().int(), transactions: z.array(TxnView) }),
      handler: async ({ query }) => {
        const from = query.from ?? istDayStart(today());
        const to = query.to ?? from + 86_400_000;
        return { from, to, transactions: await listTransactions(d.ledger.store, from, to, query.limit) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/wallet',
      summary: 'e-wallet balance, the minimum, a warning when below it, and the latest movements',
      role: 'operator',
      response: WalletResponse,
      handler: () => d.ledger.wallet(),
    }),
    route({
      method: 'POST',
      path: '/v1/wallet/topups',
      summary: 'Record a top-up paid into the e-wallet (admin)',
      role: 'admin',
      body: z.object({ idempotencyKey: Key, amountPaise: Paise.positive().max(100_000_000_00), note: z.string().max(200).optional() }),
      response: z.object({ movementId: z.number().int(), amountPaise: Paise, balancePaise: Paise, duplicate: z.boolean() }),
      status: 201,
      handler: async ({ body, caller }) => {
        const r = await d.ledger.topup(body.idempotencyKey, body.amountPaise, caller!.user, body.note).catch(asProblem);
        return { movementId: r.movementId, amountPaise: r.amountPaise, balancePaise: r.balancePaise, duplicate: r.duplicate };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/rates',
      summary: 'The official rate list with commissions',
      role: 'operator',
      response: z.record(z.string(), z.object({ officialPaise: Paise, commissionPaise: Paise, nameEn: z.string(), nameHi: z.string() })),
      handler: () => Promise.resolve(d.ledger.env.rates),
    }),
    route({
      method: 'POST',
      path: '/v1/receipts/:txn/print',
      summary: 'Print the receipt of a transaction; every print after the first is marked DUPLICATE',
      role: 'operator',
      params: z.object({ txn: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/) }),
      response: z.object({ txnId: z.string(), receiptNo: z.string(), duplicate: z.boolean(), prints: z.number().int(), jobId: z.string() }),
      handler: async ({ params }) => {
        const r = await d.ledger.print(params.txn).catch(asProblem);
        if (!r) throw problems.notFound('transaction');
        return r;
      },
    }),
    route({
      method: 'GET',
      path: '/v1/reports/daily',
      summary: "One IST day's transactions by service, totals and the wallet from opening to closing (default today)",
      role: 'operator',
      query: z.object({ date: Day.optional() }),
      response: z.object({
        date: z.string(),
        kioskId: z.string(),
        transactions: z.object({ success: z.number().int(), failed: z.number().int() }),
        byService: z.array(z.object({ serviceCode: z.string(), count: z.number().int(), chargedPaise: Paise, commissionPaise: Paise })),
        totals: z.object({ chargedPaise: Paise, commissionPaise: Paise }),
        wallet: z.object({ openingPaise: Paise, closingPaise: Paise, topupsPaise: Paise, creditsPaise: Paise, debitsPaise: Paise, adjustmentsPaise: Paise }),
        untrustedTimes: z.boolean(),
      }),
      handler: ({ query }) => dailyReport(d.ledger.store, d.ledger.env.kioskId, query.date ?? today()),
    }),
  ];
}
