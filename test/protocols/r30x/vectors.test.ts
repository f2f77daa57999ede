import t from 'tap';
import {
  commands,
  encodeCommand,
  decodePacket,
  encodeAck,
  fromHex,
  toHex,
  parseAck,
  parseSysPara,
  parseSearch,
  PacketId,
  LedCtrl,
  LedColour,
  isR30xProtocolError,
} from '../../../protocols/r30x/index.js';

// Reference A8: published frames and checksums, byte for byte.
const CMD_VECTORS: [string, Uint8Array, string][] = [
  ['GenImg (A8.1)', encodeCommand(commands.genImg()), 'EF 01 FF FF FF FF 01 00 03 01 00 05'],
  ['VfyPwd(0) (A8.3)', encodeCommand(commands.vfyPwd(0)), 'EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B'],
  ['Img2Tz(1) (A8.4)', encodeCommand(commands.img2Tz(1)), 'EF 01 FF FF FF FF 01 00 04 02 01 00 08'],
  ['Img2Tz(2) (A8.4)', encodeCommand(commands.img2Tz(2)), 'EF 01 FF FF FF FF 01 00 04 02 02 00 09'],
  ['TemplateNum (A8.5)', encodeCommand(commands.templateNum()), 'EF 01 FF FF FF FF 01 00 03 1D 00 21'],
  ['Search(1,0,163) (A8.8)', encodeCommand(commands.search(1, 0, 163)), 'EF 01 FF FF FF FF 01 00 08 04 01 00 00 00 A3 00 B1'],
  ['HandShake (A8.8)', encodeCommand(commands.handShake()), 'EF 01 FF FF FF FF 01 00 03 40 00 44'],
  ['Aura breathing/0x80/blue/∞ (A8.8)', encodeCommand(commands.auraLed(LedCtrl.Breathing, 0x80, LedColour.Blue, 0)), 'EF 01 FF FF FF FF 01 00 07 35 01 80 02 00 00 C0'],
  ['SetSysPara baud 115200 (A8.8)', encodeCommand(commands.setSysPara(4, 12)), 'EF 01 FF FF FF FF 01 00 05 0E 04 0C 00 24'],
];

t.test('command frames match the reference vectors byte for byte', (t) => {
  for (const [name, got, hex] of CMD_VECTORS) {
    t.equal(toHex(got), hex, name);
    const d = decodePacket(fromHex(hex));
    t.ok(d.ok, `${name} decodes`);
    if (d.ok) {
      t.equal(d.packet.pid, PacketId.COMMAND);
      t.equal(d.packet.address, 0xffffffff);
    }
  }
  t.end();
});

t.test('datasheet checksums (A8.6)', (t) => {
  const sum = (b: Uint8Array): string => toHex(b.subarray(b.length - 2));
  t.equal(sum(encodeCommand(commands.upImage())), '00 0E');
  t.equal(sum(encodeCommand(commands.downImage())), '00 0F');
  t.equal(sum(encodeCommand(commands.regModel())), '00 09');
  t.equal(sum(encodeCommand(commands.empty())), '00 11');
  t.equal(sum(encodeCommand(commands.match())), '00 07');
  t.equal(sum(encodeCommand(commands.getRandomCode())), '00 18');
  t.end();
});

t.test('acknowledge vectors (A8.2, A8.7, A8.8) decode and re-encode identically', (t) => {
  t.equal(toHex(encodeAck(0)), 'EF 01 FF FF FF FF 07 00 03 00 00 0A');
  t.equal(toHex(encodeAck(2)), 'EF 01 FF FF FF FF 07 00 03 02 00 0C');
  t.equal(toHex(encodeAck(0, [0x00, 0x05, 0x00, 0x64])), 'EF 01 FF FF FF FF 07 00 07 00 00 05 00 64 00 77');

  const sysHex = 'EF 01 FF FF FF FF 07 00 13 00 00 00 00 00 00 C8 00 03 FF FF FF FF 00 02 00 06 04 E9';
  const d = decodePacket(fromHex(sysHex));
  t.ok(d.ok);
  if (!d.ok) return t.end();
  const ack = parseAck(d.packet);
  t.equal(ack.cc, 0);
  t.same(parseSysPara(ack.data), {
    statusRegister: 0,
    systemId: 0,
    capacity: 200,
    securityLevel: 3,
    address: 0xffffffff,
    packetSizeCode: 2,
    packetSize: 128,
    baudN: 6,
    baudRate: 57600,
  });
  t.equal(toHex(encodeAck(0, ack.data)), sysHex, 'round trip');

  const s = decodePacket(fromHex('EF 01 FF FF FF FF 07 00 07 00 00 05 00 64 00 77'));
  t.ok(s.ok);
  if (s.ok) t.same(parseSearch(parseAck(s.packet).data), { pageId: 5, score: 100 });
  t.end();
});

t.test('decodePacket reports each malformation with a stable code', (t) => {
  const good = fromHex('EF 01 FF FF FF FF 07 00 03 00 00 0A');
  const code = (b: Uint8Array): string | undefined => {
    const r = decodePacket(b);
    return r.ok ? undefined : r.error.code;
  };
  t.equal(code(good.subarray(0, 8)), 'R30X_TRUNCATED');
  t.equal(code(good.subarray(0, 11)), 'R30X_TRUNCATED');
  t.equal(code(Uint8Array.from([...good, 0])), 'R30X_TRAILING_BYTES');
  const badHdr = good.slice(); badHdr[0] = 0xee;
  t.equal(code(badHdr), 'R30X_BAD_HEADER');
  const badPid = good.slice(); badPid[6] = 0x05;
  t.equal(code(badPid), 'R30X_BAD_PID');
  const badLen = good.slice(); badLen[8] = 0x01;
  t.equal(code(badLen), 'R30X_BAD_LENGTH');
  const badSum = good.slice(); badSum[11] = 0x0b;
  t.equal(code(badSum), 'R30X_BAD_CHECKSUM');
  const addr = fromHex('EF 01 12 34 56 78 07 00 03 00 00 0A');
  const r = decodePacket(addr);
  t.ok(r.ok && r.packet.address === 0x12345678, 'address is big-endian and unsigned');
  t.end();
});

t.test('builders refuse out-of-range arguments before anything reaches the wire', (t) => {
  const codeOf = (f: () => unknown): string | undefined => {
    try { f(); } catch (e) { return isR30xProtocolError(e) ? e.code : 'other'; }
    return undefined;
  };
  t.equal(codeOf(() => commands.img2Tz(0)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.store(1, 70000)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.readIndexTable(4)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.setSysPara(4, 13)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.auraLed(7, 0, 1, 0)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.vfyPwd(-1)), 'R30X_BAD_ARGUMENT');
  t.equal(codeOf(() => commands.vfyPwd(0xffffffff)), undefined);
  t.end();
});
