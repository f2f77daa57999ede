/**
 * The console's screen as a grid of cells, drawn as a string grid by the pure view and turned
 * into terminal output by `ansiRows`. A cell holds one grapheme cluster; a cluster wider than one
 * column is followed by continuation cells (text ''), so a row's columns always add up to the
 * terminal's width as the terminal counts it (see width.ts).
 */
import { clusters } from './width.js';

export type Style = 'normal' | 'title' | 'warn' | 'error' | 'ok' | 'dim' | 'select' | 'key';

interface Cell {
  text: string;
  style: Style;
}

/** SGR parameters per style: kept to the 8 basic colours a Linux console shows. */
const SGR: Record<Style, string> = {
  normal: '0',
  title: '0;1;7',
  warn: '0;1;33',
  error: '0;1;37;41',
  ok: '0;32',
  dim: '0;2',
  select: '0;7',
  key: '0;1;36',
};

export class Grid {
  readonly #rows: Cell[][];

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.#rows = Array.from({ length: rows }, () => Array.from({ length: cols }, () => ({ text: ' ', style: 'normal' })));
  }

  /** Writes `text` from (row, col), clipped at the row's end; returns the column after it. */
  put(row: number, col: number, text: string, style: Style = 'normal'): number {
    const cells = this.#rows[row];
    if (!cells || col < 0) return col;
    let c = col;
    for (const cl of clusters(text)) {
      if (cl.width === 0) {
        // A lone mark (no base before it in this string): keep it on the previous cell.
        const prev = cells[c - 1];
        if (prev && c > col) prev.text += cl.text;
        continue;
      }
      if (c + cl.width > this.cols) break;
      this.#clear(cells, c, cl.width);
      cells[c] = { text: cl.text, style };
      for (let k = 1; k < cl.width; k++) cells[c + k] = { text: '', style };
      c += cl.width;
    }
    return c;
  }

  /** Fills a row (or part of it) with one style, spaces. */
  fill(row: number, style: Style, from = 0, to = this.cols): void {
    const cells = this.#rows[row];
    if (!cells) return;
    this.#clear(cells, from, to - from);
    for (let c = from; c < to; c++) cells[c] = { text: ' ', style };
  }

  /** Plain text of each row (what `tmux capture-pane -p` shows, trailing spaces kept). */
  lines(): string[] {
    return this.#rows.map((r) => r.map((c) => c.text).join(''));
  }

  /** Each row as terminal output: SGR changes and text, ending in the normal style. */
  ansiRows(): string[] {
    return this.#rows.map((r) => {
      let out = '';
      let cur: Style | undefined;
      for (const c of r) {
        if (c.style !== cur) {
          out += `\x1b[${SGR[c.style]}m`;
          cur = c.style;
        }
        out += c.text;
      }
      return `${out}\x1b[0m`;
    });
  }

  /** Before writing over [from, from+n): a wide cluster cut by the write becomes spaces. */
  #clear(cells: Cell[], from: number, n: number): void {
    let start = from;
    while (start > 0 && cells[start]?.text === '') start--;
    let end = from + n;
    while (end < cells.length && cells[end]?.text === '') end++;
    for (let c = start; c < end; c++) {
      const cell = cells[c];
      if (cell && (c < from || c >= from + n)) cells[c] = { text: ' ', style: cell.style };
    }
  }
}

/**
 * Output that turns the screen from `prev` rows into `next` rows: only the rows that changed,
 * each from its first column (cursor positioning is 1-based, ECMA-48 CUP).
 */
export function diffFrame(prev: readonly string[] | undefined, next: readonly string[]): string {
  let out = '';
  next.forEach((row, i) => {
    if (prev?.[i] === row) return;
    // No erase-to-end: every row fills the width, and with the cursor on the last column an EL
    // would erase that column on xterm-like terminals. Autowrap is off (terminal.ts).
    out += `\x1b[${i + 1};1H${row}`;
  });
  return out;
}
