/**
 * Typed builders for the commands the driver uses (reference A4). Each builder returns the
 * command payload (instruction byte + big-endian params); `encodeCommand` wraps it in a packet.
 * Argument ranges are checked here so a bad call fails before anything reaches the wire.
 */
import { R30xProtocolError } from './errors.js';
import { DEFAULT_ADDRESS, PacketId, encodePacket } from './packet.js';

export const Instruction = {
  GenImg: 0x01,
  Img2Tz: 0x02,
  Match: 0x03,
  Search: 0x04,
  RegModel: 0x05,
  Store: 0x06,
  LoadChar: 0x07,
  UpChar: 0x08,
  DownChar: 0x09,
  UpImage: 0x0a,
  DownImage: 0x0b,
  DeleteChar: 0x0c,
  Empty: 0x0d,
  SetSysPara: 0x0e,
  ReadSysPara: 0x0f,
  SetPwd: 0x12,
  VfyPwd: 0x13,
  GetRandomCode: 0x14,
  TemplateNum: 0x1d,
  ReadIndexTable: 0x1f,
  AuraLedConfig: 0x35,
  CheckSensor: 0x36,
  SoftRst: 0x3d,
  HandShake: 0x40,
} as const;
export type InstructionName = keyof typeof Instruction;

const NAMES = new Map<number, InstructionName>(Object.entries(Instruction).map(([k, v]) => [v, k as InstructionName]));

export function instructionName(code: number): string {
  return NAMES.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}

export interface Command {
  name: InstructionName;
  payload: Uint8Array;
}

function u8(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new R30xProtocolError('R30X_BAD_ARGUMENT', `${name} must be an integer in ${min}..${max}`, { [name]: String(v) });
  }
  return v;
}

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

function cmd(name: InstructionName, ...params: number[]): Command {
  return { name, payload: Uint8Array.from([Instruction[name], ...params]) };
}

/** CharBuffer ids: 1–2 on ZFM-20/R30x, 1–6 on R503 (reference A4). */
const bufferId = (b: number): number => u8('bufferId', b, 1, 6);
const pageId = (p: number): number => u8('pageId', p, 0, 0xffff);

export const commands = {
  vfyPwd: (password = 0): Command => cmd('VfyPwd', ...be32(u8('password', password, 0, 0xffffffff))),
  genImg: (): Command => cmd('GenImg'),
  img2Tz: (buffer: number): Command => cmd('Img2Tz', bufferId(buffer)),
  match: (): Command => cmd('Match'),
  regModel: (): Command => cmd('RegModel'),
  store: (buffer: number, page: number): Command => cmd('Store', bufferId(buffer), ...be16(pageId(page))),
  search: (buffer: number, startPage: number, pageCount: number): Command =>
    cmd('Search', bufferId(buffer), ...be16(pageId(startPage)), ...be16(pageId(pageCount))),
  loadChar: (buffer: number, page: number): Command => cmd('LoadChar', bufferId(buffer), ...be16(pageId(page))),
  upChar: (buffer: number): Command => cmd('UpChar', bufferId(buffer)),
  downChar: (buffer: number): Command => cmd('DownChar', bufferId(buffer)),
  upImage: (): Command => cmd('UpImage'),
  downImage: (): Command => cmd('DownImage'),
  deleteChar: (page: number, count = 1): Command => cmd('DeleteChar', ...be16(pageId(page)), ...be16(u8('count', count, 1, 0xffff))),
  empty: (): Command => cmd('Empty'),
  /** param 4 = baud N (1–12), 5 = security level (1–5), 6 = packet size code (0–3) (reference A3). */
  setSysPara: (param: 4 | 5 | 6, value: number): Command => {
    const max = param === 4 ? 12 : param === 5 ? 5 : 3;
    return cmd('SetSysPara', param, u8('value', value, param === 6 ? 0 : 1, max));
  },
  readSysPara: (): Command => cmd('ReadSysPara'),
  getRandomCode: (): Command => cmd('GetRandomCode'),
  templateNum: (): Command => cmd('TemplateNum'),
  /** Index pages 0–3, 256 slots each (reference A4, 0x1F). */
  readIndexTable: (page: number): Command => cmd('ReadIndexTable', u8('page', page, 0, 3)),
  /**
   * R503 ring LED (reference A5): ctrl 1 breathing … 6 gradually off; colour 1 red, 2 blue,
   * 3 purple (4–7 on manual v1.2.2); count 0 = forever.
   */
  auraLed: (ctrl: number, speed: number, colour: number, count: number): Command =>
    cmd('AuraLedConfig', u8('ctrl', ctrl, 1, 6), u8('speed', speed, 0, 255), u8('colour', colour, 1, 7), u8('count', count, 0, 255)),
  checkSensor: (): Command => cmd('CheckSensor'),
  handShake: (): Command => cmd('HandShake'),
  softRst: (): Command => cmd('SoftRst'),
} as const;

export const LedCtrl = { Breathing: 1, Flashing: 2, On: 3, Off: 4, GradualOn: 5, GradualOff: 6 } as const;
export const LedColour = { Red: 1, Blue: 2, Purple: 3, Green: 4, Yellow: 5, Cyan: 6, White: 7 } as const;

export function encodeCommand(c: Command, address = DEFAULT_ADDRESS): Uint8Array {
  return encodePacket({ address, pid: PacketId.COMMAND, payload: c.payload });
}
