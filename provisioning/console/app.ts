/**
 * The console's runtime: feeds keys, a 250 ms clock and API replies to the state machine
 * (update.ts), performs its commands against the agent's local API, and draws the view, writing
 * only the rows that changed. Every call has a deadline: a slow or silent agent gives a message,
 * never a frozen screen.
 */
import { LocalApiClient, LocalApiError } from '../local-api.js';
import { diffFrame } from './grid.js';
import { both, type Lang, type Text } from './i18n.js';
import { parseKeys } from './keys.js';
import { initialState, type ApiFailure, type Cmd, type Msg, type State } from './model.js';
import type { Terminal } from './terminal.js';
import { timeoutText, update } from './update.js';
import { view } from './view.js';

export interface ConsoleOptions {
  socket: string;
  idleLockSec: number;
  lang: Lang;
  /** Whether the terminal draws Devanagari; false on the Linux VT (TERM=linux). */
  hindi?: boolean;
  refreshMs?: number;
  /** The console's clock; tests may give a fake one. */
  now?: () => number;
}

/** The problem+json of a failed call in both languages; the agent's words, as it sent them. */
export function failure(err: unknown, timeoutMs: number, what: Text): ApiFailure {
  if (err instanceof LocalApiError) {
    const p = err.problem;
    if (p && typeof p['title'] === 'string') {
      const join = (a: unknown, b: unknown) => [a, b].filter((x) => typeof x === 'string' && x).join(': ');
      return { status: err.status, problem: p, text: { en: join(p['title'], p['detail']), hi: join(p['title_hi'] ?? p['title'], p['detail_hi'] ?? p['detail']) } };
    }
    if (err.status === 0 && /not running/.test(err.message)) return { status: 0, text: both('agentDown') };
    if (err.status === 0 && /did not answer/.test(err.message)) return { status: 0, text: timeoutText(timeoutMs, what) };
    return { status: err.status, text: { en: err.message, hi: err.message } };
  }
  return { status: 0, text: { en: (err as Error).message, hi: (err as Error).message } };
}

export function runConsole(term: Terminal, o: ConsoleOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const client = new LocalApiClient(o.socket);
  let state: State = initialState({ now: now(), lang: o.lang, hindi: o.hindi ?? process.env['TERM'] !== 'linux', idleLockSec: o.idleLockSec, ...(o.refreshMs ? { refreshMs: o.refreshMs } : {}) });
  let prevRows: string[] | undefined;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((r) => (finish = r));

  const render = () => {
    // Laid out for 80×25; a larger terminal gets the same screen, a smaller one a clipped one.
    const rows = view(state, Math.max(20, term.cols()), Math.max(10, term.rows())).ansiRows();
    const out = diffFrame(prevRows, rows);
    prevRows = rows;
    if (out) term.write(out);
  };

  const dispatch = (msg: Msg) => {
    const [next, cmds] = update(state, msg);
    const loggedIn = !state.session && next.session;
    state = next;
    // The token of a login the state machine accepted (a stopped wait's late login is dropped).
    if (loggedIn && msg.kind === 'reply' && msg.ok && typeof msg.body['token'] === 'string') client.useToken(msg.body['token']);
    for (const c of cmds) perform(c);
    render();
  };

  const perform = (c: Cmd) => {
    switch (c.kind) {
      case 'quit':
        finish(0);
        return;
      case 'logout':
        void client.logout();
        return;
      case 'api': {
        let timer: NodeJS.Timeout | undefined;
        // The client's own socket timeout covers a silent agent; this deadline covers the rest.
        const deadline = new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new LocalApiError(0, `the agent did not answer within ${Math.round(c.timeoutMs / 1000)} s`)), c.timeoutMs);
        });
        Promise.race([client.call(c.method, c.path, c.body, c.timeoutMs), deadline]).then(
          (body) => dispatch({ kind: 'reply', id: c.id, tag: c.tag, now: now(), ok: true, body }),
          (err: unknown) => dispatch({ kind: 'reply', id: c.id, tag: c.tag, now: now(), ok: false, error: failure(err, c.timeoutMs, c.what) }),
        ).finally(() => clearTimeout(timer));
        return;
      }
    }
  };

  term.onInput((s) => {
    for (const key of parseKeys(s)) dispatch({ kind: 'key', key, now: now() });
  });
  term.onResize(() => {
    prevRows = undefined;
    term.write('\x1b[2J');
    render();
  });
  // The spinner turns every 250 ms while a call is waited for; otherwise a tick a second is enough
  // for the clock, the refresh and the idle lock (the view is not redrawn for nothing on a Pi).
  let lastTick = 0;
  const tick = setInterval(() => {
    const t = now();
    if (!state.busy && t - lastTick < 1000) return;
    lastTick = t;
    dispatch({ kind: 'tick', now: t });
  }, 250);
  dispatch({ kind: 'tick', now: now() });
  return done.finally(() => {
    clearInterval(tick);
    return client.logout();
  });
}
