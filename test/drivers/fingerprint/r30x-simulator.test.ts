// The simulated module answers byte for byte as the reference says a real one does.
import t from 'tap';
import { R30xSimulator, FAST_TIMING, REALISTIC_TIMING } from '../../../drivers/fingerprint/r30x-simulator.js';
import { R30xFramer, commands, encodeCommand, fromHex, toHex, parseAck, splitData, PacketId, DataCollector, type Packet } from '../../../protocols/r30x/index.js';

function wire(opts: ConstructorParameters<typeof R30xSimulator>[0] = {}) {
  const out: Uint8Array[] = [];
  const sim = new R30xSimulator({ timing: FAST_TIMING, ...opts });
  sim.attach((b) => out.push(b));
  const framer = new R30xFramer();
  const send = (bytes: Uint8Array): string[] => {
    out.length = 0;
    sim.receive(bytes);
    return out.map(toHex);
  };
  const packets = (): Packet[] => out.flatMap((b) => framer.push(b)).flatMap((i) => (i.kind === 'packet' ? [i.packet] : []));
  return { sim, out, send, packets };
}

t.test('reference vectors: GenImg without a finger, ReadSysPara of a factory ZFM-20', (t) => {
  const { send } = wire();
  t.same(send(fromHex('EF 01 FF FF FF FF 01 00 03 01 00 05')), ['EF 01 FF FF FF FF 07 00 03 02 00 0C'], 'A8.1 → A8.2 "no finger"');
  t.same(send(encodeCommand(commands.readSysPara())), ['EF 01 FF FF FF FF 07 00 13 00 00 00 00 00 00 C8 00 03 FF FF FF FF 00 02 00 06 04 E9'], 'A8.7 byte for byte');
  t.same(send(fromHex('EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B')), ['EF 01 FF FF FF FF 07 00 03 00 00 0A'], 'A8.3 VfyPwd(0) → OK');
  t.same(send(encodeCommand(commands.templateNum())), ['EF 01 FF FF FF FF 07 00 05 00 00 00 00 0C']);
  t.end();
});

t.test('protocol behaviour: other addresses ignored, bad checksums answered 0x01, unknown commands 0xFC', (t) => {
  const { send } = wire();
  t.same(send(encodeCommand(commands.genImg(), 0x12345678)), [], 'a module ignores packets for another address');
  const bad = encodeCommand(commands.genImg());
  bad[bad.length - 1] = 0x99;
  t.same(send(bad), ['EF 01 FF FF FF FF 07 00 03 01 00 0B'], 'error receiving packet');
  t.same(send(encodeCommand({ name: 'GenImg', payload: Uint8Array.of(0x77) })), ['EF 01 FF FF FF FF 07 00 03 FC 01 06']);
  t.end();
});

t.test('a set password must be verified first (reference A2)', (t) => {
  const { send } = wire({ password: 0xdeadbeef });
  t.same(send(encodeCommand(commands.genImg())), [toHex(fromHex('EF 01 FF FF FF FF 07 00 03 21 00 2B'))]);
  t.same(send(encodeCommand(commands.vfyPwd(1))), ['EF 01 FF FF FF FF 07 00 03 13 00 1D'], 'wrong password');
  t.same(send(encodeCommand(commands.vfyPwd(0xdeadbeef))), ['EF 01 FF FF FF FF 07 00 03 00 00 0A']);
  t.same(send(encodeCommand(commands.genImg())), ['EF 01 FF FF FF FF 07 00 03 02 00 0C']);
  t.end();
});

t.test('templates: UpChar streams data packets ending in 0x08; DownChar + Store puts one back', (t) => {
  const { sim, send, packets } = wire();
  sim.touch({ finger: 'f1' });
  send(encodeCommand(commands.genImg()));
  send(encodeCommand(commands.img2Tz(1)));
  send(encodeCommand(commands.upChar(1)));
  const ps = packets();
  t.equal(parseAck(ps[0]!).cc, 0);
  t.equal(ps.length, 1 + 2, 'ack + 256 feature bytes in two 128-byte packets');
  t.equal(ps.at(-1)!.pid, PacketId.END_DATA);
  const c = new DataCollector(4096);
  for (const p of ps.slice(1)) c.accept(p);
  const features = c.result();

  // Push a template from the host and store it in slot 7, then search finds f1 there.
  send(encodeCommand(commands.downChar(2)));
  for (const p of splitData(sim.templateFor('f1'), 128)) send(p);
  t.same(send(encodeCommand(commands.store(2, 7))), ['EF 01 FF FF FF FF 07 00 03 00 00 0A']);
  t.ok(sim.library.has(7));
  send(encodeCommand(commands.search(1, 0, 200)));
  const hit = packets().at(-1)!;
  t.same(Array.from(hit.payload.subarray(0, 3)), [0, 0, 7], 'found in slot 7');
  t.equal(features.length, 256);
  t.end();
});

