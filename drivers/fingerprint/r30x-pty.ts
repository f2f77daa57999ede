/**
 * Puts an `R30xSimulator` on one end of a real pseudo-terminal pair made by
 * `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, so the driver opens the other end with the real
 * serialport bindings, exactly as it would open /dev/ttyUSB0. Both ends get stable symlinks in
 * `dir`, so after an unplug (socat killed: the driver's end reads EOF/EBADF and closes) a replug
 * brings the same path back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { R30xSimulator } from './r30x-simulator.js';

export interface PtyPair {
  /** The end the simulator (or device side) opens. */
  devicePath: string;
  /** The end the driver opens. */
  hostPath: string;
  close(): Promise<void>;
}

/** Starts socat and resolves once both ptys exist. */
export async function openPtyPair(dir: string, name = 'fp'): Promise<PtyPair> {
  const devicePath = join(dir, `${name}-device`);
  const hostPath = join(dir, `${name}-host`);
  await rm(devicePath, { force: true });
  await rm(hostPath, { force: true });
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${err.trim()}`)), 5000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited with ${code}: ${err.trim()}`));
    });
  });
  return {
    devicePath,
    hostPath,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(devicePath, { force: true });
      await rm(hostPath, { force: true });
    },
  };
}

/** A simulated module reachable at `hostPath`, with unplug/replug. */
export class R30xPtySimulator {
  readonly sim: R30xSimulator;
  readonly dir: string;
  readonly name: string;
  #pair: PtyPair | undefined;
  #port: SerialPort | undefined;

  constructor(sim: R30xSimulator, dir: string, name = 'fp') {
    this.sim = sim;
    this.dir = dir;
    this.name = name;
  }

  /** Where the driver should open the reader. */
  get hostPath(): string {
    return join(this.dir, `${this.name}-host`);
  }

  get plugged(): boolean {
    return this.#pair !== undefined;
  }

  /** Creates the pty pair and powers the module up on it. */
  async plug(): Promise<void> {
    if (this.#pair) return;
    this.#pair = await openPtyPair(this.dir, this.name);
    const port = new SerialPort({ path: this.#pair.devicePath, baudRate: 57600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (b: Buffer) => this.sim.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    port.on('error', () => undefined); // the pair is going away; the host side sees it
    this.#port = port;
    this.sim.attach((bytes) => {
      if (port.isOpen) port.write(Buffer.from(bytes));
    });
  }

  /** Pulls the cable: the module loses power and the host's pty goes away. */
  async unplug(): Promise<void> {
    this.sim.detach();
    const port = this.#port;
    const pair = this.#pair;
    this.#port = undefined;
    this.#pair = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pair?.close();
  }

  async replug(): Promise<void> {
    await this.unplug();
    await this.plug();
  }
}
