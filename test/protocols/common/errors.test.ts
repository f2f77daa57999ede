import t from 'tap';
import { causeOption, CodedError, codedGuard, withCode } from '../../../protocols/common/errors.js';
import { FingerprintError, isFingerprintError } from '../../../drivers/fingerprint/errors.js';
import { isPrinterError, PrinterError } from '../../../drivers/printer/errors.js';
import { isUpsError, UpsError } from '../../../drivers/ups/errors.js';
import { EscposError, isEscposError } from '../../../protocols/escpos/errors.js';
import { isMegatecError, MegatecError } from '../../../protocols/megatec/errors.js';
import { isNutError, NutError } from '../../../protocols/nut/errors.js';
import { isR30xConfirmationError, isR30xProtocolError, R30xConfirmationError, R30xProtocolError } from '../../../protocols/r30x/errors.js';
import { isRdCaptureError, isRdServiceError, RdCaptureError, RdServiceError } from '../../../protocols/rd-service/errors.js';

class DemoError extends CodedError<'DEMO_A' | 'DEMO_B', { n?: number }> {
  override readonly name = 'DemoError';
}
const isDemoError = codedGuard(DemoError);

t.test('the base: code, context, cause only when given, a guard that narrows by code', (t) => {
  const plain = new DemoError('DEMO_A', 'went wrong', { n: 1 });
  t.ok(plain instanceof Error);
  t.equal(plain.name, 'DemoError');
  t.equal(plain.message, 'went wrong');
  t.equal(plain.code, 'DEMO_A');
  t.same(plain.context, { n: 1 });
  t.notOk('cause' in plain, 'no cause property without a cause');
  const inner = new Error('socket closed');
  const wrapped = new DemoError('DEMO_B', withCode('outer', 'DEMO_B'), {}, causeOption(inner));
  t.equal(wrapped.cause, inner);
  t.equal(wrapped.message, 'outer [DEMO_B]');
  t.equal(causeOption(undefined), undefined);
  t.ok(isDemoError(plain));
  t.ok(isDemoError(plain, 'DEMO_A'));
  t.notOk(isDemoError(plain, 'DEMO_B'));
  t.notOk(isDemoError(new Error('x')));
  t.notOk(isDemoError({ code: 'DEMO_A', name: 'DemoError' }), 'a look-alike object is not one');
  t.end();
});

t.test('every layer error is a CodedError and keeps its name, code and message', (t) => {
  const cause = new Error('EIO');
  const cases: [CodedError<string, unknown>, string, string, (e: unknown) => boolean][] = [
    [new FingerprintError('FP_TIMEOUT', 'no reply', { context: { port: '/dev/ttyS0' }, cause }), 'FingerprintError', 'no reply', isFingerprintError],
    [new PrinterError('PRINTER_WRITE_FAILED', 'write failed', { bytes: 3 }, { cause }), 'PrinterError', 'write failed', isPrinterError],
    [new UpsError('UPS_TIMEOUT', 'no reply', { cause }), 'UpsError', 'no reply [UPS_TIMEOUT]', isUpsError],
    [new EscposError('ESCPOS_STATUS_LENGTH', 'two bytes', { hex: '1012' }), 'EscposError', 'two bytes', isEscposError],
    [new MegatecError('MEGATEC_NAK', 'refused', { reply: '(NAK' }), 'MegatecError', 'refused [MEGATEC_NAK]', isMegatecError],
    [new NutError('DATA-STALE', 'stale', { reply: 'ERR DATA-STALE' }), 'NutError', 'stale [DATA-STALE]', isNutError],
    [new R30xProtocolError('R30X_BAD_CHECKSUM', 'checksum', { got: 1 }), 'R30xProtocolError', 'checksum [R30X_BAD_CHECKSUM]', isR30xProtocolError],
    [new RdServiceError('RD_SCHEMA', 'bad xml'), 'RdServiceError', 'bad xml [RD_SCHEMA]', isRdServiceError],
  ];
  for (const [e, name, message, guard] of cases) {
    t.ok(e instanceof CodedError, `${name} extends CodedError`);
    t.equal(e.name, name);
    t.equal(e.message, message);
    t.ok(guard(e), `is${name}`);
    t.notOk(guard(new Error(message)));
  }
  t.equal(cases[0]![0].cause, cause);
  t.equal(cases[2]![0].cause, cause);
  t.notOk('cause' in cases[3]![0]);
  t.same(new UpsError('UPS_STOPPED', 'stopped').context, {}, 'context defaults to empty');
  t.end();
});

t.test('the subclasses of layer errors keep theirs', (t) => {
  const cc = new R30xConfirmationError(0x09, 'Search');
  t.equal(cc.name, 'R30xConfirmationError');
  t.equal(cc.code, 'R30X_CONFIRMATION');
  t.ok(isR30xProtocolError(cc) && isR30xConfirmationError(cc, 0x09));
  const rd = new RdCaptureError('720', 'device not ready');
  t.equal(rd.name, 'RdCaptureError');
  t.ok(isRdServiceError(rd, 'RD_CAPTURE_FAILED') && isRdCaptureError(rd, '720'));
  t.match(rd.message, /^RD error 720: .* \[RD_CAPTURE_FAILED\]$/);
  t.end();
});
