// Acceptance (issue 4): 10,000 random and mutated byte streams into the framer and the decoders:
// nothing thrown escapes, the buffer stays bounded, and every byte is accounted for.
import t from 'tap';
import {
  R30xFramer,
  MAX_PACKET_LENGTH,
  decodePacket,
  encodeAck,
  encodeCommand,
  commands,
  splitData,
  parseAck,
  parseSysPara,
  parseSearch,
  parseIndexTable,
  parseTemplateNum,
  parseMatchScore,
  DataCollector,
  isR30xProtocolError,
  type Packet,
} from '../../../protocols/r30x/index.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(0x4b10534b);
const int = (n: number): number => Math.floor(rnd() * n);
const bytes = (n: number): number[] => Array.from({ length: n }, () => int(256));

function validStream(): number[] {
  const parts: number[] = [];
  const n = 1 + int(6);
  for (let i = 0; i < n; i++) {
    switch (int(6)) {
      case 0: parts.push(...encodeAck(int(256), bytes(int(40)))); break;
      case 1: parts.push(...encodeCommand(commands.search(1 + int(2), int(200), int(200)))); break;
      case 2: for (const p of splitData(Uint8Array.from(bytes(1 + int(600))), [32, 64, 128, 256][int(4)]!)) parts.push(...p); break;
      case 3: parts.push(0x55); break;
      case 4: parts.push(...encodeAck(0, bytes(16))); break;
      default: parts.push(...bytes(int(30)));
    }
  }
  return parts;
}

function mutate(s: number[]): number[] {
  const out = s.slice();
  const n = 1 + int(8);
  for (let i = 0; i < n && out.length > 0; i++) {
    const at = int(out.length);
    switch (int(6)) {
      case 0: out[at] = out[at]! ^ (1 << int(8)); break; // bit flip
      case 1: out.splice(at, 1 + int(4)); break; // deletion
      case 2: out.splice(at, 0, ...bytes(1 + int(10))); break; // insertion
      case 3: out.splice(at, 0, 0xef, 0x01); break; // spurious header
      case 4: out.splice(at, 0, ...out.slice(at, at + 1 + int(20))); break; // duplication
      default: out[at] = int(256);
    }
  }
  return out;
}

// Every decoder must fail only with its own typed error.
function poke(p: Packet): void {
  const guard = (f: () => unknown): void => {
    try { f(); } catch (e) { if (!isR30xProtocolError(e)) throw e; }
  };
  guard(() => {
    const a = parseAck(p);
    guard(() => parseSysPara(a.data));
    guard(() => parseSearch(a.data));
    guard(() => parseIndexTable(a.data, int(4)));
    guard(() => parseTemplateNum(a.data));
    guard(() => parseMatchScore(a.data));
  });
  guard(() => new DataCollector(512).accept(p));
}

t.test('10,000 random and mutated streams', (t) => {
  let escaped = 0;
  let maxBuffered = 0;
  let packets = 0;
  let accountingErrors = 0;
  for (let i = 0; i < 10_000; i++) {
    const kind = i % 3;
    const stream = Uint8Array.from(kind === 0 ? bytes(int(2000)) : kind === 1 ? mutate(validStream()) : validStream());
    const f = new R30xFramer(i % 5 === 0 ? { address: 0xffffffff } : {});
    let packetBytes = 0;
    try {
      for (let off = 0; off < stream.length;) {
        const len = 1 + int(i % 2 === 0 ? 300 : 16);
        for (const item of f.push(stream.subarray(off, off + len))) {
          if (item.kind === 'packet') {
            packets++;
            packetBytes += item.packet.payload.length + 11;
            poke(item.packet);
          }
        }
        off += len;
        maxBuffered = Math.max(maxBuffered, f.bufferedBytes);
      }
      // Raw decode of arbitrary slices must not throw either.
      const from = int(stream.length + 1);
      const d = decodePacket(stream.subarray(from, from + int(300)));
      if (d.ok) poke(d.packet);
    } catch {
      escaped++;
    }
    const accounted = packetBytes + f.stats.discardedBytes + f.stats.readyBytes + f.bufferedBytes;
    if (accounted !== stream.length) accountingErrors++;
  }
  t.equal(escaped, 0, 'no exception escaped');
  t.ok(maxBuffered <= MAX_PACKET_LENGTH, `buffer bounded (max ${maxBuffered} ≤ ${MAX_PACKET_LENGTH})`);
  t.equal(accountingErrors, 0, 'every input byte is a packet, discarded, ready or buffered');
  t.ok(packets > 5000, `valid packets still found (${packets})`);
  t.end();
});

t.test('unmutated streams yield every packet and discard only the deliberate garbage', (t) => {
  for (let i = 0; i < 500; i++) {
    const f = new R30xFramer();
    const pkts = [encodeAck(0, bytes(int(30))), encodeCommand(commands.genImg()), ...splitData(Uint8Array.from(bytes(300)), 128)];
    const stream = Uint8Array.from(pkts.flatMap((p) => Array.from(p)));
    const items = f.push(stream);
    if (items.length !== pkts.length || items.some((it) => it.kind !== 'packet')) {
      t.fail(`stream ${i} lost a packet`);
      break;
    }
  }
  t.pass('clean streams frame exactly');
  t.end();
});
