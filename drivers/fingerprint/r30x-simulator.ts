/**
 * A simulated R30x / ZFM-20 fingerprint module speaking the protocol byte for byte (reference A2–A6):
 * a template library ("flash"), two CharBuffers, an image buffer, scripted fingers, the timing of
 * a real module at its baud rate, and injectable faults. Transport-agnostic: bytes in through
 * `receive()`, bytes out through the sink given to `attach()`; `r30x-pty.ts` puts it on a pty.
 *
 * Finger model: a queue of touches. Each touch keeps the finger on the glass for `holdImages`
 * successful GenImg calls, after which it lifts for `liftPolls` GenImg calls. Counting polls rather
 * than milliseconds makes enrolment scripts deterministic whatever the host's polling interval.
 *
 * Templates are synthetic (r30x-sim-templates.ts): SHA-256 of the finger id plus filler. No real
 * fingerprint data is involved.
 */
import {
  ConfirmationCode as CC,
  DataCollector,
  IMAGE_BYTES,
  Instruction,
  PacketId,
  R30xFramer,
  encodeAck,
  indexTableBytes,
  packetSizeFromCode,
  splitData,
  sysParaBytes,
  type Packet,
} from '../../protocols/r30x/index.js';
import { sameFinger, scoreOf, synthetic, withIdentity } from './r30x-sim-templates.js';

export type FingerQuality = 'good' | 'poor' | 'messy' | 'capture-fail';
export interface Touch {
  /** Who the finger belongs to; the same id always yields the same template. */
  finger: string;
  quality?: FingerQuality;
  /** Successful images before the finger lifts (default 1; Infinity = stays). */
  holdImages?: number;
  /** GenImg polls answered "no finger" before this touch lands (default 0). */
  afterPolls?: number;
  /** GenImg polls answered "no finger" after it lifts (default 1). */
  liftPolls?: number;
}

export type SimFault = 'bad-checksum' | 'silence' | 'garbage';

export interface SimTiming {
  /** Module processing time per instruction, ms; falls back to `defaultMs`. */
  perInstructionMs: Partial<Record<keyof typeof Instruction, number>>;
  defaultMs: number;
  /** Pace output at the configured baud rate (10 bits per byte). */
  paceAtBaud: boolean;
}

/** Rough module timings: image capture and feature extraction dominate (reference A1, LIBDRV). */
export const REALISTIC_TIMING: SimTiming = {
  perInstructionMs: { GenImg: 120, Img2Tz: 180, RegModel: 60, Search: 80, Store: 40, Match: 40, Empty: 100, DeleteChar: 40 },
  defaultMs: 5,
  paceAtBaud: true,
};
export const FAST_TIMING: SimTiming = { perInstructionMs: {}, defaultMs: 0, paceAtBaud: false };

export interface R30xSimulatorOptions {
  address?: number;
  password?: number;
  capacity?: number;
  securityLevel?: number;
  /** 0–3 → 32/64/128/256-byte data packets (factory 128; reference A3). */
  packetSizeCode?: number;
  baudN?: number;
  /** 0 for ZFM-20, 9 for R503 (reference A3). */
  systemId?: number;
  /** Bytes per stored template: 512 on ZFM-20/R307, 1536 on R503 (reference A7). */
  templateBytes?: number;
  /** Emit the R503's 0x55 ready byte on power-up (reference A1). */
  readyByte?: boolean;
  timing?: SimTiming;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
}

interface CharBuf {
  bytes: Uint8Array;
}

export class R30xSimulator {
  readonly address: number;
  password: number;
  readonly capacity: number;
  securityLevel: number;
  packetSizeCode: number;
  baudN: number;
  readonly systemId: number;
  readonly templateBytes: number;
  readonly readyByte: boolean;
  timing: SimTiming;
  /** The "flash": slot → template bytes. Survives unplug, like the real module. */
  readonly library = new Map<number, Uint8Array>();
  /** Every instruction received, by name, for tests that assert on the conversation. */
  readonly received: string[] = [];
  led: number[] = [];

