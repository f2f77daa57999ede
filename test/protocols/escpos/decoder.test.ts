import t from 'tap';
import { decodeEscpos, EscposDecoder, encodeJob, textLines, type EscposOp, type ImageLike } from '../../../protocols/escpos/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const kinds = (ops: EscposOp[]): string[] => ops.map((o) => o.kind);

// A stream captured from @point-of-sale/receipt-printer-encoder 4.0.1: ESC @, FS ., bold text,
// GS ! 0x11 text, underline, QR "ABC", CODE128 "12345678", a 16×8 raster, feed and partial cut.
const CAPTURE = hex(`
1b40 1c2e 1b4d00 1b4501 1b7400 48656c6c6f 1b4500 0a0d
1d2111 426967 1d2100 0a0d 1b2d01 75 1b2d00 0a0d
1d286b0400314132 00 1d286b03003143 06 1d286b03003145 31 1d286b0600315030 414243 1d286b0300315130 0a0d
1d683c 1d7703 1d4800 1d6b49 0a 7b4231323334353637 38 0a0d
1d7630 00 0200 0800 ff00ff00ff00ff00ff00ff00ff00ff00 0a0d0a0d0a0d0a0d 1d5601 0a0d`);

t.test('decodes a captured encoder stream', (t) => {
  const ops = decodeEscpos(CAPTURE);
  const text = ops.filter((o) => o.kind === 'text');
  t.same(text.map((o) => o.text), ['Hello', 'Big', 'u']);
  t.equal(text[0]!.style.bold, true);
  t.equal(text[1]!.style.width, 2);
  t.equal(text[1]!.style.height, 2);
  t.equal(text[1]!.style.bold, false);
  t.equal(text[2]!.style.underline, 1);
  const qr = ops.find((o) => o.kind === 'qr');
  t.match(qr, { text: 'ABC', model: 2, size: 6, errorLevel: 'M' });
  const bc = ops.find((o) => o.kind === 'barcode');
  t.match(bc, { symbology: 'code128', text: '{B12345678', height: 60, moduleWidth: 3 });
  const img = ops.find((o) => o.kind === 'raster');
  t.match(img, { width: 16, height: 8, mode: 0 });
  t.equal(img?.kind === 'raster' && img.data.length, 16);
  t.match(ops.at(-2), { kind: 'cut', partial: true });
  t.same(textLines(ops).slice(0, 3), ['Hello', 'Big', 'u']);
  t.notOk(ops.some((o) => o.kind === 'unknown' || o.kind === 'discarded'), 'nothing unrecognised');
  t.end();
});

t.test('same result whatever the chunking', (t) => {
  const whole = JSON.stringify(decodeEscpos(CAPTURE));
  for (const size of [1, 2, 3, 7, 64]) {
    const d = new EscposDecoder();
    const ops: EscposOp[] = [];
    for (let i = 0; i < CAPTURE.length; i += size) ops.push(...d.push(CAPTURE.subarray(i, i + size)));
    ops.push(...d.end());
    t.equal(JSON.stringify(ops), whole, `chunks of ${size}`);
  }
  t.end();
});

t.test('style commands: ESC ! , ESC a, GS B, ESC M, init resets', (t) => {
  const ops = decodeEscpos(hex('1b21b9 41 1b6101 1d4201 1b4d01 42 1b40 43 0a'));
  const tx = ops.filter((o) => o.kind === 'text');
  t.match(tx[0]!.style, { font: 'B', bold: true, height: 2, width: 2, underline: 1, align: 'left' });
  t.match(tx[1]!.style, { align: 'center', invert: true, font: 'B' });
  t.match(tx[2]!.style, { align: 'left', invert: false, font: 'A', bold: false });
  t.same(kinds(ops), ['text', 'text', 'init', 'text', 'newline']);
  t.end();
});

t.test('feeds, cuts, pulse, status requests', (t) => {
  const ops = decodeEscpos(hex('1b6403 1b4a18 1d5600 1d564205 1b7000197d 100401 100404 1d7201 1d61ff 100502 1b69'));
  t.same(ops, [
    { kind: 'feed', lines: 3 },
    { kind: 'feed', dots: 24 },
    { kind: 'cut', partial: false },
    { kind: 'cut', partial: true, feed: 5 },
    { kind: 'pulse', pin: 0, onMs: 50, offMs: 250 },
    { kind: 'status-request', request: 'dle-eot', n: 1 },
    { kind: 'status-request', request: 'dle-eot', n: 4 },
    { kind: 'status-request', request: 'gs-r', n: 1 },
    { kind: 'status-request', request: 'asb', n: 255 },
    { kind: 'status-request', request: 'dle-enq', n: 2 },
    { kind: 'cut', partial: true },
  ]);
  t.end();
});

