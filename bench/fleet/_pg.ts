/**
 * A throwaway PostgreSQL server from Debian's `postgresql` package for the fleet benchmarks, as
 * the repository tests start theirs (test/fleet/fixtures/postgres.ts): initdb into a temporary
 * directory, a free loopback port, one fresh database per call; as root it runs as `postgres`.
 * fsync stays on here (unlike the tests' server): the figures are meant for sizing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, sleep } from './_rig.js';

export function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root).filter((x) => existsSync(join(root, x, 'bin/postgres'))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : undefined;
}

export interface BenchPg {
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPg(): Promise<BenchPg> {
  const bin = pgBin();
  if (!bin) throw new Error('no PostgreSQL server installed (Debian package postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const data = join(dir, 'data');
  execFileSync(...as(join(bin, 'initdb'), ['-D', data, '-U', 'fleet', '--auth=trust', '-E', 'UTF8']), { stdio: 'pipe' });
  const port = await freePort();
  const proc: ChildProcess = spawn(...as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const admin = `postgres://fleet@127.0.0.1:${port}/postgres`;
  const end = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ connectionString: admin });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => undefined);
      if (proc.exitCode !== null || Date.now() > end) throw new Error(`PostgreSQL did not start: ${log.slice(-500)}`);
      await sleep(100);
    }
  }
  let n = 0;
  return {
    async createDatabase() {
      const name = `fleet_bench_${++n}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://fleet@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(undefined) : proc.once('exit', r)));
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', 'stop'], { stdio: 'ignore' });
      else proc.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
