/**
 * What the kiosk does with an R30x module, as command sequences (reference A4 "typical flows"):
 *
 *   capture  = poll GenImg until a finger (or the deadline) → Img2Tz(buffer)
 *   enroll   = capture(1) → [Search: refuse a finger already enrolled] → wait for lift → capture(2)
 *              → RegModel → Store(1, first free slot from ReadIndexTable)
 *   identify = capture(1) → Search(1, 0, capacity) → slot and score, or null
 *   verify   = LoadChar(2, slot) → capture(1) → Match → score
 *
 * One operation at a time: they share the module's CharBuffers. Templates never leave the module
 * here; `uploadImage` exists for diagnostics and the line-rate benchmark and keeps the image in
 * memory only.
 */
import {
  ConfirmationCode as CC,
  IMAGE_BYTES,
  commands,
  parseIndexTable,
  parseMatchScore,
  parseSearch,
  parseTemplateNum,
  wireBytesFor,
  type Ack,
  type Command,
} from '../../../protocols/r30x/index.js';
import { FingerprintError, sleep } from '../errors.js';
import type { R30xDriver } from './driver.js';
import type { R30xLink } from './link.js';

export interface CaptureOptions {
  /** How long to wait for a finger, ms (default 10 s). */
  deadlineMs?: number;
}

export interface EnrollOptions extends CaptureOptions {
  /** Store in this slot instead of the first free one. */
  slot?: number;
  /** Enrol even when the finger already matches a stored template (default false). */
  allowDuplicate?: boolean;
}

export interface Match {
  slot: number;
  score: number;
}

export class R30xOperations {
  readonly #d: R30xDriver;
  #chain: Promise<unknown> = Promise.resolve();
  /** The link the current operation started on. */
  #link: R30xLink | undefined;

  constructor(driver: R30xDriver) {
    this.#d = driver;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = (): Promise<T> => {
      this.#link = this.#d.link();
      return fn();
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Waits for a finger and extracts its features into `buffer`. */
  capture(buffer = 1, opts: CaptureOptions = {}): Promise<void> {
    return this.#exclusive(() => this.#capture(buffer, this.#deadline(opts)));
  }

  enroll(opts: EnrollOptions = {}): Promise<{ slot: number }> {
    return this.#exclusive(async () => {
      const deadline = this.#deadline(opts);
      await this.#capture(1, deadline);
      if (!opts.allowDuplicate) {
        const hit = await this.#search();
        if (hit) throw new FingerprintError('FP_ALREADY_ENROLLED', 'This finger is already enrolled', { context: { slot: hit.slot } });
      }
      await this.#waitForLift(deadline);
      await this.#capture(2, deadline);
      await this.#run(commands.regModel());
      const slot = opts.slot ?? (await this.#freeSlot());
      await this.#run(commands.store(1, slot));
      await this.#refreshCount();
      return { slot };
    });
  }