t.test('barcode function A (NUL-terminated) and column image', (t) => {
  const ops = decodeEscpos(hex('1d6b04 2a414243 2a00 1b2a2102 00 ffffff 000000'));
  t.match(ops[0], { kind: 'barcode', symbology: 'code39', text: '*ABC*' });
  t.match(ops[1], { kind: 'column-image', mode: 33, columns: 2 });
  t.equal(ops[1]!.kind === 'column-image' && ops[1].data.length, 6);
  t.end();
});

t.test('garbage never throws; unknown commands step over', (t) => {
  const rnd = new Uint8Array(20000);
  let x = 12345;
  for (let i = 0; i < rnd.length; i++) rnd[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  t.doesNotThrow(() => decodeEscpos(rnd, { maxCommandBytes: 4096 }));
  const ops = decodeEscpos(hex('1b07 41 0a 1d07 42 0a 07 0a'));
  t.same(textLines(ops), ['A', 'B', '']);
  t.same(kinds(ops).filter((k) => k === 'unknown').length, 3);
  t.end();
});

t.test('oversize declared length is skipped without buffering', (t) => {
  const d = new EscposDecoder({ maxCommandBytes: 1000 });
  // GS v 0 declaring 100 × 100 = 10 000 bytes, then text after the payload.
  const ops = d.push(hex('1d7630 00 6400 6400'));
  t.same(ops, [{ kind: 'discarded', reason: 'oversize', bytes: 10008 }]);
  t.same(d.push(new Uint8Array(9999)), []);
  t.same(d.push(hex('00 4f4b 0a')).map((o) => o.kind), ['text', 'newline']);
  t.same(d.end(), []);
  t.end();
});

t.test('a truncated command at the end is reported', (t) => {
  const ops = decodeEscpos(hex('41 1d7630 00 0200 0800 ffff'));
  t.same(kinds(ops), ['text', 'discarded']);
  t.end();
});

t.test('encodeJob output decodes back: bands, QR, barcode, cut', (t) => {
  const w = 384;
  const h = 300;
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  for (let y = 0; y < h; y++) for (let x = 0; x < 8; x++) data.set([0, 0, 0, 255], (y * w + x) * 4);
  const img: ImageLike = { width: w, height: h, data };
  const bytes = encodeJob(
    [{ type: 'image', image: img }, { type: 'text', text: 'TXN 42', bold: true }, { type: 'qr', data: 'KR1.x' }, { type: 'barcode', data: 'R0001' }, { type: 'cut' }],
    { paper: 58, bandRows: 128 },
  );
  const ops = decodeEscpos(bytes);
  const r = ops.filter((o) => o.kind === 'raster');
  t.same(r.map((o) => o.height), [128, 128, 48], 'three bands, last padded to a multiple of 8');
  t.ok(r.every((o) => o.width === 384));
  const first = r[0]!;
  t.equal(first.data[0], 0xff, 'leftmost 8 dots black (MSB = leftmost, 1 = black)');
  t.equal(first.data[1], 0x00);
  t.ok(textLines(ops).includes('TXN 42'));
  t.match(ops.find((o) => o.kind === 'qr'), { text: 'KR1.x' });
  t.match(ops.find((o) => o.kind === 'barcode'), { symbology: 'code128' });
  t.match(ops.filter((o) => o.kind === 'cut'), [{ partial: true }]);
  t.ok(kinds(ops).indexOf('cut') > kinds(ops).lastIndexOf('barcode'));
  t.equal(ops[0]!.kind, 'init');
  t.end();
});

t.test('garbage decodes the same whole or chunked, and memory stays bounded', (t) => {
  let x = 987654321;
  const rnd = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let round = 0; round < 20; round++) {
    // Bias towards command prefixes so that many commands (and bogus lengths) are exercised.
    const bytes = Uint8Array.from({ length: 3000 }, () => {
      const r = rnd();
      return r < 40 ? [0x1b, 0x1d, 0x1c, 0x10, 0x0a][r % 5]! : rnd();
    });
    const whole = JSON.stringify(decodeEscpos(bytes, { maxCommandBytes: 2048 }));
    const d = new EscposDecoder({ maxCommandBytes: 2048 });
    const ops: EscposOp[] = [];
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + (rnd() % 97);
      ops.push(...d.push(bytes.subarray(i, i + n)));
      i += n;
    }
    ops.push(...d.end());
    t.equal(JSON.stringify(ops), whole, `round ${round}`);
  }
  t.end();
});
