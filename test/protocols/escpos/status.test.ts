import t, { type Test } from 'tap';
import {
  decodeAsb, decodeDleEot, decodeGsR1, encodeAsb, encodeDleEot, encodeGsR1, mergeStatus, paperState,
  blocksPrinting, EscposErrorCode, isEscposError, ReplySplitter, type PrinterStatus,
} from '../../../protocols/escpos/index.js';

const throwsCode = (t: Test, fn: () => unknown, code: string): void => {
  try {
    fn();
    t.fail(`expected ${code}`);
  } catch (e) {
    t.ok(isEscposError(e), 'is EscposError');
    t.equal((e as { code: string }).code, code);
  }
};


t.test('DLE EOT replies from the manuals and python-escpos masks (ref B4)', (t) => {
  // Idle online reply 0x12; 0x16 with drawer pin high (node-escpos #288).
  t.same(decodeDleEot(1, 0x12), { drawerPin3High: false, online: true });
  t.same(decodeDleEot(1, 0x16), { drawerPin3High: true, online: true });
  t.same(decodeDleEot(1, 0x1a), { drawerPin3High: false, online: false });
  t.same(decodeDleEot(2, 0x16).coverOpen, true);
  t.same(decodeDleEot(2, 0x32).paperEnd, true);
  t.same(decodeDleEot(2, 0x52).error, true);
  t.same(decodeDleEot(3, 0x1a).cutterError, true);
  t.same(decodeDleEot(3, 0x32).unrecoverableError, true);
  t.same(decodeDleEot(3, 0x52).autoRecoverableError, true);
  t.same(decodeDleEot(3, 0x16).recoverableError, true);
  // python-escpos: paper OK 0x12, near end 0x1E, no paper 0x72.
  t.same(decodeDleEot(4, 0x12), { paperNearEnd: false, paperEnd: false });
  t.same(decodeDleEot(4, 0x1e), { paperNearEnd: true, paperEnd: false });
  t.same(decodeDleEot(4, 0x72), { paperNearEnd: false, paperEnd: true });
  t.same(decodeDleEot(4, 0x7e), { paperNearEnd: true, paperEnd: true });
  throwsCode(t, () => decodeDleEot(1, 0x00), EscposErrorCode.StatusPattern);
  throwsCode(t, () => decodeDleEot(4, 0x13), EscposErrorCode.StatusPattern);
  throwsCode(t, () => decodeDleEot(4, 300), EscposErrorCode.StatusPattern);
  t.end();
});

t.test('GS r 1 and ASB', (t) => {
  t.same(decodeGsR1(0x00), { paperNearEnd: false, paperEnd: false });
  t.same(decodeGsR1(0x03), { paperNearEnd: true, paperEnd: false });
  t.same(decodeGsR1(0x0c), { paperNearEnd: false, paperEnd: true });
  throwsCode(t, () => decodeGsR1(0x12), EscposErrorCode.StatusPattern);
  const s = decodeAsb([0x10 | 0x20 | 0x08, 0x08, 0x0c, 0x00]);
  t.equal(s.coverOpen, true);
  t.equal(s.online, false);
  t.equal(s.cutterError, true);
  t.equal(s.error, true);
  t.equal(s.paperEnd, true);
  t.equal(s.paperNearEnd, false);
  throwsCode(t, () => decodeAsb([0x10, 0, 0]), EscposErrorCode.StatusLength);
  throwsCode(t, () => decodeAsb([0x12, 0, 0, 0]), EscposErrorCode.StatusPattern);
  throwsCode(t, () => decodeAsb([0x10, 0x80, 0, 0]), EscposErrorCode.StatusPattern);
  t.end();
});

t.test('encode → decode round trip for every single condition', (t) => {
  const fields: (keyof PrinterStatus)[] = ['coverOpen', 'paperNearEnd', 'paperEnd', 'cutterError', 'unrecoverableError', 'autoRecoverableError', 'recoverableError', 'drawerPin3High', 'feedButton'];
  for (const f of fields) {
    const s: PrinterStatus = { online: true, [f]: true };
    const viaEot = mergeStatus(decodeDleEot(1, encodeDleEot(1, s)), decodeDleEot(2, encodeDleEot(2, s)), decodeDleEot(3, encodeDleEot(3, s)), decodeDleEot(4, encodeDleEot(4, s)));
    t.equal(viaEot[f], true, `${f} via DLE EOT`);
    t.equal(decodeAsb(encodeAsb(s))[f], true, `${f} via ASB`);
  }
  t.same(decodeGsR1(encodeGsR1({ paperEnd: true })).paperEnd, true);
  t.equal(decodeDleEot(1, encodeDleEot(1, { online: false })).online, false);
  t.end();
});

t.test('merge, paper state and blocking', (t) => {
  t.same(mergeStatus({ paperEnd: true, online: true }, { paperEnd: undefined, online: false }), { paperEnd: true, online: false });
  t.equal(paperState({}), 'unknown');
  t.equal(paperState({ paperEnd: false }), 'ok');
  t.equal(paperState({ paperEnd: false, paperNearEnd: true }), 'near_end');
  t.equal(paperState({ paperEnd: true, paperNearEnd: true }), 'out');
  t.equal(blocksPrinting({}), false, 'no status at all: print anyway (ref B9)');
  t.equal(blocksPrinting({ paperNearEnd: true }), false);
  t.equal(blocksPrinting({ coverOpen: true }), true);
  t.equal(blocksPrinting({ online: false }), true);
  t.end();
});

t.test('reply splitter: the four framer cases', (t) => {
  const asb = encodeAsb({ coverOpen: true });
  t.test('two replies in one chunk', (t) => {
    const r = new ReplySplitter().push(Uint8Array.of(0x12, ...asb));
    t.same(r.map((x) => x.kind), ['realtime', 'asb']);
    t.end();
  });
  t.test('one ASB over many chunks', (t) => {
    const s = new ReplySplitter();
    const got = [...asb].flatMap((b) => s.push(Uint8Array.of(b)));
    t.equal(got.length, 1);
    t.equal(got[0]!.kind === 'asb' && got[0]!.status.coverOpen, true);
    t.end();
  });
  t.test('broken ASB is discarded, the next byte still read', (t) => {
    const r = new ReplySplitter().push(Uint8Array.of(0x10, 0x00, 0x12));
    t.same(r.map((x) => x.kind), ['discarded', 'realtime']);
    t.end();
  });
  t.test('leading garbage, XON/XOFF, GS r reply', (t) => {
    const r = new ReplySplitter().push(Uint8Array.of(0xff, 0x80, 0x11, 0x13, 0x0c, 0x72));
    t.same(r.map((x) => x.kind), ['discarded', 'discarded', 'flow', 'flow', 'sequential', 'realtime']);
    t.end();
  });
  t.test('reset forgets a half ASB', (t) => {
    const s = new ReplySplitter();
    s.push(Uint8Array.of(0x10, 0x00));
    s.reset();
    t.same(s.push(Uint8Array.of(0x00)).map((x) => x.kind), ['sequential']);
    t.end();
  });
  t.end();
});