t.test('index table, delete, empty, LED, SetSysPara', (t) => {
  const { sim, send, packets } = wire({ capacity: 300 });
  for (const s of [0, 9, 260]) sim.library.set(s, sim.templateFor(`s${s}`));
  send(encodeCommand(commands.readIndexTable(0)));
  t.same(Array.from(packets().at(-1)!.payload.subarray(1, 3)), [0x01, 0x02], 'slots 0 and 9');
  send(encodeCommand(commands.readIndexTable(1)));
  t.equal(packets().at(-1)!.payload[1 + 0], 0x10, 'slot 260 = page 1 bit 4');
  t.same(send(encodeCommand(commands.deleteChar(9))), ['EF 01 FF FF FF FF 07 00 03 00 00 0A']);
  t.same([...sim.library.keys()].sort((a, b) => a - b), [0, 260]);
  t.same(send(encodeCommand(commands.deleteChar(299, 2))), ['EF 01 FF FF FF FF 07 00 03 10 00 1A'], 'delete beyond the library fails 0x10');
  send(encodeCommand(commands.empty()));
  t.equal(sim.library.size, 0);
  send(encodeCommand(commands.auraLed(1, 0x80, 2, 0)));
  t.same(sim.led, [1, 0x80, 2, 0]);
  send(encodeCommand(commands.setSysPara(6, 3)));
  t.equal(sim.packetSizeCode, 3);
  t.same(send(encodeCommand(commands.setSysPara(5, 5))), ['EF 01 FF FF FF FF 07 00 03 00 00 0A']);
  t.equal(sim.securityLevel, 5);
  t.end();
});

t.test('the R503 sends 0x55 at power-up and after SoftRst (reference A1)', (t) => {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const sim = new R30xSimulator({ timing: FAST_TIMING, readyByte: true, now: () => now, setTimeout: (fn, ms) => timers.push({ at: now + ms, fn }) });
  const got: string[] = [];
  sim.attach((b) => got.push(toHex(b)));
  const drain = (): void => {
    for (let tm = timers.shift(); tm; tm = timers.shift()) {
      now = Math.max(now, tm.at);
      tm.fn();
    }
  };
  drain();
  t.same(got, ['55']);
  sim.receive(encodeCommand(commands.softRst()));
  drain();
  t.same(got, ['55', 'EF 01 FF FF FF FF 07 00 03 00 00 0A', '55']);
  t.end();
});

t.test('timing: replies arrive after processing plus line time at the baud rate', (t) => {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const sim = new R30xSimulator({ timing: REALISTIC_TIMING, now: () => now, setTimeout: (fn, ms) => timers.push({ at: now + ms, fn }) });
  const got: { at: number; n: number }[] = [];
  sim.attach((b) => got.push({ at: now, n: b.length }));
  sim.receive(encodeCommand(commands.genImg()));
  sim.receive(encodeCommand(commands.readSysPara()));
  for (const tm of timers.sort((a, b) => a.at - b.at)) {
    now = tm.at;
    tm.fn();
  }
  const byteMs = 10_000 / 57600;
  t.equal(got.length, 2);
  t.ok(Math.abs(got[0]!.at - (120 + 12 * byteMs)) < 0.01, `GenImg ack at ${got[0]!.at.toFixed(2)} ms`);
  t.ok(Math.abs(got[1]!.at - (got[0]!.at + 28 * byteMs)) < 0.01 || got[1]!.at >= got[0]!.at + 28 * byteMs - 0.01, 'the line is never double-booked');
  t.end();
});
