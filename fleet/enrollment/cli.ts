/**
 * `kiosk-fleet claim create`: one-time claim codes for field technicians, each for one district
 * and valid for a limited time. The code is shown once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { ClaimStore } from './claims.js';

export const CLAIM_USAGE = `Usage: kiosk-fleet claim create --district NAME [options]

Creates one-time claim codes a technician types into \`kioskctl provision\` to enroll a kiosk.

Options:
  --district NAME   the district the kiosk must be provisioned in (required)
  --ttl DURATION    how long the code stays valid: 30m, 12h, 7d (default 24h)
  --count N         how many codes (default 1, at most 500)
  --note TEXT       a note kept with the code (technician, batch)
  --db PATH         fleet database (default ./fleet.db)
  --json            print JSON
  -h, --help        show this help
`;

export class ClaimUsageError extends Error {}

export function parseDuration(raw: string): number {
  const m = /^(\d+)\s*(m|h|d)$/.exec(raw.trim());
  if (!m) throw new ClaimUsageError(`--ttl must look like 30m, 12h or 7d, got '${raw}'`);
  const n = Number(m[1]);
  const ms = n * (m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 86_400_000);
  if (ms < 60_000 || ms > 90 * 86_400_000) throw new ClaimUsageError(`--ttl must be between 1m and 90d, got '${raw}'`);
  return ms;
}

export async function claimCommand(args: string[], io: { stdout: NodeJS.WritableStream }, now = Date.now()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '-h' || sub === '--help' || sub === undefined) {
    io.stdout.write(CLAIM_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'create') throw new ClaimUsageError(`unknown claim command '${sub}' (commands: create)`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        district: { type: 'string' },
        ttl: { type: 'string' },
        count: { type: 'string' },
        note: { type: 'string' },
        db: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new ClaimUsageError((err as Error).message.split('. ')[0] ?? 'bad arguments');
  }
  if (values.help) {
    io.stdout.write(CLAIM_USAGE);
    return 0;
  }
  const district = values.district?.trim();
  if (!district) throw new ClaimUsageError('--district is required');
  if (district.length > 64) throw new ClaimUsageError('--district is at most 64 characters');
  const ttl = parseDuration(values.ttl ?? '24h');
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 500) throw new ClaimUsageError(`--count must be a whole number from 1 to 500, got '${values.count}'`);
  const store = await ClaimStore.open(values.db ?? './fleet.db');
  try {
    const codes = [];
    for (let i = 0; i < count; i++) codes.push(await store.create(district, ttl, now, values.note));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(codes.map((c) => ({ code: c.code, district, expiresAt: new Date(c.expiresAt).toISOString() })))}\n`);
    } else {
      for (const c of codes) io.stdout.write(`${c.code}  district ${district}  valid until ${new Date(c.expiresAt).toISOString()}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
