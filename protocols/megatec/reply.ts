/**
 * Megatec framing: every command and every reply is ASCII ended by CR (0x0D) [web:protocols/megatec.txt,
 * reference §1.1]. One read is not one reply (serial drivers deliver arbitrary chunks, HID shims 8-byte
 * reports), so bytes are accumulated until the first CR; whatever follows the CR in the same chunk is
 * stale junk from an earlier reply or zero padding (#1279, #1652; reference §2.2) and is discarded.
 */
import { fail, MegatecErrorCode, ok, type ParseResult, printable } from './errors.js';

export const CR = 0x0d;

/** Longest legitimate reply is Voltronic QGS (76 bytes); anything far beyond is noise. */
export const DEFAULT_MAX_LINE = 256;

/** Encodes a command with its CR. Commands come from our code, so bad input is a bug: reported, not sent. */
export function encodeCommand(command: string): ParseResult<Uint8Array> {
  if (!/^[\x20-\x7e]{1,16}$/.test(command)) {
    return fail(MegatecErrorCode.BadCommand, 'command must be 1..16 printable ASCII characters', command);
  }
  const bytes = new Uint8Array(command.length + 1);
  for (let i = 0; i < command.length; i++) bytes[i] = command.charCodeAt(i);
  bytes[command.length] = CR;
  return ok(bytes);
}

/**
 * Accumulates bytes until a CR. Pure: the caller owns the timeout. `push` returns the completed
 * line (without CR) once, then ignores further bytes until `reset()`, because with one request in
 * flight anything after the first CR cannot be the answer to it.
 */
export class LineAssembler {
  #buf: number[] = [];
  #done = false;
  #overflow = false;

  constructor(private readonly maxLine = DEFAULT_MAX_LINE) {}

  /** Returns the line when the CR arrives, `undefined` while incomplete. */
  push(chunk: Uint8Array): ParseResult<string> | undefined {
    if (this.#done) return undefined;
    for (const b of chunk) {
      if (b === CR) {
        this.#done = true;
        return this.#overflow
          ? fail(MegatecErrorCode.LineTooLong, `reply longer than ${this.maxLine} bytes`)
          : ok(String.fromCharCode(...this.#buf));
      }
      // NUL is HID report padding, never data.
      if (b === 0) continue;
      if (this.#buf.length >= this.maxLine) {
        this.#overflow = true;
        continue;
      }
      this.#buf.push(b);
    }
    return undefined;
  }

  /** Bytes gathered so far without a CR, e.g. to report what a timed-out reply looked like. */
  get pending(): string {
    return printable(String.fromCharCode(...this.#buf));
  }

  get overflowed(): boolean {
    return this.#overflow;
  }

  reset(): void {
    this.#buf = [];
    this.#done = false;
    this.#overflow = false;
  }
}

/** Cuts a reply at its first CR and drops NUL padding: the HID and test-vector entry point. */
export function cutAtCr(reply: string): string {
  const cr = reply.indexOf('\r');
  // eslint-disable-next-line no-control-regex
  return (cr >= 0 ? reply.slice(0, cr) : reply).replace(/\x00/g, '');
}

export type NegativeReply = 'empty' | 'nak' | 'echo' | 'no-ack';

/**
 * Recognises the replies that mean "no data" for any query (reference §1.6): silence, `(NAK`/`NAK`/`N`
 * (Voltronic), the command echoed back (Megatec spec), `UPS No Ack` (fabula/hunnox shims).
 */
export function negativeReply(command: string, reply: string): NegativeReply | undefined {
  const line = cutAtCr(reply).trim();
  if (line === '') return 'empty';
  if (line === '(NAK' || line === 'NAK' || line === 'N') return 'nak';
  if (line === command.trim()) return 'echo';
  if (line === 'UPS No Ack') return 'no-ack';
  return undefined;
}

/** Maps a negative reply to its parse failure, so every parser reports them the same way. */
export function negativeFailure<T>(kind: NegativeReply, reply: string): ParseResult<T> {
  switch (kind) {
    case 'empty':
      return fail(MegatecErrorCode.Empty, 'empty reply', reply);
    case 'nak':
      return fail(MegatecErrorCode.Nak, 'UPS answered NAK', reply);
    case 'echo':
      return fail(MegatecErrorCode.Echo, 'UPS echoed the command (not supported)', reply);
    case 'no-ack':
      return fail(MegatecErrorCode.NoAck, 'UPS answered "UPS No Ack"', reply);
  }
}

export type CommandOutcome = 'accepted' | 'rejected';

/**
 * Result of an instant command (T, TL, C, CT, S…): NUT's rule [nut:drivers/nutdrv_qx.c instcmd]:
 * no reply or an ACK (`ACK`, `(ACK`) → accepted; `UPS No Ack` counts as empty; anything else,
 * typically the echo or `(NAK`, → rejected.
 */
export function commandOutcome(reply: string | undefined): CommandOutcome {
  if (reply === undefined) return 'accepted';
  const line = cutAtCr(reply).trim();
  if (line === '' || line === 'UPS No Ack' || line === 'ACK' || line === '(ACK') return 'accepted';
  return 'rejected';
}
