import t from 'tap';
import {
  parseRdServiceInfo,
  normaliseInterfacePath,
  buildRdServiceInfo,
  isRdServiceError,
  rdHealth,
  rankStatus,
  type DeviceInfo,
} from '../../../protocols/rd-service/index.js';

const code = (f: () => unknown): string | undefined => {
  try { f(); } catch (e) { return isRdServiceError(e) ? e.code : 'other'; }
  return undefined;
};

t.test('interface paths: every vendor spelling normalises, foreign hosts are refused', (t) => {
  const ok: [string, string][] = [
    ['/rd/capture', '/rd/capture'],
    ['/capture', '/capture'],
    ['  /rd/info  ', '/rd/info'],
    ['/127.0.0.1:11102/capture', '/capture'],
    ['127.0.0.1:11102/getDeviceInfo', '/getDeviceInfo'],
    ['http://127.0.0.1:11100/rd/capture', '/rd/capture'],
    ['https://localhost:11101//rd//capture', '/rd/capture'],
    ['http://[::1]:11100/rd/info', '/rd/info'],
    ['rd/capture', '/rd/capture'],
  ];
  for (const [raw, want] of ok) t.equal(normaliseInterfacePath(raw), want, JSON.stringify(raw));
  t.equal(code(() => normaliseInterfacePath('http://192.168.1.5:11100/rd/capture')), 'RD_NON_LOOPBACK');
  t.equal(code(() => normaliseInterfacePath('/10.0.0.2:11100/capture')), 'RD_NON_LOOPBACK');
  t.equal(code(() => normaliseInterfacePath('https://evil.example:443/capture')), 'RD_NON_LOOPBACK');
  t.equal(code(() => normaliseInterfacePath('evil.example:8080/capture')), 'RD_NON_LOOPBACK');
  t.equal(code(() => normaliseInterfacePath('/rd/../capture')), 'RD_BAD_PATH');
  t.equal(code(() => normaliseInterfacePath('/rd/cap ture')), 'RD_BAD_PATH');
  t.end();
});

t.test('a READY Mantra-style reply', (t) => {
  const xml = `<?xml version="1.0"?>
<RDService status="READY" info="Mantra Authentication Vendor Device Manager">
   <Interface id="DEVICEINFO" path="/rd/info" />
   <Interface id="CAPTURE" path="/rd/capture" />
</RDService>`;
  t.same(parseRdServiceInfo(xml), {
    status: 'READY', rawStatus: 'READY', info: 'Mantra Authentication Vendor Device Manager', capturePath: '/rd/capture', deviceInfoPath: '/rd/info',
  });
  t.end();
});

t.test('a messy Morpho-style USED reply: single quotes, host-prefixed paths, any order, no prolog', (t) => {
  const xml = `<RDService status='USED' info='Morpho_RD_Service'><Interface id='DEVICEINFO' path='/127.0.0.1:11102/getDeviceInfo'/>
  <Interface   path='/127.0.0.1:11102/capture' id='CAPTURE' /></RDService>`;
  t.match(parseRdServiceInfo(xml), { status: 'USED', capturePath: '/capture', deviceInfoPath: '/getDeviceInfo' });
  t.end();
});

t.test('odd statuses, missing interfaces, non-loopback hosts and broken XML', (t) => {
  t.match(parseRdServiceInfo('<RDService status="notready" info="x"/>'), { status: 'NOTREADY', capturePath: undefined });
  t.match(parseRdServiceInfo('<RDService status="BUSY"><Interface id="CAPTURE" path="/c"/></RDService>'), { status: 'NOTREADY', rawStatus: 'BUSY' });
  t.equal(code(() => parseRdServiceInfo('<RDService status="READY"><Interface id="CAPTURE" path="http://10.1.1.1:11100/c"/></RDService>')), 'RD_NON_LOOPBACK');
  t.equal(code(() => parseRdServiceInfo('<RDService status="READY"><Interface></RDService>')), 'RD_XML_INVALID');
  t.equal(code(() => parseRdServiceInfo('<Other/>')), 'RD_SCHEMA');
  t.equal(code(() => parseRdServiceInfo('')), 'RD_XML_INVALID');
  t.end();
});

t.test('buildRdServiceInfo round-trips in both quote styles', (t) => {
  for (const q of ['"', "'"] as const) {
    const xml = buildRdServiceInfo('READY', `Vendor's "RD"`, [{ id: 'CAPTURE', path: '/rd/capture' }, { id: 'DEVICEINFO', path: '/rd/info' }], q);
    t.match(parseRdServiceInfo(xml), { status: 'READY', info: `Vendor's "RD"`, capturePath: '/rd/capture' });
  }
  t.end();
});

t.test('health: READY needs a real scanner; USED is present-but-busy; nothing is ABSENT', (t) => {
  const info = parseRdServiceInfo('<RDService status="READY" info="x"><Interface id="CAPTURE" path="/c"/><Interface id="DEVICEINFO" path="/i"/></RDService>');
  const di: DeviceInfo = { dpId: 'D', rdsId: 'R', rdsVer: '1', dc: 'dc', mi: 'm', mc: 'mc', additional: { srno: '123' } };
  t.same(rdHealth(info, di), { state: 'READY' });
  t.match(rdHealth(info, { ...di, additional: { srno: '' } }), { state: 'NOTREADY', reason: /empty|serial/ });
  t.match(rdHealth(info, { ...di, mc: '' }), { state: 'NOTREADY', reason: /certificate/ });
  t.same(rdHealth({ ...info, status: 'USED' }, di), { state: 'USED' });
  t.match(rdHealth({ ...info, status: 'NOTREADY' }), { state: 'NOTREADY' });
  t.match(rdHealth({ ...info, capturePath: undefined }), { state: 'NOTREADY', reason: /CAPTURE/ });
  t.match(rdHealth(undefined), { state: 'ABSENT' });
  t.ok(rankStatus('READY') > rankStatus('USED') && rankStatus('USED') > rankStatus('NOTREADY') && rankStatus('NOTREADY') > rankStatus('ABSENT'));
  t.end();
});
