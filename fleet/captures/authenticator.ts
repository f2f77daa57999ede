/**
 * What the capture receiver hands an opened capture to. A real AUA/KUA connector implements
 * `Authenticator` (build the Auth/e-KYC XML from the PidData, sign, send to the ASA; reference
 * rd-service-ekyc.md §2.5); the simulator decides by rule, for the demo and the tests.
 *
 * The input is secret: an implementation must not log it, write it to disk or put it in an error
 * (reference §2.6, reg 17(1)(c); regulation 20 keeps PID data out of logs).
 */

export interface AuthInput {
  kioskId: string;
  captureId: string;
  service: string;
  modality: 'fingerprint' | 'otp';
  capturedAt: number;
  citizenRef: string;
  pidData?: string;
  otp?: string;
}

export type AuthOutcome = { ok: true; authRef?: string } | { ok: false; code: string; reason: string };

export interface Authenticator {
  authenticate(input: AuthInput): Promise<AuthOutcome>;
}

export interface SimulatedAuthenticatorOptions {
  /** Citizen references (e.g. `samagra:123456000`) whose captures are refused as a biometric mismatch. */
  rejectCitizens?: Iterable<string>;
  /** Samagra ids ending in this suffix are refused as a mismatch (default `000`; empty: none). */
  rejectSuffix?: string;
  /** Captures below this RD quality score are refused (default 45, Eko's retry threshold, reference §1.5). */
  minQScore?: number;
}

/**
 * Decides by rule: a PidData that does not parse is refused (`BAD_PID`), one with a low quality
 * score `LOW_QUALITY`, a listed citizen or suffix `AUTH_FAILED`; an OTP of 000000 `OTP_INVALID`
 * (UIDAI 400); everything else is accepted with a reference.
 */
export class SimulatedAuthenticator implements Authenticator {
  readonly #reject: Set<string>;
  readonly #suffix: string;
  readonly #minQ: number;
  #n = 0;

  constructor(o: SimulatedAuthenticatorOptions = {}) {
    this.#reject = new Set(o.rejectCitizens ?? []);
    this.#suffix = o.rejectSuffix ?? '000';
    this.#minQ = o.minQScore ?? 45;
  }

  authenticate(input: AuthInput): Promise<AuthOutcome> {
    if (input.modality === 'fingerprint') {
      const pid = input.pidData ? readPid(input.pidData) : undefined;
      if (!pid) return Promise.resolve({ ok: false, code: 'BAD_PID', reason: 'the PidData is not a usable capture' });
      if (pid.errCode !== '0') return Promise.resolve({ ok: false, code: 'RD_ERROR', reason: `the RD service reported error ${pid.errCode}` });
      if (pid.qScore.some((q) => q < this.#minQ)) {
        return Promise.resolve({ ok: false, code: 'LOW_QUALITY', reason: 'fingerprint quality too low; capture again' });
      }
    } else if (!input.otp || input.otp === '000000') {
      return Promise.resolve({ ok: false, code: 'OTP_INVALID', reason: 'the OTP is not valid (UIDAI 400)' });
    }
    if (this.#reject.has(input.citizenRef) || (this.#suffix && input.citizenRef.endsWith(this.#suffix))) {
      return Promise.resolve({ ok: false, code: 'AUTH_FAILED', reason: 'biometric did not match (simulated UIDAI 300)' });
    }
    this.#n++;
    return Promise.resolve({ ok: true, authRef: `SIM-${Date.now().toString(36).toUpperCase()}-${this.#n}` });
  }
}

/**
 * What the simulator reads of a PidData: Resp's errCode and qScore, and that the encrypted parts
 * (Skey with its ci, Hmac, Data) are there (reference §1.5). A light scan, not the full parser:
 * the simulator stands in for UIDAI and should not be the receiver's bottleneck.
 */
function readPid(xml: string): { errCode: string; qScore: number[] } | undefined {
  const resp = /<Resp\b([^>]*)>/.exec(xml)?.[1];
  if (resp === undefined) return undefined;
  const attr = (name: string): string => new RegExp(`\\b${name}="([^"]*)"`).exec(resp)?.[1] ?? '';
  const parts = /<Skey\b[^>]*\bci="\d{8}"[^>]*>[A-Za-z0-9+/=\s]{100,}<\/Skey>/.test(xml) && /<Hmac>[A-Za-z0-9+/=\s]{40,}<\/Hmac>/.test(xml) && /<Data\b[^>]*\btype="[XP]"[^>]*>[A-Za-z0-9+/=\s]{40,}<\/Data>/.test(xml);
  const errCode = attr('errCode').trim();
  if (errCode === '0' && !parts) return undefined;
  return { errCode, qScore: attr('qScore').split(',').map((q) => Number(q.trim())).filter((q) => Number.isFinite(q)) };
}
