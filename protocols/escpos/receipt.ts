/**
 * The acknowledgement receipt (पावती) as data, the official rate list, and the rule that a
 * kiosk never charges above the official rate (DESIGN §2). Money is integer paise throughout;
 * formatting to rupees happens only for display. Pure: no I/O, no clock (time is an input).
 */
import { z } from 'zod';
import { EscposError, EscposErrorCode } from './errors.js';

/** Identifiers printed on the receipt and carried in the QR: no separators, no spaces. */
const Id = z.string().regex(/^[A-Za-z0-9._:-]{1,48}$/, 'letters, digits and . _ : - only (max 48)');
const Paise = z.number().int().nonnegative().max(10_000_000_00);

/** One service on the official rate list (configuration, issued by the state). */
export const RateEntry = z.object({
  /** Official rate in paise; 0 for free services such as e-KYC for the citizen. */
  officialPaise: Paise,
  nameEn: z.string().min(1).max(60),
  nameHi: z.string().min(1).max(60),
});
export type RateEntry = z.infer<typeof RateEntry>;

/** Service code → rate. Codes use the Id alphabet. */
export const RateList = z.record(Id, RateEntry);
export type RateList = z.infer<typeof RateList>;

export const ReceiptKind = z.enum(['ekyc-ack', 'service']);
export type ReceiptKind = z.infer<typeof ReceiptKind>;

/** What the agent supplies for a receipt; the rate comes from the rate list, never from here. */
export const ReceiptRequest = z.object({
  kind: ReceiptKind,
  kioskId: Id,
  kioskName: z.string().min(1).max(80),
  operator: z.string().min(1).max(60),
  serviceCode: Id,
  chargedPaise: z.unknown(),
  txnId: Id,
  receiptNo: Id,
  /** Wall-clock ms of the transaction. */
  issuedAt: z.number().int().nonnegative(),
  /** e-KYC only: citizen's name and the last four Aadhaar digits (never the full number). */
  citizenName: z.string().max(80).optional(),
  aadhaarLast4: z.string().regex(/^\d{4}$/).optional(),
});
export type ReceiptRequest = z.input<typeof ReceiptRequest>;

export interface Receipt {
  kind: ReceiptKind;
  kioskId: string;
  kioskName: string;
  operator: string;
  serviceCode: string;
  serviceEn: string;
  serviceHi: string;
  officialPaise: number;
  chargedPaise: number;
  txnId: string;
  receiptNo: string;
  issuedAt: number;
  citizenName?: string;
  aadhaarLast4?: string;
}

/** Throws MoneyNotPaise unless `v` is a non-negative safe integer. */
export function assertPaise(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new EscposError(EscposErrorCode.MoneyNotPaise, `${field} must be a non-negative integer number of paise, got ${String(v)}`, { field, value: v });
  }
  return v;
}

/**
 * Checks the charge against the rate list. Throws UnknownService, MoneyNotPaise or
 * AboveOfficialRate (with both amounts in the context) — the receipt is then refused.
 */
export function checkRate(rates: RateList, serviceCode: string, chargedPaise: unknown): RateEntry {
  const rate = Object.prototype.hasOwnProperty.call(rates, serviceCode) ? rates[serviceCode] : undefined;
  if (!rate) throw new EscposError(EscposErrorCode.UnknownService, `service ${serviceCode} is not on the rate list`, { serviceCode });
  const charged = assertPaise(chargedPaise, 'chargedPaise');
  if (charged > rate.officialPaise) {
    throw new EscposError(
      EscposErrorCode.AboveOfficialRate,
      `charge ${formatRupees(charged)} is above the official rate ${formatRupees(rate.officialPaise)} for ${serviceCode}`,
      { serviceCode, chargedPaise: charged, officialPaise: rate.officialPaise },
    );
  }
  return rate;
}

/** Validates a request and applies the rate rule; the result is what gets printed and signed. */
export function prepareReceipt(req: ReceiptRequest, rates: RateList): Receipt {
  const parsed = ReceiptRequest.safeParse(req);
  if (!parsed.success) {
    throw new EscposError(EscposErrorCode.ReceiptInvalid, `receipt: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const r = parsed.data;
  const rate = checkRate(rates, r.serviceCode, r.chargedPaise);
  const out: Receipt = {
    kind: r.kind, kioskId: r.kioskId, kioskName: r.kioskName, operator: r.operator, serviceCode: r.serviceCode,
    serviceEn: rate.nameEn, serviceHi: rate.nameHi, officialPaise: rate.officialPaise, chargedPaise: r.chargedPaise as number,
    txnId: r.txnId, receiptNo: r.receiptNo, issuedAt: r.issuedAt,
  };
  if (r.citizenName !== undefined) out.citizenName = r.citizenName;
  if (r.aadhaarLast4 !== undefined) out.aadhaarLast4 = r.aadhaarLast4;
  return out;
}

/** 12345678 paise → "₹1,23,456.78" (Indian digit grouping: lakh, crore). */
export function formatRupees(paise: number): string {
  const p = assertPaise(paise, 'amount');
  const rupees = Math.floor(p / 100).toString();
  const frac = (p % 100).toString().padStart(2, '0');
  const last3 = rupees.slice(-3);
  const rest = rupees.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  return `₹${rest ? `${rest},${last3}` : last3}.${frac}`;
}

/** Wall-clock ms → "24-11-2026 13:37 IST". India has one zone, UTC+05:30, and no DST. */
export function formatIst(ms: number): string {
  const d = new Date(ms + 330 * 60_000);
  const two = (n: number): string => n.toString().padStart(2, '0');
  return `${two(d.getUTCDate())}-${two(d.getUTCMonth() + 1)}-${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} IST`;
}
