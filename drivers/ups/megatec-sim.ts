/**
 * A Megatec/Q1 UPS simulator for tests, the demo kiosks and bench runs: answers Q1, F and I from a
 * scriptable state, or replays an exact reply string (the real captures of reference §1.8), and can
 * misbehave the ways real units do (silence, `(NAK`, echo, `UPS No Ack`, garbage). `respond()` is
 * pure; `serveSerial()` puts it on a serial port, e.g. one end of a socat pty pair.
 */
import { SerialPort } from 'serialport';
import { Q1_BITS, type Q1Bits, type Q1Readings } from '../../protocols/megatec/index.js';

export type SimMode = 'normal' | 'silent' | 'nak' | 'echo' | 'no-ack' | 'garbage';

/**
 * What the simulated unit reports: the Q1 readings and status bits, flat. `batteryVoltage` is per
 * cell below 10 V (printed S.SS) and whole pack otherwise (printed SS.S), as real units differ (§1.3).
 */
export interface SimState extends Q1Readings, Q1Bits {
  /** When set, Q1 answers exactly this (without CR) instead of formatting the fields. */
  rawQ1: string | null;
  /** F reply without CR; null = echo (unsupported). */
  rating: string | null;
  /** I reply without CR; null = echo (unsupported). */
  vendor: string | null;
  mode: SimMode;
}

export const SIM_ONLINE: SimState = {
  inputVoltage: 231,
  inputFaultVoltage: 231,
  outputVoltage: 230,
  loadPct: 23,
  frequencyHz: 50,
  batteryVoltage: 13.6,
  temperatureC: 30,
  utilityFail: false,
  batteryLow: false,
  bypassBoostBuck: false,
  upsFailed: false,
  standbyType: true,
  testInProgress: false,
  shutdownActive: false,
  beeperOn: true,
  rawQ1: null,
  rating: '#230.0 004 12.00 50.0',
  vendor: '#KIOSK SIM UPS   LI-1100    V1.0      ',
  mode: 'normal',
};

/** Mains gone: input 0 V, battery sagging. */
export const SIM_ON_BATTERY: Partial<SimState> = { utilityFail: true, inputVoltage: 0, inputFaultVoltage: 0, batteryVoltage: 12.2, beeperOn: true };
/** Mains gone and the battery is low (synthesized: no real b6 capture is known, §1.8). */
export const SIM_LOW_BATTERY: Partial<SimState> = { ...SIM_ON_BATTERY, batteryLow: true, batteryVoltage: 10.6 };

function field(v: number | null, width: number, decimals: number): string {
  if (v === null) return (decimals > 0 ? '@'.repeat(width - decimals - 1) + '.' + '@'.repeat(decimals) : '@'.repeat(width));
  return v.toFixed(decimals).padStart(width, '0');
}

export function formatQ1(s: SimState): string {
  const bits = Q1_BITS.map((name) => (s[name] ? '1' : '0')).join('');
  const bv = s.batteryVoltage === null ? '@@.@' : s.batteryVoltage < 10 ? field(s.batteryVoltage, 4, 2) : field(s.batteryVoltage, 4, 1);
  return `(${field(s.inputVoltage, 5, 1)} ${field(s.inputFaultVoltage, 5, 1)} ${field(s.outputVoltage, 5, 1)} ${field(s.loadPct, 3, 0)} ${field(s.frequencyHz, 4, 1)} ${bv} ${field(s.temperatureC, 4, 1)} ${bits}`;
}

export class MegatecSimulator {
  state: SimState;
  /** Every command received, for assertions. */
  readonly received: string[] = [];

  constructor(state: Partial<SimState> = {}) {
    this.state = { ...SIM_ONLINE, ...state };
  }

  set(patch: Partial<SimState>): void {
    this.state = { ...this.state, ...patch };
  }

  /**
   * A crude battery model for demos: on battery the pack voltage falls by `dischargeVps` per second
   * and b6 (LB) sets below `lowV`; on mains it climbs back by `chargeVps` up to `fullV`. Voltages are
   * whole-pack (standby-unit style, e.g. 12 V). Call it from a timer with the elapsed seconds.
   */
  advance(seconds: number, model: { dischargeVps?: number; chargeVps?: number; lowV?: number; fullV?: number } = {}): void {
    const { dischargeVps = 0.005, chargeVps = 0.001, lowV = 10.8, fullV = 13.6 } = model;
    const v = this.state.batteryVoltage;
    if (v === null || !(seconds > 0)) return;
    const next = this.state.utilityFail ? v - dischargeVps * seconds : Math.min(fullV, v + chargeVps * seconds);
    const rounded = Math.round(Math.max(0, next) * 100) / 100;
    this.state = { ...this.state, batteryVoltage: rounded, batteryLow: this.state.utilityFail && rounded < lowV };
  }

