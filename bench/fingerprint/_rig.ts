/** A simulated R30x module on a real socat pty pair and a driver on the other end, for benchmarks. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { R30xDriver } from '../../drivers/fingerprint/r30x/driver.js';
import { R30xSimulator, REALISTIC_TIMING } from '../../drivers/fingerprint/r30x-simulator.js';
import { R30xPtySimulator } from '../../drivers/fingerprint/r30x-pty.js';

export interface Rig {
  sim: R30xSimulator;
  driver: R30xDriver;
  close(): Promise<void>;
}

export async function ptyRig(): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'fp-bench-'));
  const sim = new R30xSimulator({ timing: REALISTIC_TIMING });
  const pty = new R30xPtySimulator(sim, dir);
  await pty.plug();
  const driver = new R30xDriver({ path: pty.hostPath, baudRate: 57600, pollMs: 50 });
  await driver.start();
  await driver.whenReady(5000);
  return {
    sim,
    driver,
    close: async () => {
      await driver.stop();
      await pty.unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export interface Result {
  name: string;
  value: number;
  unit: string;
  note?: string;
}
