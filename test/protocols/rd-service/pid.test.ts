import t from 'tap';
import { inspect } from 'node:util';
import {
  buildPidOptions,
  parsePidOptions,
  parsePidData,
  parseDeviceInfo,
  deviceInfoProblem,
  isRdServiceError,
  isRdCaptureError,
  RD_ERROR_TEXT,
  rdErrorText,
  type RdCaptureError,
} from '../../../protocols/rd-service/index.js';

const code = (f: () => unknown): string | undefined => {
  try { f(); } catch (e) { return isRdServiceError(e) ? e.code : 'other'; }
  return undefined;
};

t.test('PidOptions: the reference defaults, wadh for e-KYC, vendor CustOpts', (t) => {
  const xml = buildPidOptions();
  t.equal(xml, '<?xml version="1.0"?><PidOptions ver="1.0"><Opts fCount="1" fType="2" iCount="0" pCount="0" format="0" pidVer="2.0" timeout="10000" posh="UNKNOWN" env="P"/><CustOpts></CustOpts></PidOptions>');
  const wadh = 'E0jzJ/P8UopUHAieZn8CKqS4WPMi5ZSYXgfnlfkWjrc=';
  const ekyc = parsePidOptions(buildPidOptions({ wadh, timeoutMs: 20000, custOpts: { mantrakey: 'a"b' } }));
  t.match(ekyc, { fCount: '1', fType: '2', format: '0', pidVer: '2.0', timeout: '20000', env: 'P', posh: 'UNKNOWN', wadh });
  t.match(buildPidOptions({ custOpts: { mantrakey: 'a"b' } }), /<Param name="mantrakey" value="a&quot;b"\/>/);
  t.match(parsePidOptions(buildPidOptions({ fCount: 2, posh: 'left_index,RIGHT_THUMB' })), { fCount: '2', posh: 'LEFT_INDEX,RIGHT_THUMB' });
  t.end();
});

t.test('PidOptions: invalid values are refused before they reach the driver', (t) => {
  t.equal(code(() => buildPidOptions({ fCount: 0 })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ fCount: 11 })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ fType: 3 as 0 })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ timeoutMs: 0 })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ timeoutMs: 100000 })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ env: 'X' as 'P' })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ wadh: 'not base64!' })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ posh: 'LEFT_TOE' })), 'RD_BAD_OPTIONS');
  t.equal(code(() => buildPidOptions({ fCount: 2, posh: 'LEFT_INDEX' })), 'RD_BAD_OPTIONS');
  t.end();
});

// Synthetic parts with the real sizes (§1.5): Skey 256 B, Hmac 48 B, Data = 19-byte ts + ct + tag.
const b64 = (n: number, fill = 7): string => Buffer.alloc(n, fill).toString('base64');
const TS = '2026-11-24T13:38:30';
const DATA = Buffer.concat([Buffer.from(TS), Buffer.alloc(600, 9)]).toString('base64');
const DI = `<DeviceInfo dpId="SIMULATED.TEST" rdsId="SIM.LIN.001" rdsVer="1.0.0" dc="8f1c2e4a-0000-4000-8000-000000000001" mi="SIM100" mc="${b64(900, 3)}">
  <additional_info><Param name="srno" value="2611SIM0042"/><Param name="sysid" value="SIMSYS"/><Param name="ts" value="${TS}+05:30"/></additional_info></DeviceInfo>`;
const SUCCESS = `<?xml version="1.0"?>
<PidData>
  <Resp errCode="0" errInfo="Capture Success" fCount="1" fType="2" nmPoints="38" qScore="72"/>
  ${DI}
  <Skey ci="20301231">${b64(256)}</Skey>
  <Hmac>${b64(48)}</Hmac>
  <Data type="X">${DATA}</Data>
</PidData>`;

t.test('PidData success: Resp, DeviceInfo, sizes, ts; the block itself is redacted everywhere', (t) => {
  const cap = parsePidData(SUCCESS);
  t.same(cap.resp, { errCode: '0', errInfo: 'Capture Success', fCount: '1', fType: '2', qScore: [72], nmPoints: [38] });
  t.match(cap.deviceInfo, { dpId: 'SIMULATED.TEST', rdsId: 'SIM.LIN.001', mi: 'SIM100', additional: { srno: '2611SIM0042', sysid: 'SIMSYS' } });
  t.equal(deviceInfoProblem(cap.deviceInfo), undefined);
  t.same(cap.pid.sizes, { xml: SUCCESS.length, skey: 256, hmac: 48, data: 619 });
  t.equal(cap.pid.ts, TS);
  t.equal(cap.pid.ci, '20301231');
  t.equal(cap.pid.reveal().xml, SUCCESS, 'the exact bytes are kept, never re-serialised');
  t.equal(cap.pid.reveal().dataType, 'X');
  for (const s of [String(cap.pid), JSON.stringify(cap), inspect(cap, { depth: 10 }), cap.pid.toString()]) {
    t.notOk(s.includes(b64(256)) || s.includes(b64(48)) || s.includes(DATA.slice(0, 40)), 'no Skey/Hmac/Data in any rendering');
  }
  t.match(JSON.stringify(cap), /\[PidData redacted\]/);
  t.end();
});