  /** The reply to one command (with CR), or null for silence. */
  respond(command: string): string | null {
    this.received.push(command);
    const s = this.state;
    switch (s.mode) {
      case 'silent':
        return null;
      case 'nak':
        return '(NAK\r';
      case 'echo':
        return `${command}\r`;
      case 'no-ack':
        return 'UPS No Ack\r';
      case 'garbage':
        return '\xff\x13(2#@!\x00 7\r';
      case 'normal':
        break;
    }
    switch (command) {
      case 'Q1':
        return `${s.rawQ1 ?? formatQ1(s)}\r`;
      case 'F':
        return s.rating === null ? 'F\r' : `${s.rating}\r`;
      case 'I':
        return s.vendor === null ? 'I\r' : `${s.vendor}\r`;
      case 'T':
      case 'TL':
        this.state = { ...this.state, testInProgress: true };
        return null;
      case 'CT':
        this.state = { ...this.state, testInProgress: false };
        return null;
      case 'Q':
        this.state = { ...this.state, beeperOn: !this.state.beeperOn };
        return null;
      case 'C':
        this.state = { ...this.state, shutdownActive: false };
        return null;
      default:
        if (/^S(\.\d|\d\d)(R\d{4})?$/.test(command) || /^T\d\d$/.test(command)) return null;
        // The Megatec way of saying "not supported" (§1.6).
        return `${command}\r`;
    }
  }

  /** Feeds raw bytes from the host; calls `reply` for each complete command. */
  handler(reply: (bytes: Buffer) => void): (chunk: Buffer) => void {
    let buf = '';
    return (chunk) => {
      buf += chunk.toString('latin1');
      let cr: number;
      while ((cr = buf.indexOf('\r')) >= 0) {
        // eslint-disable-next-line no-control-regex -- hosts may send a stray LF or NUL before a command
        const cmd = buf.slice(0, cr).replace(/^[\n\x00]+/, '');
        buf = buf.slice(cr + 1);
        const r = this.respond(cmd);
        if (r !== null) reply(Buffer.from(r, 'latin1'));
      }
      if (buf.length > 256) buf = '';
    };
  }
}

/**
 * The simulator behind a 0665:5161-style HID shim, in memory: 9-byte writes (report ID 0 + 8 bytes)
 * in, 8-byte input reports out. Satisfies `HidDeviceLike` (structurally), so the demo kiosk runs the
 * real megatec-hid path with `deps.openHid = () => Promise.resolve(new SimulatedHidDevice(sim))`.
 * `read` returns undefined at once when nothing is queued: "the timeout passed", without sleeping.
 */
export class SimulatedHidDevice {
  readonly writes: number[][] = [];
  readonly readTimeouts: (number | undefined)[] = [];
  queue: Uint8Array[] = [];
  closed = false;
  /** Throw on the next I/O, as node-hid does for an unplugged device. */
  unplugged = false;
  /** Pad bytes of the last report: 0 (#1279) or stale junk such as 0x20 0x32 0x37 0x33 (#1652). */
  pad: number[] = [0];
  #pending: number[] = [];

  constructor(private readonly sim: MegatecSimulator) {}

  /** Queues raw reports, e.g. a stale reply left over from an earlier command. */
  inject(text: string): void {
    this.queue.push(...toReports(text, this.pad));
  }

  write(data: number[]): Promise<number> {
    if (this.unplugged) return Promise.reject(new Error('Cannot write to hid device'));
    if (this.closed) return Promise.reject(new Error('device closed'));
    this.writes.push(data);
    this.#pending.push(...data.slice(1).filter((b) => b !== 0));
    const cr = this.#pending.indexOf(0x0d);
    if (cr >= 0) {
      const cmd = String.fromCharCode(...this.#pending.slice(0, cr));
      this.#pending = [];
      const reply = this.sim.respond(cmd);
      if (reply !== null) this.queue.push(...toReports(reply, this.pad));
    }
    return Promise.resolve(data.length);
  }

  read(timeoutMs?: number): Promise<Uint8Array | undefined> {
    this.readTimeouts.push(timeoutMs);
    if (this.unplugged) return Promise.reject(new Error('could not read from HID device'));
    return Promise.resolve(this.queue.shift());
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Splits text into 8-byte reports, padding the last one. */
export function toReports(text: string, pad: number[] = [0]): Uint8Array[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    const c = bytes.slice(i, i + 8);
    let k = 0;
    while (c.length < 8) c.push(pad[k++ % pad.length] ?? 0);
    out.push(Uint8Array.from(c));
  }
  return out;
}

/** Serves the simulator on a serial device (the far end of a pty pair in tests). */
export async function serveSerial(path: string, sim: MegatecSimulator, opts: { replyDelayMs?: number } = {}): Promise<{ close(): Promise<void> }> {
  // No exclusive lock on the simulator's end: it is a test peer, and the lock is what the driver's end is for.
  const port = new SerialPort({ path, baudRate: 2400, autoOpen: false, lock: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const write = (b: Buffer): void => {
    if (opts.replyDelayMs) setTimeout(() => port.write(b), opts.replyDelayMs);
    else port.write(b);
  };
  port.on('data', sim.handler(write));
  port.on('error', () => undefined);
  return {
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
