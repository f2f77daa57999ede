/**
 * The command link over one open port: frames incoming bytes, keeps exactly one command in
 * flight (the module is half duplex and its replies carry no correlation id; reference A1/A2),
 * arms a timeout per command, and fails the waiter at once when the port goes away.
 *
 * After a timeout a late reply could be taken for the answer to the next command, so the link
 * then stays quiet for `settleMs`, dropping whatever arrives, before it writes again.
 */
import type { Logger } from '../../common/logger.js';
import {
  DataCollector,
  R30xFramer,
  encodeCommand,
  parseAck,
  splitData,
  isR30xProtocolError,
  type Ack,
  type Command,
  type Packet,
} from '../../../protocols/r30x/index.js';
import { FingerprintError, sleep, type Timers } from '../errors.js';
import type { R30xPort } from './port.js';

interface Waiter {
  command: string;
  onPacket(p: Packet): void;
  fail(e: FingerprintError): void;
}

export interface LinkOptions {
  address: number;
  logger: Logger;
  timers: Timers;
  /** Quiet time after a timeout before the next write, ms. */
  settleMs?: number;
}

export class R30xLink {
  readonly #port: R30xPort;
  readonly #framer: R30xFramer;
  readonly #opts: LinkOptions;
  #waiter: Waiter | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed: Error | undefined;
  #quietUntil = 0;
  /** Called for the R503's 0x55 byte (module reset). */
  onReady: () => void = () => undefined;

  constructor(port: R30xPort, opts: LinkOptions) {
    this.#port = port;
    this.#opts = opts;
    this.#framer = new R30xFramer({ address: opts.address });
    port.onData((b) => this.#onBytes(b));
    port.onClose((err) => {
      this.#closed = err ?? new Error('closed');
      this.#waiter?.fail(new FingerprintError('FP_DISCONNECTED', 'The fingerprint reader was disconnected', { context: { command: this.#waiter.command } }));
    });
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  #onBytes(bytes: Uint8Array): void {
    for (const item of this.#framer.push(bytes)) {
      if (item.kind === 'ready') {
        this.#opts.logger.info({}, 'reader sent its ready byte (power-up or reset)');
        this.onReady();
      } else if (item.kind === 'discarded') {
        // Length and reason only: discarded bytes may be a piece of a template or image.
        this.#opts.logger.warn({ bytes: item.bytes.length, reason: item.reason }, 'discarded bytes from the reader');
      } else if (this.#waiter) {
        this.#waiter.onPacket(item.packet);
      } else {
        this.#opts.logger.debug({ pid: item.packet.pid }, 'unsolicited packet dropped');
      }
    }
  }

  /** Sends a command and resolves with its acknowledge (any confirmation code). */
  command(cmd: Command, timeoutMs: number): Promise<Ack> {
    return this.#exclusive(cmd.name, timeoutMs, (settle, fail) => ({
      onPacket: (p) => {
        try {
          settle(parseAck(p));
        } catch (e) {
          fail(protocolError(e, cmd.name));
        }
      },
    }), [encodeCommand(cmd, this.#opts.address)]);
  }

  /**
   * Sends a command whose OK acknowledge is followed by data packets (UpChar, UpImage) and
   * resolves with the ack and the reassembled data (empty when the ack is not OK).
   */
  commandWithData(cmd: Command, timeoutMs: number, maxBytes: number): Promise<{ ack: Ack; data: Uint8Array }> {
    let ack: Ack | undefined;
    const collector = new DataCollector(maxBytes);
    return this.#exclusive(cmd.name, timeoutMs, (settle, fail) => ({
      onPacket: (p) => {
        try {
          if (!ack) {
            ack = parseAck(p);
            if (ack.cc !== 0) settle({ ack, data: new Uint8Array(0) });
            return;
          }
          if (collector.accept(p) === 'done') settle({ ack, data: collector.result() });
        } catch (e) {
          fail(protocolError(e, cmd.name));
        }
      },
    }), [encodeCommand(cmd, this.#opts.address)]);
  }

  /** Sends a command (DownChar) and, after an OK acknowledge, the data packets. */
  async commandThenData(cmd: Command, data: Uint8Array, packetSize: number, timeoutMs: number): Promise<Ack> {
    const ack = await this.command(cmd, timeoutMs);
    if (ack.cc === 0) for (const p of splitData(data, packetSize, this.#opts.address)) this.#port.write(p);
    return ack;
  }

  #exclusive<T>(
    name: string,
    timeoutMs: number,
    make: (settle: (v: T) => void, fail: (e: FingerprintError) => void) => Pick<Waiter, 'onPacket'>,
    writes: Uint8Array[],
  ): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.#closed) throw new FingerprintError('FP_DISCONNECTED', 'The fingerprint reader is disconnected', { context: { command: name } });
      const wait = this.#quietUntil - this.#opts.timers.now();
      if (wait > 0) await sleep(this.#opts.timers, wait);
      return new Promise<T>((resolve, reject) => {
        const { timers } = this.#opts;
        let done = false;
        const finish = (): void => {
          done = true;
          timers.clearTimeout(timer);
          this.#waiter = undefined;
        };
        const settle = (v: T): void => {
          if (done) return;
          finish();
          resolve(v);
        };
        const fail = (e: FingerprintError): void => {
          if (done) return;
          finish();
          reject(e);
        };
        const timer = timers.setTimeout(() => {
          if (done) return;
          this.#framer.flush();
          this.#quietUntil = timers.now() + (this.#opts.settleMs ?? 100);
          fail(new FingerprintError('FP_TIMEOUT', 'The fingerprint reader did not answer', { context: { command: name, timeoutMs } }));
        }, timeoutMs);
        this.#waiter = { command: name, ...make(settle, fail), fail };
        if (this.#closed) {
          fail(new FingerprintError('FP_DISCONNECTED', 'The fingerprint reader is disconnected', { context: { command: name } }));
          return;
        }
        for (const w of writes) this.#port.write(w);
      });
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }
}

function protocolError(e: unknown, command: string): FingerprintError {
  const code = isR30xProtocolError(e) ? e.code : 'unknown';
  return new FingerprintError('FP_PROTOCOL', 'The fingerprint reader sent an unexpected reply', { context: { command, protocolCode: code }, cause: e });
}
