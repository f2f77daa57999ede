/**
 * Both simulated readers for a demo kiosk in one call: an R30x module on a socat pty (operators
 * pre-enrolled) and an RD service on loopback with a freshly generated test key pair standing in
 * for UIDAI's certificate. Everything is synthetic; nothing here is real biometric data.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { R30xSimulator, REALISTIC_TIMING } from './r30x-simulator.js';
import { R30xPtySimulator } from './r30x-pty.js';
import { RdServiceSimulator, type RdSimulatorOptions } from './rd-service-simulator.js';

export interface DemoReadersOptions {
  /** Directory for the pty symlinks (e.g. .demo/kiosk-1). */
  dir: string;
  /** Name of the pty pair, unique per kiosk in `dir`. */
  name?: string;
  /** RD service port: 11100 by default, any free port if that one is taken. */
  rdPort?: number;
  /** Finger ids enrolled in slots 0, 1, … of the R30x module. */
  operators?: string[];
  rd?: Partial<RdSimulatorOptions>;
}

export interface DemoReaders {
  /** Serial path for the R30x driver. */
  r30xPath: string;
  r30x: R30xSimulator;
  pty: R30xPtySimulator;
  rd: RdServiceSimulator;
  rdPort: number;
  /** The test key pair the RD simulator encrypts session keys to. */
  uidaiTestKeys: { publicKey: KeyObject; privateKey: KeyObject };
  close(): Promise<void>;
}

export async function startDemoReaders(o: DemoReadersOptions): Promise<DemoReaders> {
  const r30x = new R30xSimulator({ timing: REALISTIC_TIMING });
  (o.operators ?? []).forEach((finger, slot) => r30x.library.set(slot, r30x.templateFor(finger)));
  const pty = new R30xPtySimulator(r30x, o.dir, o.name ?? 'fp');
  await pty.plug();
  const uidaiTestKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rd = new RdServiceSimulator({ uidaiPublicKey: uidaiTestKeys.publicKey, info: 'Simulated RD Service (demo)', ...o.rd });
  let rdPort: number;
  try {
    rdPort = await rd.listen(o.rdPort ?? 11100);
  } catch {
    rdPort = await rd.listen(0);
  }
  return {
    r30xPath: pty.hostPath,
    r30x,
    pty,
    rd,
    rdPort,
    uidaiTestKeys,
    close: async () => {
      await pty.unplug();
      await rd.close();
    },
  };
}
