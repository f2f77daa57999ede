/**
 * A real Mosquitto (Debian's package) on a loopback port, started and stopped by the test.
 * Persistence is on so that a subscriber's queued QoS 1 messages survive a broker restart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export function mosquittoPath(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(p)) return p;
  const w = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  return w.status === 0 ? w.stdout.trim() : undefined;
}

export class Mosquitto {
  #proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const bin = mosquittoPath();
    if (!bin) throw new Error('mosquitto is not installed (make test installs Debian package mosquitto)');
    if (!this.port) this.port = await freePort();
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        // Run as root, Mosquitto drops to the `mosquitto` user, which cannot write this 0700
        // directory: the database would not be saved and a restart would lose every session.
        // The user running the test keeps it (no effect when not root).
        `user ${userInfo().username}`,
        'persistence true',
        `persistence_location ${this.dir}/`,
        'max_queued_messages 100000',
        // MOSQUITTO_LOG=<file>: every packet in and out, for a test that needs to see the broker's side.
        ...(process.env['MOSQUITTO_LOG'] ? ['log_type all', `log_dest file ${process.env['MOSQUITTO_LOG']}`] : ['log_type error', 'log_dest stderr']),
        '',
      ].join('\n'),
    );
    this.#proc = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#proc.stderr?.resume();
    await waitForPort(this.port, 5000);
  }

  async stop(): Promise<void> {
    const p = this.#proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGTERM');
    await exited;
    this.#proc = undefined;
  }
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