  #sink: ((b: Uint8Array) => void) | undefined;
  readonly #framer: R30xFramer;
  #verified = false;
  #image: { finger: string; quality: FingerQuality } | undefined;
  readonly #buffers = new Map<number, CharBuf>();
  #touches: Touch[] = [];
  #current: { touch: Touch; remaining: number } | undefined;
  #wait = 0;
  #faults: SimFault[] = [];
  #download: { buffer: number; collector: DataCollector } | undefined;
  #lineFreeAt = 0;
  readonly #now: () => number;
  readonly #setTimeout: (fn: () => void, ms: number) => unknown;

  constructor(opts: R30xSimulatorOptions = {}) {
    this.address = opts.address ?? 0xffffffff;
    this.password = opts.password ?? 0;
    this.capacity = opts.capacity ?? 200;
    this.securityLevel = opts.securityLevel ?? 3;
    this.packetSizeCode = opts.packetSizeCode ?? 2;
    this.baudN = opts.baudN ?? 6;
    this.systemId = opts.systemId ?? 0;
    this.templateBytes = opts.templateBytes ?? 512;
    this.readyByte = opts.readyByte ?? false;
    this.timing = opts.timing ?? REALISTIC_TIMING;
    this.#now = opts.now ?? (() => performance.now());
    this.#setTimeout = opts.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.#framer = new R30xFramer({ address: this.address });
  }

  /** Connects the output; a power-up follows (the R503 then sends 0x55). */
  attach(sink: (b: Uint8Array) => void): void {
    this.#sink = sink;
    this.#verified = false;
    this.#framer.reset();
    this.#download = undefined;
    this.#lineFreeAt = 0;
    if (this.readyByte) this.#send(Uint8Array.of(0x55), 50);
  }

  detach(): void {
    this.#sink = undefined;
  }

  // ---- scripting ----

  /** Queues touches; each is consumed by GenImg polls in order. */
  touch(...touches: Touch[]): void {
    this.#touches.push(...touches);
  }

  /** A finger that stays on the glass until `lift()`. */
  place(finger: string, quality: FingerQuality = 'good'): void {
    this.#current = { touch: { finger, quality }, remaining: Infinity };
  }

  lift(): void {
    this.#current = undefined;
    this.#touches = [];
    this.#wait = 0;
  }

  /** Faults applied to the next replies, one per reply, in order. */
  fault(...faults: SimFault[]): void {
    this.#faults.push(...faults);
  }

  get pendingTouches(): number {
    return this.#touches.length + (this.#current ? 1 : 0);
  }

  /** The synthetic template an enrolled `finger` gets (for tests that preload the library). */
  templateFor(finger: string): Uint8Array {
    return synthetic(finger, this.templateBytes);
  }

  // ---- wire ----

  receive(chunk: Uint8Array): void {
    for (const item of this.#framer.push(chunk)) {
      if (item.kind === 'discarded' && item.reason === 'bad-checksum') this.#reply(CC.PACKET_RECEIVE_ERROR);
      if (item.kind !== 'packet') continue;
      if (this.#download) {
        this.#onDownload(item.packet);
        continue;
      }
      if (item.packet.pid === PacketId.COMMAND && item.packet.payload.length > 0) this.#onCommand(item.packet.payload);
    }
  }

