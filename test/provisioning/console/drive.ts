// Drives the console's state machine in tests: keys, ticks and replies on a fake clock.
import type { Key } from '../../../provisioning/console/keys.js';
import { parseKeys } from '../../../provisioning/console/keys.js';
import { initialState, type ApiFailure, type Cmd, type State, type Tag } from '../../../provisioning/console/model.js';
import { update } from '../../../provisioning/console/update.js';

export type ApiCmd = Extract<Cmd, { kind: 'api' }>;

export class Drive {
  s: State;
  cmds: Cmd[] = [];
  now = 1_770_000_000_000;

  constructor(o: Partial<Parameters<typeof initialState>[0]> = {}) {
    this.s = initialState({ now: this.now, idleLockSec: 60, refreshMs: 5000, ...o });
  }

  #step(msg: Parameters<typeof update>[1]): Cmd[] {
    const [s, cmds] = update(this.s, msg);
    this.s = s;
    this.cmds.push(...cmds);
    return cmds;
  }

  key(k: Key): Cmd[] {
    return this.#step({ kind: 'key', key: k, now: this.now });
  }

  /** Types raw terminal input (letters, `\r` for Enter, escape sequences). */
  type(input: string): Cmd[] {
    return parseKeys(input).flatMap((k) => this.key(k));
  }

  tick(ms = 0): Cmd[] {
    this.now += ms;
    return this.#step({ kind: 'tick', now: this.now });
  }

  /** The latest API command with this tag, not yet answered. */
  api(tag: Tag): ApiCmd {
    const c = [...this.cmds].reverse().find((x): x is ApiCmd => x.kind === 'api' && x.tag === tag);
    if (!c) throw new Error(`no ${tag} request; sent: ${this.cmds.map((x) => (x.kind === 'api' ? x.tag : x.kind)).join(', ')}`);
    return c;
  }

  ok(tag: Tag, body: Record<string, unknown>): Cmd[] {
    const c = this.api(tag);
    this.cmds = this.cmds.filter((x) => x !== c);
    return this.#step({ kind: 'reply', id: c.id, tag, now: this.now, ok: true, body });
  }

  fail(tag: Tag, error: ApiFailure): Cmd[] {
    const c = this.api(tag);
    this.cmds = this.cmds.filter((x) => x !== c);
    return this.#step({ kind: 'reply', id: c.id, tag, now: this.now, ok: false, error });
  }

  /** Answers every outstanding background refresh with these bodies. */
  answerRefresh(bodies: Partial<Record<Tag, Record<string, unknown>>>): void {
    for (const tag of Object.keys(bodies) as Tag[]) {
      while (this.cmds.some((x) => x.kind === 'api' && x.tag === tag)) this.ok(tag, bodies[tag]!);
    }
  }

  /** Logs in as `user` with the role given, answering the login request. */
  login(user = 'asha', role: 'operator' | 'admin' = 'operator'): void {
    this.type(`${user}\r1234\r`);
    this.ok('login', { token: 'x'.repeat(43), user, role, expiresInSec: 900 });
  }
}

export const STATUS = {
  kiosk: { id: 'MP-IND-0011', name: 'Samagra Kendra', district: 'Indore', lsp: 'MPOnline' },
  version: '0.1.0',
  uptimeSec: 10,
  link: { state: 'up', session: 1 },
  queue: { depth: 3, bytes: 900, overLimit: false },
  clock: { synced: true, source: 'ntp' },
  ekyc: { queued: 4, sent: 2, accepted: 40, rejected: 3, duplicate: 1, expired: 0, today: { since: 0, accepted: 7, rejected: 1, duplicate: 0, expired: 0 } },
  devices: {
    rdService: { state: 'ok' },
    fingerprint: { state: 'ok', reader: 'r30x', detail: '2/1000 templates' },
    printer: { state: 'ok', paper: 'ok' },
    ups: { state: 'degraded', detail: 'on battery 62%', line: 'battery' },
  },
};
export const WALLET = { balancePaise: 12_000_00, minimumPaise: 20_000_00, belowMinimum: true, warning: { en: 'The e-wallet is below its minimum', hi: 'ई-वॉलेट न्यूनतम से कम है' }, recent: [] };
export const INACTIVITY = { days: 26, breachDay: 30, breachAtTs: 0, breachOn: '2026-12-01', estimated: false, warnDays: [20, 25, 28, 29], penaltyPaise: 100000, warning: { en: 'No transaction for 26 days', hi: '26 दिनों से कोई लेनदेन नहीं' } };
export const PRINTER = { configured: true, enabled: true, health: { state: 'fault', detail: 'paper out', paper: 'out' }, status: { coverOpen: false, paperEnd: true }, queued: 1, uncertain: [] };

export const wrongPin = (left: number): ApiFailure => ({
  status: 401,
  text: { en: `Wrong user or PIN: ${left} attempts left before the login is locked`, hi: `गलत उपयोगकर्ता या पिन: लॉगिन बंद होने से पहले ${left} प्रयास शेष` },
});
