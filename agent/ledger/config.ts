/**
 * Configuration of issue 8: the official rate list, the e-wallet minimum, the inactivity rule and
 * the PIN logins. Defaults follow the state rules of DESIGN §2.
 */
import { z } from 'zod';

const Paise = z.number().int().nonnegative().max(10_000_000_00);
/** Service codes use the receipt's identifier alphabet (protocols/escpos/receipt.ts). */
const ServiceCode = z.string().regex(/^[A-Za-z0-9._:-]{1,48}$/, 'service code: letters, digits and . _ : - (max 48)');

export const RateConfig = z.strictObject({
  officialPaise: Paise.describe('Official rate, integer paise (0 for services free to the citizen)'),
  commissionPaise: Paise.default(0).describe('What the kiosk agency earns per successful transaction, integer paise'),
  nameEn: z.string().min(1).max(60),
  nameHi: z.string().min(1).max(60),
});
export type RateConfig = z.infer<typeof RateConfig>;

/** e-KYC is free to the citizen; the agency earns Rs 18 (MP Samagra campaign, DESIGN §2). */
export const DEFAULT_RATES: Record<string, RateConfig> = {
  EKYC: { officialPaise: 0, commissionPaise: 1800, nameEn: 'Aadhaar e-KYC', nameHi: 'आधार ई-केवाईसी' },
};

export const LedgerConfig = z.strictObject({
  rates: z
    .record(ServiceCode, RateConfig)
    .default(DEFAULT_RATES)
    .describe('The official rate list: service code → rate and commission. A charge above the rate is refused.'),
});

export const WalletConfig = z.strictObject({
  minimumPaise: Paise.default(20_000_00).describe('Minimum e-wallet balance, integer paise (default Rs 20,000)'),
});

export const InactivityConfig = z.strictObject({
  warnDays: z
    .array(z.number().int().min(1).max(365))
    .max(10)
    .default([20, 25, 28, 29])
    .describe('Days without a transaction on which to warn (default 20, 25, 28, 29)'),
  breachDays: z.number().int().min(1).max(365).default(30).describe('Days without a transaction that make a breach (default 30)'),
  penaltyPaise: Paise.default(1_000_00).describe('The fine for a breach, integer paise (default Rs 1,000)'),
  checkEverySec: z.number().int().min(1).max(3600).default(300).describe('How often the count is checked and saved, s (default 300)'),
});

export const AuthUser = z.strictObject({
  user: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'user: lower-case letters, digits and . _ - (max 64)'),
  name: z.string().min(1).max(80).optional(),
  role: z.enum(['operator', 'admin']),
  pinHash: z
    .string()
    .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'scrypt$N$r$p$salt$hash, as written by hashPin()')
    .describe('scrypt hash of the PIN (agent/auth/pin.ts hashPin); a PIN is never stored in clear'),
  fingerprintSlots: z
    .array(z.number().int().min(0).max(2999))
    .max(10)
    .optional()
    .describe('R30x library slots enrolled for this user (kioskctl fingerprint enroll --for USER): a finger matching one logs the user in'),
});

export const AuthConfig = z.strictObject({
  users: z.array(AuthUser).max(50).default([]).describe('Personal logins (DESIGN §2: never shared)'),
  maxFailures: z.number().int().min(1).max(20).default(5).describe('Wrong PINs in a row that lock a login (default 5)'),
  lockoutSec: z.number().int().min(1).max(86_400).default(900).describe('How long a locked login stays locked, s (default 900)'),
  tokenTtlSec: z
    .number()
    .int()
    .min(30)
    .max(86_400)
    .default(900)
    .describe('Idle timeout of a login, s (default 900): each authenticated request renews it, up to sessionMaxSec'),
  sessionMaxSec: z
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(43_200)
    .describe('Absolute end of a login however busy, s from the PIN or finger (default 43,200: 12 h)'),
}).superRefine((auth, ctx) => {
  // A slot stands for one person: logins are personal (DESIGN §2).
  const owner = new Map<number, string>();
  auth.users.forEach((u, i) => {
    for (const slot of u.fingerprintSlots ?? []) {
      const other = owner.get(slot);
      if (other !== undefined && other !== u.user) ctx.addIssue({ code: 'custom', path: ['users', i, 'fingerprintSlots'], message: `slot ${slot} is already ${other}'s` });
      owner.set(slot, u.user);
    }
  });
});

export const BUSINESS_DEFAULTS = {
  ledger: { rates: DEFAULT_RATES },
  wallet: { minimumPaise: 20_000_00 },
  inactivity: { warnDays: [20, 25, 28, 29], breachDays: 30, penaltyPaise: 1_000_00, checkEverySec: 300 },
  auth: { users: [], maxFailures: 5, lockoutSec: 900, tokenTtlSec: 900, sessionMaxSec: 43_200 },
};