  /** 1:N search; null when the finger is not in the library. */
  identify(opts: CaptureOptions = {}): Promise<Match | null> {
    return this.#exclusive(async () => {
      await this.#capture(1, this.#deadline(opts));
      return this.#search();
    });
  }

  /** 1:1 against one slot. */
  verify(slot: number, opts: CaptureOptions = {}): Promise<{ matched: boolean; score: number }> {
    return this.#exclusive(async () => {
      const d = this.#d;
      await this.#run(commands.loadChar(2, slot));
      await this.#capture(1, this.#deadline(opts));
      const ack = await this.#run(commands.match(), d.opts.timeouts.default, [CC.NO_MATCH]);
      return ack.cc === CC.NO_MATCH ? { matched: false, score: 0 } : { matched: true, score: parseMatchScore(ack.data) };
    });
  }

  delete(slot: number, count = 1): Promise<void> {
    return this.#exclusive(async () => {
      await this.#run(commands.deleteChar(slot, count));
      await this.#refreshCount();
    });
  }

  clear(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#run(commands.empty(), 3000);
      await this.#refreshCount();
    });
  }

  /** Occupied slots, from ReadIndexTable over the pages the capacity covers. */
  slots(): Promise<number[]> {
    return this.#exclusive(() => this.#occupied());
  }

  /** R503 ring LED (reference A5); modules without one answer FP_DEVICE_ERROR (0xFC). */
  led(ctrl: number, colour: number, speed = 0x80, count = 0): Promise<void> {
    return this.#exclusive(async () => {
      await this.#run(commands.auraLed(ctrl, speed, colour, count));
    });
  }

  /**
   * Uploads the image buffer (256×288, 4 bits per pixel; reference A7). The timeout follows the
   * line: 40,032 bytes at 57,600 baud take about 7 s.
   */
  uploadImage(): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      const d = this.#d;
      const packetSize = d.health().params?.packetSize ?? 128;
      const lineMs = (wireBytesFor(IMAGE_BYTES, packetSize) * 10 * 1000) / d.opts.baudRate;
      const { ack, data } = await this.#link!.commandWithData(commands.upImage(), lineMs * 1.5 + d.opts.timeouts.dataMargin, IMAGE_BYTES);
      d.check(ack, 'UpImage');
      return data;
    });
  }

  #run(cmd: Command, timeoutMs?: number, accept?: readonly number[]): Promise<Ack> {
    return this.#d.run(this.#link!, cmd, timeoutMs, accept);
  }

  #deadline(opts: CaptureOptions): number {
    return this.#d.opts.timers.now() + (opts.deadlineMs ?? 10_000);
  }

  async #capture(buffer: number, deadline: number): Promise<void> {
    const d = this.#d;
    for (;;) {
      // 0x02 no finger: poll again; 0x03 image failed: the finger moved, take another.
      const ack = await this.#run(commands.genImg(), d.opts.timeouts.genImg, [CC.NO_FINGER, CC.IMAGE_FAIL]);
      if (ack.cc === CC.OK) break;
      if (d.opts.timers.now() >= deadline) {
        throw new FingerprintError('FP_CAPTURE_TIMEOUT', 'No finger was placed on the reader in time', { context: { buffer } });
      }
      await sleep(d.opts.timers, d.opts.pollMs);
    }
    await this.#run(commands.img2Tz(buffer), d.opts.timeouts.img2Tz);
  }

  async #waitForLift(deadline: number): Promise<void> {
    const d = this.#d;
    for (;;) {
      const ack = await this.#run(commands.genImg(), d.opts.timeouts.genImg, [CC.NO_FINGER, CC.IMAGE_FAIL]);
      if (ack.cc === CC.NO_FINGER) return;
      if (d.opts.timers.now() >= deadline) {
        throw new FingerprintError('FP_CAPTURE_TIMEOUT', 'The finger was not lifted in time', { context: { phase: 'lift' } });
      }
      await sleep(d.opts.timers, d.opts.pollMs);
    }
  }

  async #search(): Promise<Match | null> {
    const d = this.#d;
    const ack = await this.#run(commands.search(1, 0, d.capacity()), d.opts.timeouts.search, [CC.NOT_FOUND]);
    if (ack.cc === CC.NOT_FOUND) return null;
    const r = parseSearch(ack.data);
    return { slot: r.pageId, score: r.score };
  }

  async #occupied(): Promise<number[]> {
    const d = this.#d;
    const pages = Math.max(1, Math.min(4, Math.ceil(d.capacity() / 256)));
    const used: number[] = [];
    for (let page = 0; page < pages; page++) used.push(...parseIndexTable((await this.#run(commands.readIndexTable(page))).data, page));
    return used;
  }

  async #freeSlot(): Promise<number> {
    const used = new Set(await this.#occupied());
    for (let slot = 0; slot < this.#d.capacity(); slot++) if (!used.has(slot)) return slot;
    throw new FingerprintError('FP_LIBRARY_FULL', 'The reader library is full; delete unused fingerprints', { context: { capacity: this.#d.capacity() } });
  }

  async #refreshCount(): Promise<void> {
    this.#d.setTemplateCount(parseTemplateNum((await this.#run(commands.templateNum())).data));
  }
}
