/**
 * The console's hold on the terminal: raw keyboard, the alternate screen buffer (the shell's
 * screen comes back untouched on exit), no cursor, no autowrap (a row that the terminal measures
 * differently cannot scroll the screen). `restore` undoes all of it and is idempotent, and runs on
 * exit, on SIGTERM/SIGHUP/SIGINT and on a crash, so a killed console never leaves a raw terminal.
 */
import type { ReadStream, WriteStream } from 'node:tty';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[0m\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

export interface Terminal {
  cols(): number;
  rows(): number;
  write(s: string): void;
  onInput(f: (s: string) => void): void;
  onResize(f: () => void): void;
  restore(): void;
}

export function openTerminal(input: ReadStream = process.stdin, output: WriteStream = process.stdout): Terminal {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (input.isTTY) input.setRawMode(false);
      input.pause();
      output.write(LEAVE);
    } catch {
      // The terminal may already be gone (hang-up): nothing left to restore.
    }
  };
  const onSignal = (sig: NodeJS.Signals, code: number) => () => {
    restore();
    process.exit(code);
    void sig;
  };
  process.once('SIGTERM', onSignal('SIGTERM', 143));
  process.once('SIGHUP', onSignal('SIGHUP', 129));
  process.once('SIGINT', onSignal('SIGINT', 130));
  process.once('exit', restore);
  process.once('uncaughtException', (err) => {
    restore();
    process.stderr.write(`kioskctl console: ${err.stack ?? err.message}\n`);
    process.exit(70);
  });
  if (input.isTTY) input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  output.write(ENTER);
  return {
    cols: () => output.columns || 80,
    rows: () => output.rows || 25,
    write: (s) => void output.write(s),
    onInput: (f) => void input.on('data', (d: string | Buffer) => f(typeof d === 'string' ? d : d.toString('utf8'))),
    onResize: (f) => void output.on('resize', f),
    restore,
  };
}
