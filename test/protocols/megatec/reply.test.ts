/* eslint-disable @typescript-eslint/require-await -- tap ends an async subtest when its promise settles */
import t from 'tap';
import { commandOutcome, encodeCommand, LineAssembler, MegatecErrorCode, negativeReply } from '../../../protocols/megatec/index.js';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

t.test('encodeCommand appends CR and refuses bad commands', async (t) => {
  const q = encodeCommand('Q1');
  t.ok(q.ok && Buffer.from(q.value).equals(Buffer.from('Q1\r')));
  for (const bad of ['', 'Q1\r', 'x'.repeat(17), 'é']) {
    const r = encodeCommand(bad);
    t.ok(!r.ok && r.error.code === MegatecErrorCode.BadCommand, JSON.stringify(bad));
  }
});

t.test('LineAssembler: one reply over many chunks (HID 8-byte reports)', async (t) => {
  const a = new LineAssembler();
  const reply = '(242.6 242.4 239.7 018 50.0 2.26 28.8 00000001\r';
  const padded = reply + '\x00'.repeat(8 - (reply.length % 8));
  let out;
  for (let i = 0; i < padded.length; i += 8) {
    const r = a.push(bytes(padded.slice(i, i + 8)));
    if (r) out = r;
  }
  t.ok(out?.ok);
  if (out?.ok) t.equal(out.value, reply.slice(0, -1));
});

t.test('LineAssembler: junk after CR ignored, leading NULs dropped, reset', async (t) => {
  const a = new LineAssembler();
  t.equal(a.push(bytes('\x00\x00(A')), undefined);
  t.equal(a.pending, '(A');
  const r = a.push(bytes('B\r 32 37 33'));
  t.ok(r?.ok && r.value === '(AB');
  t.equal(a.push(bytes('more\r')), undefined, 'nothing after the first CR');
  a.reset();
  const r2 = a.push(bytes('two lines\rsecond\r'));
  t.ok(r2?.ok && r2.value === 'two lines');
});

t.test('LineAssembler caps a runaway line', async (t) => {
  const a = new LineAssembler(10);
  t.equal(a.push(bytes('x'.repeat(50))), undefined);
  t.ok(a.overflowed);
  const r = a.push(bytes('\r'));
  t.ok(r && !r.ok && r.error.code === MegatecErrorCode.LineTooLong);
});

t.test('negative replies and command outcomes', async (t) => {
  t.equal(negativeReply('Q1', 'Q1'), 'echo');
  t.equal(negativeReply('T', 'T\r'), 'echo');
  t.equal(negativeReply('Q1', '(NAK\r'), 'nak');
  t.equal(negativeReply('Q1', ''), 'empty');
  t.equal(negativeReply('Q1', 'UPS No Ack'), 'no-ack');
  t.equal(negativeReply('Q1', '(230.0'), undefined);
  t.equal(commandOutcome(undefined), 'accepted', 'no reply = success (NUT instcmd)');
  t.equal(commandOutcome('ACK\r'), 'accepted', 'Best UPS');
  t.equal(commandOutcome('(ACK'), 'accepted');
  t.equal(commandOutcome('UPS No Ack'), 'accepted', 'treated as empty');
  t.equal(commandOutcome('T'), 'rejected', 'echo');
  t.equal(commandOutcome('(NAK'), 'rejected');
});