  #onDownload(p: Packet): void {
    const d = this.#download!;
    try {
      if (d.collector.accept(p) === 'done') {
        this.#buffers.set(d.buffer, { bytes: d.collector.result() });
        this.#download = undefined;
      }
    } catch {
      this.#download = undefined; // a malformed download leaves the buffer untouched
    }
  }

  #onCommand(payload: Uint8Array): void {
    const ins = payload[0]!;
    const arg = (i: number): number => payload[i] ?? 0;
    const arg16 = (i: number): number => (arg(i) << 8) | arg(i + 1);
    const name = (Object.keys(Instruction) as (keyof typeof Instruction)[]).find((k) => Instruction[k] === ins);
    this.received.push(name ?? `0x${ins.toString(16)}`);
    const ms = (name && this.timing.perInstructionMs[name]) ?? this.timing.defaultMs;
    const ok = (data: number[] = []): void => this.#reply(CC.OK, data, ms);
    const err = (cc: number): void => this.#reply(cc, [], ms);

    if (this.password !== 0 && !this.#verified && ins !== Instruction.VfyPwd) return err(CC.PASSWORD_REQUIRED);
    switch (ins) {
      case Instruction.VfyPwd: {
        const pwd = ((arg(1) << 24) | (arg(2) << 16) | (arg(3) << 8) | arg(4)) >>> 0;
        this.#verified = pwd === this.password;
        return this.#verified ? ok() : err(CC.WRONG_PASSWORD);
      }
      case Instruction.HandShake:
      case Instruction.CheckSensor:
        return ok();
      case Instruction.GenImg:
        return this.#genImg(ms);
      case Instruction.Img2Tz: {
        if (!this.#image) return err(CC.INVALID_IMAGE);
        if (this.#image.quality === 'poor') return err(CC.FEATURE_FAIL);
        if (this.#image.quality === 'messy') return err(CC.IMAGE_MESSY);
        this.#buffers.set(arg(1), { bytes: synthetic(this.#image.finger, this.templateBytes / 2) });
        return ok();
      }
      case Instruction.RegModel: {
        const a = this.#buffers.get(1);
        const b = this.#buffers.get(2);
        if (!a || !b || !sameFinger(a.bytes, b.bytes)) return err(CC.ENROLL_MISMATCH);
        const model = withIdentity(a.bytes, this.templateBytes);
        this.#buffers.set(1, { bytes: model });
        this.#buffers.set(2, { bytes: model.slice() });
        return ok();
      }
      case Instruction.Store: {
        const page = arg16(2);
        const buf = this.#buffers.get(arg(1));
        if (page >= this.capacity) return err(CC.BAD_LOCATION);
        if (!buf) return err(CC.DB_READ_FAIL);
        this.library.set(page, withIdentity(buf.bytes, this.templateBytes));
        return ok();
      }
      case Instruction.LoadChar: {
        const t = this.library.get(arg16(2));
        if (arg16(2) >= this.capacity) return err(CC.BAD_LOCATION);
        if (!t) return err(CC.DB_READ_FAIL);
        this.#buffers.set(arg(1), { bytes: t.slice() });
        return ok();
      }
      case Instruction.Search: {
        const buf = this.#buffers.get(arg(1));
        if (!buf) return err(CC.NOT_FOUND);
        const start = arg16(2);
        const end = Math.min(this.capacity, start + arg16(4));
        for (let page = start; page < end; page++) {
          const t = this.library.get(page);
          if (t && sameFinger(t, buf.bytes)) return ok([page >> 8, page & 0xff, 0, scoreOf(t)]);
        }
        return err(CC.NOT_FOUND);
      }
      case Instruction.Match: {
        const a = this.#buffers.get(1);
        const b = this.#buffers.get(2);
        if (!a || !b || !sameFinger(a.bytes, b.bytes)) return this.#reply(CC.NO_MATCH, [0, 0], ms);
        return ok([0, scoreOf(a.bytes)]);
      }
      case Instruction.UpChar: {
        const buf = this.#buffers.get(arg(1));
        if (!buf) return err(CC.UPLOAD_FEATURE_FAIL);
        ok();
        return this.#sendData(buf.bytes);
      }
      case Instruction.DownChar:
        this.#download = { buffer: arg(1), collector: new DataCollector(4096) };
        return ok();
      case Instruction.UpImage: {
        if (!this.#image) return err(CC.UPLOAD_IMAGE_FAIL);
        ok();
        return this.#sendData(synthetic(`image:${this.#image.finger}`, IMAGE_BYTES));
      }
      case Instruction.DeleteChar: {
        const page = arg16(1);
        const count = arg16(3);
        if (page + count > this.capacity || count === 0) return err(CC.DELETE_FAIL);
        for (let p = page; p < page + count; p++) this.library.delete(p);
        return ok();
      }
      case Instruction.Empty:
        this.library.clear();
        return ok();
      case Instruction.SetSysPara: {
        const [param, value] = [arg(1), arg(2)];
        if (param === 4 && value >= 1 && value <= 12) this.baudN = value;
        else if (param === 5 && value >= 1 && value <= 5) this.securityLevel = value;
        else if (param === 6 && value <= 3) this.packetSizeCode = value;
        else return err(CC.INVALID_REGISTER);
        return ok();
      }
      case Instruction.ReadSysPara: {
        const status = (this.#verified ? 0x04 : 0) | (this.#image ? 0x08 : 0);
        return ok(sysParaBytes({
          statusRegister: status, systemId: this.systemId, capacity: this.capacity, securityLevel: this.securityLevel,
          address: this.address, packetSizeCode: this.packetSizeCode, baudN: this.baudN,
        }));
      }
      case Instruction.TemplateNum:
        return ok([this.library.size >> 8, this.library.size & 0xff]);
      case Instruction.ReadIndexTable:
        if (arg(1) > 3) return err(CC.INVALID_REGISTER);
        return ok(indexTableBytes(this.library.keys(), arg(1)));
      case Instruction.GetRandomCode:
        return ok([0x12, 0x34, 0x56, 0x78]);
      case Instruction.AuraLedConfig:
        this.led = [arg(1), arg(2), arg(3), arg(4)];
        return ok();
      case Instruction.SoftRst:
        ok();
        this.#verified = false;
        if (this.readyByte) this.#send(Uint8Array.of(0x55), 50);
        return;
      default:
        return err(CC.UNSUPPORTED_COMMAND);
    }
  }

  #genImg(ms: number): void {
    if (!this.#current && this.#wait === 0 && this.#touches.length > 0) {
      const next = this.#touches.shift()!;
      this.#wait = next.afterPolls ?? 0;
      this.#current = { touch: next, remaining: next.holdImages ?? 1 };
    }
    if (this.#wait > 0 || !this.#current) {
      if (this.#wait > 0) this.#wait--;
      return this.#reply(CC.NO_FINGER, [], ms);
    }
    const { touch } = this.#current;
    if (--this.#current.remaining <= 0) {
      this.#current = undefined;
      this.#wait = touch.liftPolls ?? 1;
    }
    if (touch.quality === 'capture-fail') return this.#reply(CC.IMAGE_FAIL, [], ms);
    this.#image = { finger: touch.finger, quality: touch.quality ?? 'good' };
    this.#reply(CC.OK, [], ms);
  }

  #reply(cc: number, data: number[] = [], delayMs = 0): void {
    const fault = this.#faults.shift();
    if (fault === 'silence') return;
    let bytes = encodeAck(cc, data, this.address);
    if (fault === 'bad-checksum') {
      bytes = bytes.slice();
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x5a;
    } else if (fault === 'garbage') {
      bytes = Uint8Array.from([0x00, 0xef, 0x13, 0x37, 0xff, ...bytes]);
    }
    this.#send(bytes, delayMs);
  }

  #sendData(bytes: Uint8Array): void {
    for (const p of splitData(bytes, packetSizeFromCode(this.packetSizeCode), this.address)) this.#send(p, 0);
  }

  /** Schedules bytes so that they finish arriving when a real line at `baudN`·9600 would deliver them. */
  #send(bytes: Uint8Array, processingMs: number): void {
    const now = this.#now();
    const txMs = this.timing.paceAtBaud ? (bytes.length * 10 * 1000) / (this.baudN * 9600) : 0;
    const at = Math.max(now + processingMs, this.#lineFreeAt) + txMs;
    this.#lineFreeAt = at;
    const deliver = (): void => this.#sink?.(bytes);
    if (at - now <= 0) deliver();
    else this.#setTimeout(deliver, at - now);
  }
}
