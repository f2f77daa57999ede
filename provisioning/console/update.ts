/**
 * The console's state machine: `update(state, msg)` → the next state and the commands for the
 * runtime. Covers the clock (refresh, idle lock, the spinner's deadline), the keys every screen
 * shares, the login screen and the home screen; the action screens are in flows.ts.
 */
import { both, type Text } from './i18n.js';
import type { Key } from './keys.js';
import type { Cmd, Msg, Screen, State, Tag } from './model.js';
import { captureOpen, captureItem, foldSnapshot } from './snapshot.js';
import { flowKey, flowReply, startAction, type Action } from './flows.js';

export type Step = [State, Cmd[]];

/** Time allowed for an ordinary call; slower devices get their own (see each request). */
export const DEFAULT_TIMEOUT_MS = 8000;

interface RequestOpts {
  body?: unknown;
  timeoutMs?: number;
  background?: boolean;
  /** What the spinner says, and what a timeout names. */
  label?: Text;
}

/** Issues one API call; a foreground call shows the spinner and takes the keyboard until it answers. */
export function request(s: State, tag: Tag, method: 'GET' | 'POST', path: string, o: RequestOpts = {}): Step {
  const id = s.nextId;
  const label = o.label ?? both('wait');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const background = o.background ?? false;
  const cmd: Cmd = { kind: 'api', id, tag, method, path, timeoutMs, background, what: label, ...(o.body !== undefined ? { body: o.body } : {}) };
  if (background) return [{ ...s, nextId: id + 1, pending: s.pending + 1 }, [cmd]];
  const { notice: _dropped, ...rest } = s;
  return [{ ...rest, nextId: id + 1, busy: { id, tag, label, since: s.now, timeoutMs } }, [cmd]];
}

/** Chains steps: each function gets the state the previous one left. */
export function chain(first: Step, ...more: ((s: State) => Step)[]): Step {
  let [s, cmds] = first;
  for (const f of more) {
    const [n, c] = f(s);
    s = n;
    cmds = [...cmds, ...c];
  }
  return [s, cmds];
}

export function update(prev: State, m: Msg): Step {
  const s = { ...prev, now: m.now };
  switch (m.kind) {
    case 'tick':
      return onTick(s);
    case 'key':
      return onKey({ ...s, lastInput: m.now }, m.key);
    case 'reply':
      return onReply(s, m);
  }
}

// ---------------------------------------------------------------- clock

function onTick(s: State): Step {
  if (s.session && s.idleLockSec > 0 && s.now - s.lastInput >= s.idleLockSec * 1000) return lock(s, both('locked', { sec: s.idleLockSec }));
  // The runtime answers every call within its timeout; this is the backstop if it ever does not.
  if (s.busy && s.now - s.busy.since > s.busy.timeoutMs + 2000) {
    const { busy, ...rest } = s;
    return [{ ...rest, notice: { level: 'error', text: timeoutText(busy.timeoutMs, busy.label) } }, []];
  }
  if (s.pending > 0 || s.now - s.lastRefresh < s.refreshMs) return pollCapture(s);
  return refresh(s);
}

export function timeoutText(ms: number, what: Text): Text {
  const sec = Math.round(ms / 1000);
  return { en: both('timeout', { sec, what: what.en }).en, hi: both('timeout', { sec, what: what.hi }).hi };
}

/** The periodic refresh: the home screen's sources when logged in, the fingerprint probe before. */
export function refresh(s0: State): Step {
  const s = { ...s0, lastRefresh: s0.now };
  if (!s.session) {
    if (s.fingerprint !== 'unknown') return [s, []];
    return chain(request(s, 'fp-status', 'GET', '/v1/status', { background: true }), (x) => request(x, 'fp-probe', 'GET', '/v1/fingerprint', { background: true }));
  }
  const steps: ((x: State) => Step)[] = [
    (x) => request(x, 'wallet', 'GET', '/v1/wallet', { background: true }),
    (x) => request(x, 'inactivity', 'GET', '/v1/inactivity', { background: true }),
    (x) => request(x, 'printer', 'GET', '/v1/printer', { background: true }),
  ];
  for (const c of s.captures.filter(captureOpen).slice(0, 4)) {
    steps.push((x) => request(x, 'capture-poll', 'GET', `/v1/ekyc/captures/${c.id}`, { background: true }));
  }
  return chain(request(s, 'status', 'GET', '/v1/status', { background: true }), ...steps);
}

