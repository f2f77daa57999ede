// Mutated RD replies: the parsers fail only with their own typed errors, never anything else.
import t from 'tap';
import { parsePidData, parseRdServiceInfo, parseDeviceInfo, parsePidOptions, buildPidOptions, buildRdServiceInfo, isRdServiceError } from '../../../protocols/rd-service/index.js';

let seed = 0x5eed;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
const int = (n: number): number => Math.floor(rnd() * n);
const b64 = (n: number): string => Buffer.alloc(n, 5).toString('base64');

const SAMPLES = [
  buildRdServiceInfo('READY', 'Sim', [{ id: 'CAPTURE', path: '/rd/capture' }, { id: 'DEVICEINFO', path: '/127.0.0.1:11100/rd/info' }], "'"),
  `<PidData><Resp errCode="0" errInfo="ok" qScore="70" nmPoints="30"/><DeviceInfo dpId="a" rdsId="b" rdsVer="1" dc="c" mi="m" mc="${b64(60)}"><additional_info><Param name="srno" value="1"/></additional_info></DeviceInfo><Skey ci="20301231">${b64(256)}</Skey><Hmac>${b64(48)}</Hmac><Data type="X">${Buffer.concat([Buffer.from('2026-11-24T10:00:00'), Buffer.alloc(80)]).toString('base64')}</Data></PidData>`,
  '<PidData><Resp errCode="720" errInfo="Device not ready"/></PidData>',
  buildPidOptions({ wadh: 'E0jzJ/P8UopUHAieZn8CKqS4WPMi5ZSYXgfnlfkWjrc=' }),
];
const PIECES = ['<', '>', '"', "'", '/>', '</PidData>', '<Resp errCode="0"/>', '&amp;', '&#0;', ']]>', '<![CDATA[x]]>', '<!DOCTYPE x [<!ENTITY a "b">]>', '\u0000', 'é', ' ', '=', 'errCode'];

function mutate(s: string): string {
  let out = s;
  for (let i = 0, n = 1 + int(5); i < n; i++) {
    const at = int(out.length + 1);
    switch (int(4)) {
      case 0: out = out.slice(0, at) + out.slice(at + 1 + int(10)); break;
      case 1: out = out.slice(0, at) + PIECES[int(PIECES.length)]! + out.slice(at); break;
      case 2: out = out.slice(0, at); break;
      default: out = out.slice(0, at) + String.fromCharCode(int(128)) + out.slice(at + 1);
    }
  }
  return out;
}

t.test('3,000 mutated RD documents through every parser', (t) => {
  let escaped = 0;
  let firstEscape = '';
  for (let i = 0; i < 3000; i++) {
    const doc = mutate(SAMPLES[i % SAMPLES.length]!);
    for (const parse of [parsePidData, parseRdServiceInfo, parseDeviceInfo, parsePidOptions]) {
      try {
        parse(doc);
      } catch (e) {
        if (!isRdServiceError(e)) {
          escaped++;
          firstEscape ||= `${String(e)}`;
        }
      }
    }
  }
  t.equal(escaped, 0, firstEscape || 'only RdServiceError escapes');
  t.end();
});
