/**
 * The simulated printer on a serial line: `socat -d -d pty,raw,echo=0 pty,raw,echo=0` makes two
 * linked ptys; the simulator holds one end (through the real serialport bindings) and the agent
 * is configured with the other as `{ type: 'serial', path }`. socat is a Debian package
 * (`make system-deps`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { keepPngs } from './sim-png.js';
import { servePty } from './sim-server.js';
import { PrinterSimulator, type SimState } from './simulator.js';

export interface PtyPair {
  /** The simulator's end. */
  a: string;
  /** The host's end: give this path to the agent. */
  b: string;
  stop(): void;
}

export function hasSocat(): boolean {
  return ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some((p) => existsSync(p));
}

export function ptyPair(timeoutMs = 5000): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const paths: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`socat did not report two ptys: ${err.slice(0, 300)}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      err += s;
      for (const m of s.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve({ a: paths[0]!, b: paths[1]!, stop: () => void child.kill() });
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A simulated serial printer; `path` is what the agent opens. */
export async function startSimulatedSerialPrinter(opts: {
  baudRate?: number;
  paper?: 58 | 80;
  pngDir?: string;
  state?: Partial<SimState>;
}): Promise<{ sim: PrinterSimulator; path: string; close(): Promise<void> }> {
  const pair = await ptyPair();
  const sim = new PrinterSimulator(opts.state ? { state: opts.state } : {});
  const unkeep = opts.pngDir ? keepPngs(sim, opts.pngDir, opts.paper === 80 ? 576 : 384) : () => undefined;
  try {
    const server = await servePty(sim, pair.a, opts.baudRate ?? 9600);
    return {
      sim,
      path: pair.b,
      close: async () => {
        unkeep();
        await server.close();
        pair.stop();
      },
    };
  } catch (e) {
    unkeep();
    pair.stop();
    throw e;
  }
}
