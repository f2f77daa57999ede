/** A socat pty pair for tests: two linked /dev/pts paths with the real serialport bindings. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PtyPair {
  a: string;
  b: string;
  stop(): void;
}

export function hasSocat(): boolean {
  return ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some((p) => existsSync(p));
}

export function ptyPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const paths: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`socat did not report two ptys: ${err}`));
    }, 5000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      err += s;
      for (const m of s.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve({ a: paths[0]!, b: paths[1]!, stop: () => child.kill() });
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
