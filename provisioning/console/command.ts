/**
 * `kioskctl console`: the operator's full-screen console on the kiosk's own screen (issue 11).
 * It needs only the agent's local API socket, taken from the agent configuration (`api.socket`)
 * or given with --socket; the idle lock and the first language come from the configuration's
 * `console` section or the options.
 */
import { openTerminal } from './terminal.js';
import { runConsole } from './app.js';
import type { Lang } from './i18n.js';

export const CONSOLE_HELP = `  console         the operator's full-screen console (log in, captures, receipts, wallet)`;

export interface ConsoleCommandOptions {
  socket: string;
  idleLockSec?: string | number | undefined;
  lang?: string | undefined;
  err: (s: string) => void;
}

export async function consoleCommand(o: ConsoleCommandOptions): Promise<number> {
  const idle = Number(o.idleLockSec ?? 300);
  if (!Number.isInteger(idle) || idle < 0 || idle > 86_400) {
    o.err('kioskctl console: --idle-lock takes whole seconds, 0 to 86400\n');
    return 64;
  }
  const lang: Lang = o.lang === 'hi' ? 'hi' : 'en';
  if (o.lang !== undefined && o.lang !== 'hi' && o.lang !== 'en') {
    o.err('kioskctl console: --lang is en or hi\n');
    return 64;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    o.err('kioskctl console: needs a terminal (run it on the kiosk screen, in a terminal, or under tmux)\n');
    return 66;
  }
  const term = openTerminal();
  try {
    return await runConsole(term, { socket: o.socket, idleLockSec: idle, lang });
  } finally {
    term.restore();
  }
}