/** On the capture's own screen its state is followed every second, not every refresh. */
function pollCapture(s: State): Step {
  const sc = s.screen;
  if (sc.kind !== 'capture' || sc.step !== 'state' || !sc.captureId || s.pending > 0 || s.now - s.lastPoll < 1000) return [s, []];
  const c = s.captures.find((x) => x.id === sc.captureId);
  if (!c || !captureOpen(c)) return [s, []];
  return request({ ...s, lastPoll: s.now }, 'capture-poll', 'GET', `/v1/ekyc/captures/${c.id}`, { background: true });
}

/** Ends the session: back to the login screen, nothing of the last user left on it. */
export function lock(s: State, text: Text): Step {
  const { session: _s, busy: _b, ...rest } = s;
  return [{ ...rest, screen: loginScreen(), captures: [], snap: {}, lastRefresh: 0, notice: { level: 'info', text } }, [{ kind: 'logout' }]];
}

const loginScreen = (): Screen => ({ kind: 'login', field: 'user', user: '', pin: '' });

// ---------------------------------------------------------------- keys

function onKey(s: State, key: Key): Step {
  if (key.kind === 'ctrl-c') return [s, [{ kind: 'quit' }]];
  if (key.kind === 'f' && key.n === 2) return toggleLang(s);
  if (s.busy) {
    // Waiting: the keyboard only stops the wait (the late answer is then ignored).
    if (key.kind !== 'esc') return [s, []];
    const { busy: _b, ...rest } = s;
    return [{ ...rest, notice: { level: 'warn', text: both('cancelled') } }, []];
  }
  const sc = s.screen;
  if (sc.kind === 'login') return loginKey(s, sc, key);
  if (sc.kind === 'home') return homeKey(s, sc, key);
  return flowKey(s, sc, key);
}

/**
 * Hindi ↔ English. A Linux VT cannot draw Devanagari (its fonts hold 512 glyphs at most), so there
 * the console stays in English and says why (kmscon draws it: provisioning/README.md, Boot).
 */
export function toggleLang(s: State): Step {
  if (!s.hindi) return [{ ...s, lang: 'en', notice: { level: 'warn', text: both('noHindiHere') } }, []];
  return [{ ...s, lang: s.lang === 'en' ? 'hi' : 'en' }, []];
}

function loginKey(s: State, sc: Extract<Screen, { kind: 'login' }>, key: Key): Step {
  const set = (p: Partial<typeof sc>): Step => [{ ...s, screen: { ...sc, ...p } }, []];
  switch (key.kind) {
    case 'char': {
      if (sc.field === 'user') {
        const ch = key.ch.toLowerCase();
        return /^[a-z0-9._-]$/.test(ch) && sc.user.length < 64 ? set({ user: sc.user + ch }) : [s, []];
      }
      return /^\d$/.test(key.ch) && sc.pin.length < 8 ? set({ pin: sc.pin + key.ch }) : [s, []];
    }
    case 'backspace':
      return sc.field === 'user' ? set({ user: sc.user.slice(0, -1) }) : set({ pin: sc.pin.slice(0, -1) });
    case 'tab':
    case 'backtab':
    case 'up':
    case 'down':
      return set({ field: sc.field === 'user' ? 'pin' : 'user' });
    case 'esc':
      return set({ user: '', pin: '', field: 'user' });
    case 'f':
      if (key.n === 3 && s.fingerprint === 'offered') {
        return request(s, 'login-fp', 'POST', '/v1/login/fingerprint', { body: { deadlineMs: 20_000 }, timeoutMs: 30_000, label: both('placeFinger') });
      }
      return [s, []];
    case 'enter': {
      if (sc.field === 'user' || !sc.user) return set({ field: sc.user ? 'pin' : 'user' });
      // The PIN leaves the state as it is sent: it is never kept, shown or logged.
      const next = { ...s, screen: { ...sc, pin: '' } };
      return request(next, 'login', 'POST', '/v1/login', { body: { user: sc.user, pin: sc.pin }, label: both('loggingIn') });
    }
    default:
      return [s, []];
  }
}

export interface HomeItem {
  action: Action;
  letter: string;
  admin: boolean;
}

export const HOME_ITEMS: HomeItem[] = [
  { action: 'capture', letter: 'K', admin: false },
  { action: 'service', letter: 'S', admin: false },
  { action: 'reprint', letter: 'R', admin: false },
  { action: 'report', letter: 'D', admin: false },
  { action: 'topup', letter: 'W', admin: true },
  { action: 'printer-test', letter: 'P', admin: true },
  { action: 'selftest', letter: 'T', admin: true },
  { action: 'logout', letter: 'X', admin: false },
];

export function homeItems(s: State): HomeItem[] {
  return HOME_ITEMS.filter((i) => !i.admin || s.session?.role === 'admin');
}

