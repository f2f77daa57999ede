import t from 'tap';
import {
  parseAck,
  expectOk,
  parseIndexTable,
  indexTableBytes,
  parseTemplateNum,
  parseSysPara,
  sysParaBytes,
  splitData,
  wireBytesFor,
  DataCollector,
  unpackImage,
  IMAGE_BYTES,
  R30xFramer,
  PacketId,
  ConfirmationCode,
  R30xConfirmationError,
  isR30xConfirmationError,
  isR30xProtocolError,
  confirmationMessage,
  confirmationName,
} from '../../../protocols/r30x/index.js';

t.test('confirmation codes become typed errors with operator text', (t) => {
  try {
    expectOk({ cc: ConfirmationCode.NOT_FOUND, data: new Uint8Array() }, 'Search');
    t.fail('should throw');
  } catch (e) {
    t.ok(isR30xConfirmationError(e, 0x09));
    t.ok(isR30xProtocolError(e), 'a confirmation error is a protocol error');
    const c = e as R30xConfirmationError;
    t.equal(c.code, 'R30X_CONFIRMATION');
    t.equal(c.ccName, 'NOT_FOUND');
    t.equal(c.command, 'Search');
    t.equal(c.operatorMessage, 'Fingerprint not recognised');
  }
  t.doesNotThrow(() => expectOk({ cc: 2, data: new Uint8Array() }, 'GenImg', [ConfirmationCode.NO_FINGER]));
  t.match(confirmationMessage(0x42), /Unknown reader error 0x42/);
  t.equal(confirmationName(0x42), 'UNKNOWN_0x42');
  for (const cc of Object.values(ConfirmationCode)) t.notMatch(confirmationMessage(cc), /^Unknown/, `message for ${cc}`);
  t.end();
});

t.test('parseAck refuses non-ack packets and empty acks', (t) => {
  t.throws(() => parseAck({ address: 0, pid: PacketId.DATA, payload: Uint8Array.of(0) }), { code: 'R30X_BAD_REPLY' });
  t.throws(() => parseAck({ address: 0, pid: PacketId.ACK, payload: new Uint8Array() }), { code: 'R30X_BAD_REPLY' });
  t.end();
});

t.test('short replies are typed errors, not range errors', (t) => {
  t.throws(() => parseSysPara(new Uint8Array(15)), { code: 'R30X_BAD_REPLY' });
  t.throws(() => parseTemplateNum(new Uint8Array(1)), { code: 'R30X_BAD_REPLY' });
  t.throws(() => parseIndexTable(new Uint8Array(31), 0), { code: 'R30X_BAD_REPLY' });
  t.end();
});

t.test('index table bitmap: bit b of byte k is slot page·256 + 8k + b', (t) => {
  const slots = [0, 1, 7, 8, 199, 255];
  t.same(parseIndexTable(Uint8Array.from(indexTableBytes(slots, 0)), 0), slots);
  t.same(parseIndexTable(Uint8Array.from(indexTableBytes([256, 300, 5], 1)), 1), [256, 300]);
  t.equal(indexTableBytes([1], 0)[0], 0x02);
  t.end();
});

t.test('sysPara round trip', (t) => {
  const p = { statusRegister: 0x04, systemId: 9, capacity: 200, securityLevel: 5, address: 0x12345678, packetSizeCode: 3, baudN: 12 };
  const back = parseSysPara(Uint8Array.from(sysParaBytes(p)));
  t.match(back, { ...p, packetSize: 256, baudRate: 115200 });
  t.end();
});

t.test('data transfer: split, frame, collect', (t) => {
  const blob = Uint8Array.from({ length: 1536 }, (_, i) => i & 0xff);
  const packets = splitData(blob, 128);
  t.equal(packets.length, 12);
  t.equal(packets[11]![6], PacketId.END_DATA);
  t.equal(packets[0]![6], PacketId.DATA);
  const f = new R30xFramer();
  const c = new DataCollector(4096);
  let state = 'more';
  for (const p of packets) for (const it of f.push(p)) if (it.kind === 'packet') state = c.accept(it.packet);
  t.equal(state, 'done');
  t.same(c.result(), blob);
  t.throws(() => c.accept({ address: 0, pid: PacketId.DATA, payload: Uint8Array.of(1) }), { code: 'R30X_BAD_REPLY' });
  const small = new DataCollector(10);
  t.throws(() => small.accept({ address: 0, pid: PacketId.DATA, payload: new Uint8Array(11) }), { code: 'R30X_BAD_REPLY' });
  t.throws(() => new DataCollector(10).accept({ address: 0, pid: PacketId.ACK, payload: Uint8Array.of(0) }), { code: 'R30X_BAD_REPLY' });
  t.throws(() => splitData(blob, 100), { code: 'R30X_BAD_ARGUMENT' });
  t.equal(splitData(new Uint8Array(0), 32).length, 1, 'an empty transfer is one end packet');
  t.end();
});

t.test('image geometry (reference A7): 36,864 bytes, 288 packets, 40,032 bytes on the wire', (t) => {
  t.equal(IMAGE_BYTES, 36864);
  t.equal(splitData(new Uint8Array(IMAGE_BYTES), 128).length, 288);
  t.equal(wireBytesFor(IMAGE_BYTES, 128), 40032);
  t.same(Array.from(unpackImage(Uint8Array.of(0xf0, 0x1e))), [255, 0, 17, 238]);
  t.end();
});
