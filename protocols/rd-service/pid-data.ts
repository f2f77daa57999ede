/**
 * PidData, the CAPTURE reply (reference §1.5):
 *
 *   PidData ─ Resp errCode errInfo fCount fType nmPoints qScore …
 *           ─ DeviceInfo …            (metadata for the Auth XML's Meta)
 *           ─ Skey ci="YYYYMMDD"      base64 RSA-wrapped AES-256 session key
 *           ─ Hmac                    base64 AES-GCM(SHA-256(PID)) — 48 bytes
 *           ─ Data type="X|P"         base64(ts ‖ AES-GCM ciphertext ‖ tag)
 *
 * Only Resp is guaranteed on failure. The block is a secret (DESIGN §2): `PidBlock` keeps the exact
 * bytes the driver sent (never re-serialised) and renders as "[PidData redacted]" through
 * toString, JSON and util.inspect; `reveal()` is for the capture queue alone.
 */
import { z } from 'zod';
import { deviceInfoFromNode, type DeviceInfo } from './device-info.js';
import { RdCaptureError, RdServiceError } from './errors.js';
import { parseRoot, type XmlNode } from './xml.js';

export interface PidResp {
  errCode: string;
  errInfo: string;
  fCount: string;
  fType: string;
  /** Per finger; comma-separated in multi-finger captures (§1.5). */
  qScore: number[];
  nmPoints: number[];
}

export interface PidSecrets {
  /** The PidData document exactly as received. */
  xml: string;
  skey: string;
  ci: string;
  hmac: string;
  data: string;
  dataType: 'X' | 'P';
}

const REDACTED = '[PidData redacted]';

export class PidBlock {
  readonly #secrets: PidSecrets;
  /** Sizes only: safe to log. */
  readonly sizes: { xml: number; skey: number; hmac: number; data: number };
  /** UIDAI certificate expiry the session key was wrapped for (yyyyMMdd). */
  readonly ci: string;
  /** The PID timestamp (first 19 bytes of Data, IST without zone; §1.5). */
  readonly ts: string;

  constructor(secrets: PidSecrets, sizes: PidBlock['sizes'], ts: string) {
    this.#secrets = secrets;
    this.sizes = sizes;
    this.ci = secrets.ci;
    this.ts = ts;
  }

  /** The encrypted block, for the capture queue's sealing step only. */
  reveal(): PidSecrets {
    return { ...this.#secrets };
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export interface PidCapture {
  resp: PidResp;
  deviceInfo: DeviceInfo;
  pid: PidBlock;
}

const B64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;
const text = z.union([z.string(), z.object({ '#text': z.string() }).loose()]);
const respSchema = z.object({
  errCode: z.string(),
  errInfo: z.string().default(''),
  fCount: z.string().default(''),
  fType: z.string().default(''),
  qScore: z.string().default(''),
  nmPoints: z.string().default(''),
}).loose();
const okSchema = z.object({
  Resp: respSchema,
  DeviceInfo: z.record(z.string(), z.unknown()),
  Skey: z.object({ '#text': z.string().regex(B64), ci: z.string().regex(/^\d{8}$/) }).loose(),
  Hmac: text,
  Data: z.object({ '#text': z.string().regex(B64), type: z.enum(['X', 'P']) }).loose(),
}).loose();

const numbers = (s: string): number[] =>
  s.split(',').map((x) => x.trim()).filter((x) => x.length > 0).map(Number).filter((n) => Number.isFinite(n));

const decodedLength = (b64: string): number => Buffer.from(b64.replace(/\s+/g, ''), 'base64').length;

/**
 * Parses a CAPTURE reply. errCode ≠ 0 → RdCaptureError (with the RD code); a success reply that is
 * missing a part, or whose parts have impossible sizes, → RD_SCHEMA. No error carries PID content.
 */
export function parsePidData(xml: string): PidCapture {
  const root: XmlNode = parseRoot(xml, 'PidData');
  const resp = respSchema.safeParse(root['Resp']);
  if (!resp.success) throw new RdServiceError('RD_SCHEMA', 'PidData has no Resp with an errCode');
  const errCode = resp.data.errCode.trim();
  if (errCode !== '0') throw new RdCaptureError(errCode, resp.data.errInfo.trim());

  const ok = okSchema.safeParse(root);
  if (!ok.success) {
    throw new RdServiceError('RD_SCHEMA', 'PidData success reply is missing a part', { path: ok.error.issues[0]?.path.join('.') ?? '' });
  }
  const hmac = (typeof ok.data.Hmac === 'string' ? ok.data.Hmac : ok.data.Hmac['#text']).trim();
  const skey = ok.data.Skey['#text'].trim();
  const data = ok.data.Data['#text'].trim();
  if (!B64.test(hmac)) throw new RdServiceError('RD_SCHEMA', 'PidData Hmac is not base64', { path: 'Hmac' });
  const sizes = { xml: xml.length, skey: decodedLength(skey), hmac: decodedLength(hmac), data: decodedLength(data) };
  // RSA-2048 wraps to 256 bytes (older keys 128..512); Hmac = 32-byte digest + 16-byte tag; Data =
  // 19-byte ts + ciphertext + 16-byte tag (§1.5, measured on a real MFS110 capture).
  if (sizes.skey < 128 || sizes.skey > 1024) throw new RdServiceError('RD_SCHEMA', 'PidData Skey has an impossible size', { skeyBytes: sizes.skey });
  if (sizes.hmac !== 48) throw new RdServiceError('RD_SCHEMA', 'PidData Hmac has an impossible size', { hmacBytes: sizes.hmac });
  if (sizes.data < 19 + 16 + 1) throw new RdServiceError('RD_SCHEMA', 'PidData Data is too short', { dataBytes: sizes.data });
  const ts = Buffer.from(data.replace(/\s+/g, ''), 'base64').subarray(0, 19).toString('latin1');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(ts)) throw new RdServiceError('RD_SCHEMA', 'PidData Data does not start with a timestamp');

  const r = resp.data;
  return {
    resp: { errCode, errInfo: r.errInfo.trim(), fCount: r.fCount.trim(), fType: r.fType.trim(), qScore: numbers(r.qScore), nmPoints: numbers(r.nmPoints) },
    deviceInfo: deviceInfoFromNode(ok.data.DeviceInfo),
    pid: new PidBlock({ xml, skey, ci: ok.data.Skey.ci, hmac, data, dataType: ok.data.Data.type }, sizes, ts),
  };
}
