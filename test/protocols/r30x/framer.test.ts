import t from 'tap';
import {
  R30xFramer,
  encodeAck,
  encodeCommand,
  commands,
  splitData,
  fromHex,
  MAX_PACKET_LENGTH,
  type FramerItem,
} from '../../../protocols/r30x/index.js';

const ack = encodeAck(0);
const noFinger = encodeAck(2);
const cat = (...parts: ArrayLike<number>[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const kinds = (items: FramerItem[]): string[] =>
  items.map((i) => (i.kind === 'packet' ? `packet:${i.packet.payload[0]}` : i.kind === 'discarded' ? `discarded:${i.reason}:${i.bytes.length}` : 'ready'));

t.test('two packets in one chunk', (t) => {
  const f = new R30xFramer();
  t.same(kinds(f.push(cat(ack, noFinger))), ['packet:0', 'packet:2']);
  t.equal(f.bufferedBytes, 0);
  t.end();
});

t.test('one packet split over many chunks, including the checksum arriving alone', (t) => {
  const f = new R30xFramer();
  const out: FramerItem[] = [];
  for (let i = 0; i < ack.length - 2; i++) out.push(...f.push(ack.subarray(i, i + 1)));
  t.same(out, [], 'nothing before the checksum');
  out.push(...f.push(ack.subarray(ack.length - 2)));
  t.same(kinds(out), ['packet:0']);
  t.end();
});

t.test('bad checksum: no throw, reported, and parsing continues with the next packet', (t) => {
  const f = new R30xFramer();
  const bad = ack.slice();
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
  t.same(kinds(f.push(cat(bad, noFinger))), ['discarded:bad-checksum:12', 'packet:2']);
  t.equal(f.stats.checksumErrors, 1);
  t.end();
});

t.test('a truncated packet followed by a good one: resync at the inner header', (t) => {
  const f = new R30xFramer();
  // An ack cut after its length field, then a full ack: the candidate swallows the next header,
  // its checksum fails, and the framer resyncs at the real header inside it.
  t.same(kinds(f.push(cat(ack.subarray(0, 9), ack))), ['discarded:bad-checksum:9', 'packet:0']);
  // Cut inside the length field: the next header's bytes make an impossible length → garbage.
  t.same(kinds(f.push(cat(ack.subarray(0, 7), ack))), ['discarded:garbage:7', 'packet:0']);
  t.end();
});

t.test('leading garbage is reported as one discarded run', (t) => {
  const f = new R30xFramer();
  t.same(kinds(f.push(cat([0x00, 0x13, 0xef, 0x77, 0x01], ack))), ['discarded:garbage:5', 'packet:0']);
  t.end();
});

t.test('the R503 power-up 0x55 byte is reported as ready, not garbage', (t) => {
  const f = new R30xFramer();
  t.same(kinds(f.push(Uint8Array.of(0x55))), ['ready']);
  t.same(kinds(f.push(cat([0x55], ack))), ['ready', 'packet:0']);
  t.same(kinds(f.push(cat([0x55, 0x55], ack))), ['discarded:garbage:2', 'packet:0'], 'two in a row is not the ready byte');
  t.equal(f.stats.readyBytes, 2);
  t.end();
});

t.test('a header split between chunks (EF | 01 …) is kept', (t) => {
  const f = new R30xFramer();
  t.same(f.push(cat([0x00], ack.subarray(0, 1))).map((i) => i.kind), ['discarded']);
  t.equal(f.bufferedBytes, 1);
  t.same(kinds(f.push(ack.subarray(1))), ['packet:0']);
  t.end();
});

t.test('impossible lengths and unknown PIDs are not headers', (t) => {
  const f = new R30xFramer();
  const fake = fromHex('EF 01 FF FF FF FF 07 FF FF');
  const fakePid = fromHex('EF 01 FF FF FF FF 09 00 03');
  t.same(kinds(f.push(cat(fake, fakePid, ack))), ['discarded:garbage:18', 'packet:0']);
  t.end();
});

t.test('address filter skips packets for another module', (t) => {
  const f = new R30xFramer({ address: 0xffffffff });
  const other = encodeCommand(commands.genImg(), 0x01020304);
  t.same(kinds(f.push(cat(other, ack))), [`discarded:garbage:${other.length}`, 'packet:0']);
  t.end();
});

t.test('data transfers of every packet size frame back to the same bytes', (t) => {
  for (const size of [32, 64, 128, 256]) {
    const blob = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const f = new R30xFramer();
    const items = f.push(cat(...splitData(blob, size)));
    const packets = items.filter((i) => i.kind === 'packet');
    t.equal(packets.length, Math.ceil(1000 / size), `size ${size}`);
    t.equal(items.length, packets.length, 'nothing discarded');
  }
  t.end();
});

t.test('flush drops a partial packet and reports it', (t) => {
  const f = new R30xFramer();
  f.push(ack.subarray(0, 9));
  t.same(kinds(f.flush()), ['discarded:flushed:9']);
  t.equal(f.bufferedBytes, 0);
  t.same(f.flush(), []);
  t.ok(MAX_PACKET_LENGTH === 267);
  t.end();
});
