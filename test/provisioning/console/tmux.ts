/**
 * A terminal for the console's acceptance: a tmux server of its own (`-L`), one 80×25 session
 * running a command, keys sent with `send-keys`, the screen read with `capture-pane -p`. Waits
 * poll the screen against a deadline instead of sleeping.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TMUX = ['/usr/bin/tmux', '/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TMUX ?? 'tmux', args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`tmux ${args[2] ?? ''}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

export class TmuxScreen {
  private constructor(readonly server: string) {}

  /** Starts `command` (a shell command line) in a new detached 80×25 session. */
  static async start(command: string, env: Record<string, string> = {}, cols = 80, rows = 25): Promise<TmuxScreen> {
    const server = `kc-${process.pid}-${Date.now().toString(36)}`;
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await run(['-L', server, '-f', '/dev/null', 'new-session', '-d', '-x', String(cols), '-y', String(rows), '-s', 'console', ...envArgs, command]);
    // Keep the pane after the command exits, so a crash leaves its last screen to read.
    await run(['-L', server, 'set-option', '-t', 'console', 'remain-on-exit', 'on']).catch(() => undefined);
    return new TmuxScreen(server);
  }

  /** The screen's rows as text. */
  async text(): Promise<string> {
    return run(['-L', this.server, 'capture-pane', '-p', '-t', 'console']);
  }

  /** Named keys (Enter, Tab, Escape, F2, …) as tmux knows them. */
  async keys(...names: string[]): Promise<void> {
    await run(['-L', this.server, 'send-keys', '-t', 'console', ...names]);
  }

  /** Literal text, typed. */
  async type(s: string): Promise<void> {
    await run(['-L', this.server, 'send-keys', '-t', 'console', '-l', s]);
  }

  /** Waits until the screen satisfies `test` (a regexp or a predicate); fails with the screen. */
  async until(test: RegExp | ((screen: string) => boolean), ms: number, what: string): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const last = await this.text();
      if (typeof test === 'function' ? test(last) : test.test(last)) return last;
      if (Date.now() > deadline) throw new Error(`${what}: not on the screen within ${ms} ms. The screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async paneDead(): Promise<boolean> {
    return (await run(['-L', this.server, 'display', '-p', '-t', 'console', '#{pane_dead}']).catch(() => '1')).trim() === '1';
  }

  /** The pid of the pane's program (the console: `env` execs node in its place). */
  async pid(): Promise<number> {
    return Number((await run(['-L', this.server, 'display', '-p', '-t', 'console', '#{pane_pid}'])).trim());
  }

  async kill(): Promise<void> {
    await run(['-L', this.server, 'kill-server']).catch(() => undefined);
  }
}
