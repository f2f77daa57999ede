/**
 * Typed NUT requests and the pure reply collector [nut:docs/net-protocol.txt; reference §4.2]. A request
 * knows its line and how to decode the lines upsd sends back; `ReplyCollector` is fed reply lines one
 * at a time and says when the reply is complete. LIST replies are framed by `BEGIN LIST <query>` …
 * `END LIST <query>` with the query repeated; single replies are one line; any reply may instead be
 * `ERR <CODE>`, which becomes a `NutError` with that code.
 */
import { errFromLine, NutError, NutLocalCode } from './errors.js';
import { quote, tokenize } from './wire.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: NutError };

export interface NutRequest<T> {
  /** The request line without LF. */
  readonly line: string;
  /** For LIST requests: the query words that BEGIN/END LIST repeat. */
  readonly list?: readonly string[];
  /** Turns the reply (the single line, or the LIST items) into a value. */
  decode(lines: readonly string[]): Decoded<T>;
}

function build<T>(words: readonly string[], decode: NutRequest<T>['decode'], list?: readonly string[]): NutRequest<T> {
  const quoted = words.map((w) => {
    const q = w === '' ? null : quote(w);
    if (q === null) throw new NutError(NutLocalCode.BadRequest, `cannot send ${JSON.stringify(w)} in a NUT request`);
    return q;
  });
  return list === undefined ? { line: quoted.join(' '), decode } : { line: quoted.join(' '), list, decode };
}

const protocolError = (what: string, line?: string): Decoded<never> => ({
  ok: false,
  error: new NutError(NutLocalCode.Protocol, what, line === undefined ? {} : { reply: line }),
});

/** Each item must tokenize and start with `prefix`; `take` picks the value from the words. */
function items<T>(lines: readonly string[], prefix: readonly string[], take: (words: string[]) => T | undefined): Decoded<T[]> {
  const out: T[] = [];
  for (const line of lines) {
    const words = tokenize(line);
    if (!words || prefix.some((p, i) => words[i] !== p)) return protocolError(`unexpected LIST item`, line);
    const v = take(words);
    if (v === undefined) return protocolError(`malformed LIST item`, line);
    out.push(v);
  }
  return { ok: true, value: out };
}

function okLine(lines: readonly string[]): Decoded<string> {
  const line = lines[0] ?? '';
  return line === 'OK' || line.startsWith('OK ') ? { ok: true, value: line } : protocolError('expected OK', line);
}

export interface UpsEntry {
  name: string;
  description: string;
}

/** `LIST UPS` → `UPS <name> "<desc>"` items ("Unavailable" when no desc). */
export const listUps = (): NutRequest<UpsEntry[]> =>
  build(['LIST', 'UPS'], (lines) => items(lines, ['UPS'], (w) => (w.length === 3 ? { name: w[1]!, description: w[2]! } : undefined)), ['UPS']);

/** `LIST VAR <ups>` → all variables as a name → value map. */
export const listVar = (ups: string): NutRequest<Map<string, string>> =>
  build(
    ['LIST', 'VAR', ups],
    (lines) => {
      const r = items(lines, ['VAR', ups], (w) => (w.length === 4 ? ([w[2]!, w[3]!] as const) : undefined));
      return r.ok ? { ok: true, value: new Map(r.value) } : r;
    },
    ['VAR', ups],
  );

/** `GET VAR <ups> <var>` → `VAR <ups> <var> "<value>"`. */
export const getVar = (ups: string, name: string): NutRequest<string> =>
  build(['GET', 'VAR', ups, name], (lines) => {
    const line = lines[0] ?? '';
    const w = tokenize(line);
    return w && w.length === 4 && w[0] === 'VAR' && w[1] === ups && w[2] === name
      ? { ok: true, value: w[3]! }
      : protocolError('expected VAR reply', line);
  });

/** `LIST CMD <ups>` → instant command names. */
export const listCmd = (ups: string): NutRequest<string[]> =>
  build(['LIST', 'CMD', ups], (lines) => items(lines, ['CMD', ups], (w) => (w.length === 3 ? w[2] : undefined)), ['CMD', ups]);

export interface InstcmdResult {
  /** Present when tracking is on (`OK TRACKING <id>`). */
  tracking?: string;
}

/** `INSTCMD <ups> <cmd> [param]` → `OK` or `OK TRACKING <id>`. Needs USERNAME/PASSWORD with `instcmds`. */
export const instcmd = (ups: string, cmd: string, param?: string): NutRequest<InstcmdResult> =>
  build(['INSTCMD', ups, cmd, ...(param === undefined ? [] : [param])], (lines) => {
    const r = okLine(lines);
    if (!r.ok) return r;
    const m = /^OK TRACKING (\S+)$/.exec(r.value);
    return { ok: true, value: m ? { tracking: m[1]! } : {} };
  });

/**
 * `SET VAR <ups> <var> "<value>"` → `OK` (or `OK TRACKING <id>`). Applied asynchronously by the driver:
 * a read-back can lag (reference §4.2, §5.3 gotcha 7). Needs `actions = SET`.
 */
export const setVar = (ups: string, name: string, value: string): NutRequest<InstcmdResult> =>
  build(['SET', 'VAR', ups, name, value], (lines) => {
    const r = okLine(lines);
    if (!r.ok) return r;
    const m = /^OK TRACKING (\S+)$/.exec(r.value);
    return { ok: true, value: m ? { tracking: m[1]! } : {} };
  });

/** `USERNAME`, `PASSWORD`: `OK` each; the password is only checked when used (reference §4.2). */
export const username = (name: string): NutRequest<string> => build(['USERNAME', name], okLine);
export const password = (secret: string): NutRequest<string> => build(['PASSWORD', secret], okLine);
/** `LOGIN <ups>`: registers as an upsmon-style client; needs `upsmon primary|secondary`. */
export const login = (ups: string): NutRequest<string> => build(['LOGIN', ups], okLine);
export const logout = (): NutRequest<string> => build(['LOGOUT'], okLine);
/** `NETVER` → protocol version, `1.3` for NUT ≥ 2.8.0. */
export const netver = (): NutRequest<string> => build(['NETVER'], (lines) => ({ ok: true, value: lines[0] ?? '' }));

/**
 * Collects the reply to one request. Returns undefined while more lines are needed. A line after
 * completion is not ours: the client must treat that as desynchronisation.
 */
export class ReplyCollector<T> {
  #items: string[] = [];
  #begun = false;

  constructor(readonly request: NutRequest<T>) {}

  push(line: string): Decoded<T> | undefined {
    const list = this.request.list;
    if (!this.#begun) {
      const err = errFromLine(line, this.request.line);
      if (err) return { ok: false, error: err };
      if (list === undefined) return this.request.decode([line]);
      const w = tokenize(line);
      if (!w || !sameWords(w, ['BEGIN', 'LIST', ...list])) return protocolError(`expected BEGIN LIST ${list.join(' ')}`, line);
      this.#begun = true;
      return undefined;
    }
    const w = tokenize(line);
    if (w && list && sameWords(w, ['END', 'LIST', ...list])) return this.request.decode(this.#items);
    this.#items.push(line);
    return undefined;
  }
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
