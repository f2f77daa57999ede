/**
 * NUT line syntax [nut:docs/net-protocol.txt; reference §4.1]: requests and replies are single lines
 * ending in LF (upsd sends no CR and no greeting); words are space separated; a word with spaces is in
 * double quotes; `"` and `\` inside are backslash-escaped. Values can carry significant trailing
 * spaces (`"295202G -302202G "`, #2741), so quoted text is kept verbatim.
 */

/** Longest reply line accepted. upsd's own limit for values is far lower (ST_MAX_VALUE_LEN 256). */
export const MAX_LINE = 4096;

/** Splits a reply line into words; `null` for an unterminated quote or a trailing lone backslash. */
export function tokenize(line: string): string[] | null {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') {
      if (i + 1 >= line.length) return null;
      cur += line[++i];
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quoted) return null;
  if (inWord) words.push(cur);
  return words;
}

const BARE = /^[A-Za-z0-9._:@/+-]+$/;

/** Quotes a request word when it needs it; returns null for words no NUT line can carry. */
export function quote(word: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\x00]/.test(word)) return null;
  if (BARE.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Splits a byte stream into LF-terminated lines. Pure: the client feeds socket chunks in. A line
 * longer than `maxLine` without LF means a peer that is not upsd; `overflow` tells the client to drop
 * the connection rather than buffer without bound (conventions §4.1).
 */
export class LineSplitter {
  #buf = '';
  #overflow = false;

  constructor(private readonly maxLine = MAX_LINE) {}

  push(chunk: string): string[] {
    this.#buf += chunk;
    const lines: string[] = [];
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      let line = this.#buf.slice(0, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      lines.push(line);
      this.#buf = this.#buf.slice(nl + 1);
    }
    if (this.#buf.length > this.maxLine) {
      this.#overflow = true;
      this.#buf = '';
    }
    return lines;
  }

  get overflow(): boolean {
    return this.#overflow;
  }

  reset(): void {
    this.#buf = '';
    this.#overflow = false;
  }
}