function homeKey(s: State, sc: Extract<Screen, { kind: 'home' }>, key: Key): Step {
  const items = homeItems(s);
  const go = (i: HomeItem | undefined): Step => {
    if (!i) return [s, []];
    if (i.action === 'logout') return lock(s, both('loggedOut'));
    return startAction({ ...s, screen: { kind: 'home', sel: items.indexOf(i) } }, i.action);
  };
  switch (key.kind) {
    case 'up':
      return [{ ...s, screen: { kind: 'home', sel: (sc.sel + items.length - 1) % items.length } }, []];
    case 'down':
    case 'tab':
      return [{ ...s, screen: { kind: 'home', sel: (sc.sel + 1) % items.length } }, []];
    case 'enter':
      return go(items[sc.sel]);
    case 'f':
      return key.n === 10 ? go(items.find((i) => i.action === 'logout')) : [s, []];
    case 'char': {
      const ch = key.ch.toUpperCase();
      if (ch === 'L') return toggleLang(s);
      if (/^[1-9]$/.test(ch)) return go(items[Number(ch) - 1]);
      return go(items.find((i) => i.letter === ch));
    }
    default:
      return [s, []];
  }
}

// ---------------------------------------------------------------- replies

function onReply(s0: State, m: Extract<Msg, { kind: 'reply' }>): Step {
  const isBusy = s0.busy?.id === m.id;
  if (!isBusy && !BACKGROUND.has(m.tag)) return [s0, []]; // a wait the operator stopped
  const s: State = BACKGROUND.has(m.tag) ? { ...s0, pending: Math.max(0, s0.pending - 1) } : dropBusy(s0);
  if (!m.ok && m.error.status === 401 && s.session && m.tag !== 'login-fp') return lock(s, m.error.text); // the token expired
  switch (m.tag) {
    case 'status':
    case 'wallet':
    case 'inactivity':
    case 'printer':
      if (!s.session) return [s, []];
      // No printer in the configuration is a fact to show, not a failure (agent/printer/routes.ts).
      if (!m.ok && m.tag === 'printer' && m.error.problem?.['type'] === 'urn:kiosk-agent:problem:printer-not-configured') {
        return [{ ...s, snap: { ...s.snap, printer: { configured: false, queued: 0, uncertain: 0 } } }, []];
      }
      return [{ ...s, snap: m.ok ? { ...foldSnapshot(s.snap, m.tag, m.body, s.now), ...noError() } : { ...s.snap, error: m.error.text } }, []];
    case 'fp-status':
      return [m.ok ? { ...s, snap: foldSnapshot(s.snap, 'status', m.body, s.now) } : s, []];
    case 'fp-probe':
      return [{ ...s, fingerprint: fingerprintFrom(s, m) }, []];
    case 'capture-poll': {
      if (!m.ok) return [s, []];
      const id = String(m.body['id']);
      return [{ ...s, captures: s.captures.map((c) => (c.id === id ? captureItem(m.body, c.samagraTail) : c)) }, []];
    }
    case 'login':
    case 'login-fp':
      return loginReply(s, m);
    default:
      return flowReply(s, m);
  }
}

const BACKGROUND = new Set<Tag>(['status', 'wallet', 'inactivity', 'printer', 'capture-poll', 'fp-probe', 'fp-status']);
const noError = () => ({ error: undefined });

function dropBusy(s: State): State {
  const { busy: _b, ...rest } = s;
  return rest;
}

function fingerprintFrom(s: State, m: Extract<Msg, { kind: 'reply' }>): State['fingerprint'] {
  if (m.ok) return (m.body['r30x'] as { state?: string } | undefined)?.state === 'ready' ? 'offered' : 'unknown';
  if (m.error.status === 404) return 'hidden';
  // The readers' details are for the admin: before a login, the public status says whether the R30x is up.
  const h = s.snap.devices?.['fingerprint'];
  if ((m.error.status === 401 || m.error.status === 403) && h?.['reader'] === 'r30x' && h.state === 'ok') return 'offered';
  return 'unknown';
}

function loginReply(s: State, m: Extract<Msg, { kind: 'reply' }>): Step {
  if (!m.ok) {
    // 404: an agent without the route; 409: no R30x configured. Either way, PIN only from now on.
    if (m.tag === 'login-fp' && (m.error.status === 404 || m.error.status === 409)) {
      return [{ ...s, fingerprint: 'hidden', notice: { level: 'warn', text: m.error.status === 409 ? m.error.text : both('fingerprintUnavailable') } }, []];
    }
    return [{ ...s, notice: { level: 'error', text: m.error.text } }, []];
  }
  const role = m.body['role'] === 'admin' ? 'admin' : 'operator';
  const { notice: _n, ...rest } = s;
  return refresh({ ...rest, session: { user: String(m.body['user']), role }, screen: { kind: 'home', sel: 0 }, snap: {}, lastInput: s.now });
}
