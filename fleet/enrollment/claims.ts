/**
 * One-time claim codes. Only a hash of each code is stored, so a copy of the fleet database does
 * not hand out enrollments. Consuming a claim is one conditional UPDATE, so two fleet instances
 * racing on the same code cannot both succeed. The table lives in the fleet database beside the
 * telemetry tables but belongs to this module alone (created if missing).
 */
import { createHash, randomInt } from 'node:crypto';
import { SqliteDb } from '../store/sqlite.js';
import type { ClaimRefusal } from '../../protocols/telemetry/claim.js';

// No 0/O, 1/I/L: codes are read out over the phone.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export interface Claim {
  district: string;
  expiresAt: number;
  createdAt: number;
  usedAt: number | null;
  usedBy: string | null;
  note: string | null;
}

export type ConsumeResult = { ok: true } | { ok: false; code: ClaimRefusal; message: string };

export function hashCode(code: string): string {
  return createHash('sha256').update(code.trim().toUpperCase()).digest('hex');
}

export function newClaimCode(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${group()}-${group()}-${group()}`;
}

export class ClaimStore {
  private constructor(private readonly db: SqliteDb) {}

  static async open(path: string): Promise<ClaimStore> {
    const db = await SqliteDb.open(path);
    await db.exec(`CREATE TABLE IF NOT EXISTS provisioning_claims (
      code_hash TEXT PRIMARY KEY,
      district TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER,
      used_by TEXT,
      note TEXT
    )`);
    await db.exec(`CREATE TABLE IF NOT EXISTS provisioning_enrollments (
      kiosk_id TEXT NOT NULL,
      serial TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      district TEXT NOT NULL,
      inventory TEXT NOT NULL,
      enrolled_at INTEGER NOT NULL,
      claim_hash TEXT,
      spki_sha256 TEXT,
      certificate TEXT,
      PRIMARY KEY (kiosk_id, serial)
    )`);
    return new ClaimStore(db);
  }

  async create(district: string, ttlMs: number, now: number, note?: string): Promise<{ code: string; expiresAt: number }> {
    const code = newClaimCode();
    const expiresAt = now + ttlMs;
    await this.db.run('INSERT INTO provisioning_claims (code_hash, district, created_at, expires_at, note) VALUES (?, ?, ?, ?, ?)', [
      hashCode(code),
      district,
      now,
      expiresAt,
      note ?? null,
    ]);
    return { code, expiresAt };
  }

  async get(code: string): Promise<Claim | undefined> {
    const r = await this.db.get<{ district: string; created_at: number; expires_at: number; used_at: number | null; used_by: string | null; note: string | null }>(
      'SELECT * FROM provisioning_claims WHERE code_hash = ?',
      [hashCode(code)],
    );
    return r && { district: r.district, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, usedBy: r.used_by, note: r.note };
  }

  /** Checks the claim and marks it used by `kioskId` in one step; says why when it refuses. */
  async consume(code: string, kioskId: string, district: string, now: number): Promise<ConsumeResult> {
    const claim = await this.get(code);
    if (!claim) return { ok: false, code: 'claim_unknown', message: 'no such claim code' };
    if (claim.usedAt !== null) return { ok: false, code: 'claim_used', message: `claim code already used (by ${claim.usedBy ?? '?'})` };
    if (claim.expiresAt <= now) return { ok: false, code: 'claim_expired', message: `claim code expired at ${new Date(claim.expiresAt).toISOString()}` };
    if (claim.district.toLowerCase() !== district.toLowerCase()) {
      return { ok: false, code: 'district_mismatch', message: `claim code is for district ${claim.district}, not ${district}` };
    }
    const r = await this.db.run('UPDATE provisioning_claims SET used_at = ?, used_by = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?', [
      now,
      kioskId,
      hashCode(code),
      now,
    ]);
    if (r.changes !== 1) return { ok: false, code: 'claim_used', message: 'claim code already used' };
    return { ok: true };
  }

  async recordEnrollment(e: {
    kioskId: string;
    serial: string;
    fingerprint: string;
    district: string;
    inventory: unknown;
    at: number;
    claimCode: string;
    spkiSha256: string;
    certificate: string;
  }): Promise<void> {
    await this.db.run(
      'INSERT INTO provisioning_enrollments (kiosk_id, serial, fingerprint, district, inventory, enrolled_at, claim_hash, spki_sha256, certificate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [e.kioskId, e.serial, e.fingerprint, e.district, JSON.stringify(e.inventory), e.at, hashCode(e.claimCode), e.spkiSha256, e.certificate],
    );
  }

  /**
   * The certificate a claim already bought, when the same kiosk asks again with the same key: its
   * answer was lost on a poor link, and a spent code must not leave it without an identity.
   */
  async reissuable(code: string, kioskId: string, spkiSha256: string): Promise<{ certificate: string; fingerprint: string } | undefined> {
    const r = await this.db.get<{ certificate: string; fingerprint: string }>(
      'SELECT certificate, fingerprint FROM provisioning_enrollments WHERE claim_hash = ? AND kiosk_id = ? AND spki_sha256 = ? AND certificate IS NOT NULL',
      [hashCode(code), kioskId, spkiSha256],
    );
    return r;
  }

  async enrollments(kioskId: string): Promise<{ serial: string; fingerprint: string; enrolledAt: number }[]> {
    const rows = await this.db.all<{ serial: string; fingerprint: string; enrolled_at: number }>(
      'SELECT serial, fingerprint, enrolled_at FROM provisioning_enrollments WHERE kiosk_id = ? ORDER BY enrolled_at',
      [kioskId],
    );
    return rows.map((r) => ({ serial: r.serial, fingerprint: r.fingerprint, enrolledAt: r.enrolled_at }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