t.test('vendor variants: Startek namespaces and Resp ts, Morpho without additional_info, multi-finger scores', (t) => {
  const startek = SUCCESS.replace('<PidData>', '<PidData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">')
    .replace('qScore="72"', `qScore="72
" ts="${TS}"`).replace('<DeviceInfo ', '<DeviceInfo error="" ');
  t.match(parsePidData(startek).resp, { qScore: [72] });
  const morpho = SUCCESS.replace(/<additional_info>[\s\S]*<\/additional_info>/, '').replace('<?xml version="1.0"?>', '');
  const m = parsePidData(morpho);
  t.same(m.deviceInfo.additional, {});
  t.equal(deviceInfoProblem(m.deviceInfo), 'no serial number');
  const multi = SUCCESS.replace('qScore="72"', 'qScore="72,55"').replace('nmPoints="38"', 'nmPoints="38, 41"');
  t.match(parsePidData(multi).resp, { qScore: [72, 55], nmPoints: [38, 41] });
  t.end();
});

t.test('PidData failures: RD errCodes are typed with English and Hindi text; broken replies are RD_SCHEMA', (t) => {
  try {
    parsePidData('<PidData><Resp errCode="700" errInfo="Capture timed out" fCount="0" qScore="0"/></PidData>');
    t.fail('should throw');
  } catch (e) {
    t.ok(isRdCaptureError(e, '700'));
    const c = e as RdCaptureError;
    t.equal(c.code, 'RD_CAPTURE_FAILED');
    t.match(c.text.en, /No finger/);
    t.match(c.text.hi, /अंगुली/);
    t.equal(c.errInfo, 'Capture timed out');
  }
  t.ok(isRdCaptureError((() => { try { parsePidData('<PidData><Resp errCode="-1307" errInfo="x"/></PidData>'); } catch (e) { return e; } })(), '-1307'), 'non-numeric codes stay strings');
  t.equal(code(() => parsePidData('<PidData/>')), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.replace(/<Skey[^<]*<\/Skey>/, ''))), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.replace(b64(48), b64(40)))), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.replace(b64(256), b64(16)))), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.replace('type="X"', 'type="Q"'))), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.replace(DATA, Buffer.from('not a timestamp at all, no no no no no no').toString('base64')))), 'RD_SCHEMA');
  t.equal(code(() => parsePidData(SUCCESS.slice(0, 300))), 'RD_XML_INVALID');
  // No error message may echo the document (it would carry Skey/Hmac/Data).
  for (const bad of [SUCCESS.replace(b64(48), b64(40)), SUCCESS.slice(0, 400), SUCCESS.replace('type="X"', 'type="Q"')]) {
    try { parsePidData(bad); } catch (e) {
      const s = `${String(e)} ${JSON.stringify(e)}`;
      t.notOk(s.includes(b64(256).slice(0, 20)) || s.includes(DATA.slice(0, 20)), 'error text carries no PID content');
    }
  }
  t.end();
});

t.test('every RD errCode of the reference has operator text in English and Hindi', (t) => {
  for (const c of ['100', '110', '120', '130', '140', '150', '160', '170', '180', '190', '200', '210', '700', '710', '720', '730', '740', '750', '760', '770', '999']) {
    const text = RD_ERROR_TEXT[c];
    t.ok(text && text.en.length > 5 && /[\u0900-\u097F]/.test(text.hi), `text for ${c}`);
  }
  t.match(rdErrorText('123456'), { en: /123456/, hi: /123456/ });
  t.equal(RD_ERROR_TEXT['710']?.health, 'USED');
  t.equal(RD_ERROR_TEXT['720']?.health, 'NOTREADY');
  t.end();
});

t.test('DeviceInfo on its own, and the empty-serial quirk', (t) => {
  const di = parseDeviceInfo(DI.replace('value="2611SIM0042"', 'value=""'));
  t.equal(deviceInfoProblem(di), 'no serial number');
  t.equal(deviceInfoProblem({ ...di, dc: '' }), 'no device code');
  t.equal(code(() => parseDeviceInfo('<RDService/>')), 'RD_SCHEMA');
  t.end();
});
