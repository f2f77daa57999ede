/**
 * Display width of text on a character terminal, for the console's screen grid.
 *
 * A terminal advances its cursor per code point (wcwidth(3)): a non-spacing mark (Unicode Mn,
 * e.g. the virama ् or the anusvara ं), an enclosing mark (Me) or a format character (Cf, e.g.
 * ZWJ) takes no column; a spacing mark (Mc, e.g. the vowel signs ा ि ी) takes one; East Asian
 * wide characters take two. So `कार्य` takes 4 columns (measured on tmux 3.3a, as on xterm and
 * VTE), although it is 2 grapheme clusters — which is why column counts come from here and not
 * from a per-cluster measure such as `string-width`. Clusters still matter for cutting: text is
 * only ever cut between grapheme clusters (Intl.Segmenter), never inside a conjunct.
 */

const ZERO = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** East Asian Wide/Fullwidth ranges and emoji: two columns. Devanagari is not among them. */
function wide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns one code point takes. Control characters take none (the grid never prints them). */
export function codePointWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (ZERO.test(ch)) return 0;
  return wide(cp) ? 2 : 1;
}

/** Columns a string takes on the terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += codePointWidth(ch);
  return w;
}

/** The grapheme clusters of a string with their widths. */
export function clusters(s: string): { text: string; width: number }[] {
  const out: { text: string; width: number }[] = [];
  for (const { segment } of segmenter.segment(s)) out.push({ text: segment, width: displayWidth(segment) });
  return out;
}

/** At most `cols` columns of `s`, cut between clusters, with `…` when cut. */
export function truncate(s: string, cols: number): string {
  if (displayWidth(s) <= cols) return s;
  if (cols <= 0) return '';
  let out = '';
  let w = 0;
  for (const c of clusters(s)) {
    if (w + c.width > cols - 1) break;
    out += c.text;
    w += c.width;
  }
  return `${out}…`;
}

/** Exactly `cols` columns: truncated or padded with spaces (on the right, or on the left with `right`). */
export function fit(s: string, cols: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, cols);
  const pad = ' '.repeat(Math.max(0, cols - displayWidth(t)));
  return align === 'left' ? t + pad : pad + t;
}

/** Word-wraps `s` into lines of at most `cols` columns (a word longer than a line is cut). */
export function wrap(s: string, cols: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (displayWidth(next) <= cols) line = next;
    else {
      if (line) lines.push(line);
      line = truncate(word, cols);
    }
  }
  if (line) lines.push(line);
  return lines;
}
