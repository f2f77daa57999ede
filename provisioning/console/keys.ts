/**
 * Keyboard input in raw mode → key names. Covers the sequences of xterm/tmux (CSI and SS3) and of
 * the Linux console (F1–F5 as `ESC [ [ A`…`E`), the two places the console runs.
 */
export type Key =
  | { kind: 'up' | 'down' | 'left' | 'right' | 'enter' | 'esc' | 'tab' | 'backtab' | 'backspace' | 'delete' | 'home' | 'end' | 'pgup' | 'pgdn' | 'ctrl-c' | 'ctrl-l' }
  | { kind: 'f'; n: number }
  | { kind: 'char'; ch: string };

const SEQ: Record<string, Key> = {
  '[A': { kind: 'up' }, '[B': { kind: 'down' }, '[C': { kind: 'right' }, '[D': { kind: 'left' },
  OA: { kind: 'up' }, OB: { kind: 'down' }, OC: { kind: 'right' }, OD: { kind: 'left' },
  '[H': { kind: 'home' }, '[F': { kind: 'end' }, OH: { kind: 'home' }, OF: { kind: 'end' },
  '[1~': { kind: 'home' }, '[4~': { kind: 'end' }, '[7~': { kind: 'home' }, '[8~': { kind: 'end' },
  '[3~': { kind: 'delete' }, '[5~': { kind: 'pgup' }, '[6~': { kind: 'pgdn' }, '[Z': { kind: 'backtab' },
  OP: { kind: 'f', n: 1 }, OQ: { kind: 'f', n: 2 }, OR: { kind: 'f', n: 3 }, OS: { kind: 'f', n: 4 },
  '[[A': { kind: 'f', n: 1 }, '[[B': { kind: 'f', n: 2 }, '[[C': { kind: 'f', n: 3 }, '[[D': { kind: 'f', n: 4 }, '[[E': { kind: 'f', n: 5 },
  '[11~': { kind: 'f', n: 1 }, '[12~': { kind: 'f', n: 2 }, '[13~': { kind: 'f', n: 3 }, '[14~': { kind: 'f', n: 4 },
  '[15~': { kind: 'f', n: 5 }, '[17~': { kind: 'f', n: 6 }, '[18~': { kind: 'f', n: 7 }, '[19~': { kind: 'f', n: 8 },
  '[20~': { kind: 'f', n: 9 }, '[21~': { kind: 'f', n: 10 },
};

/** The keys in one chunk of input. A lone ESC (nothing after it in the chunk) is the Esc key. */
export function parseKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\x1b') {
      const rest = input.slice(i + 1);
      const m = /^(\[\[[A-E]|\[[0-9;]*[~A-Za-z]|O[A-Za-z])/.exec(rest);
      if (m) {
        // Modifier parameters (ESC [ 1 ; 5 A) name the same key.
        const seq = m[1]!.replace(/^\[1;\d+([A-Z])$/, '[$1');
        const k = SEQ[seq];
        if (k) keys.push(k);
        i += 1 + m[1]!.length;
      } else {
        keys.push({ kind: 'esc' });
        i += 1;
      }
      continue;
    }
    if (c === '\r' || c === '\n') keys.push({ kind: 'enter' });
    else if (c === '\t') keys.push({ kind: 'tab' });
    else if (c === '\x7f' || c === '\b') keys.push({ kind: 'backspace' });
    else if (c === '\x03') keys.push({ kind: 'ctrl-c' });
    else if (c === '\x0c') keys.push({ kind: 'ctrl-l' });
    else if (c >= ' ') {
      const cp = input.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      keys.push({ kind: 'char', ch });
      i += ch.length;
      continue;
    }
    i += 1;
  }
  return keys;
}
