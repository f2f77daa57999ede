/**
 * A simulated UIDAI RD service on loopback (reference rd-service-ekyc.md §1): answers the
 * `RDSERVICE`, `DEVICEINFO` and `CAPTURE` verbs with the real XML shapes. It is written on raw
 * `net` (or `tls`) because Node's http server rejects these verbs with 400 (§1.1).
 *
 * Captures are synthetic but cryptographically real (§2.2): a fresh AES-256 session key; PID XML
 * encrypted with AES-256-GCM, IV = last 12 bytes of ts, AAD = last 16 bytes of ts, Data =
 * base64(ts ‖ ciphertext ‖ tag); Hmac = the same GCM over SHA-256(PID); Skey = the session key
 * under RSA/ECB/PKCS1Padding with a *test* public key standing in for UIDAI's certificate. The
 * biometric inside is random bytes; no real person's data exists anywhere in it.
 */
import { createCipheriv, createHash, publicEncrypt, randomBytes, randomUUID, constants, type KeyObject } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { buildRdServiceInfo, parsePidOptions, escapeAttr } from '../../protocols/rd-service/index.js';

export type SimRdStatus = 'READY' | 'NOTREADY' | 'USED';

export interface RdSimulatorOptions {
  /** Test public key (PEM or KeyObject) standing in for UIDAI's encryption certificate. */
  uidaiPublicKey: string | KeyObject;
  status?: SimRdStatus;
  info?: string;
  /** Raw interface paths as the vendor would print them (may be host-prefixed or full URLs). */
  capturePath?: string;
  deviceInfoPath?: string;
  /** Single quotes and DEVICEINFO listed first, like the Morpho sample (§1.2, F0/F7). */
  quirkyXml?: boolean;
  /** Answer with an empty serial number (the unplugged-scanner quirk, §1.3). */
  emptySerial?: boolean;
  /** Every capture fails with this RD errCode (e.g. '700', '710', '720', '730'). */
  captureError?: string;
  /** Delay before a capture reply, ms (a person placing a finger). */
  captureDelayMs?: number;
  /** UIDAI certificate expiry as `ci` (yyyyMMdd). */
  ci?: string;
  /** Serve https with this key/certificate instead of http. */
  tls?: { key: string; cert: string };
  dpId?: string;
  rdsId?: string;
  mi?: string;
  /** Device certificate (base64 DER) for DeviceInfo `mc`; random bytes by default. */
  mc?: string;
}

export interface RdRequest {
  method: string;
  path: string;
  body: string;
}

export class RdServiceSimulator {
  opts: RdSimulatorOptions & { status: SimRdStatus; capturePath: string; deviceInfoPath: string };
  readonly requests: RdRequest[] = [];
  readonly dc = randomUUID();
  readonly #mc: string;
  #server: net.Server | undefined;
  #port = 0;

  constructor(opts: RdSimulatorOptions) {
    this.opts = { status: 'READY', capturePath: '/rd/capture', deviceInfoPath: '/rd/info', ...opts };
    this.#mc = opts.mc ?? randomBytes(900).toString('base64');
  }

  get port(): number {
    return this.#port;
  }

  /** Listens on 127.0.0.1:`port` (0 = any free port). */
  async listen(port = 0): Promise<number> {
    const handler = (sock: net.Socket): void => this.#onSocket(sock);
    const server = this.opts.tls ? tls.createServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : net.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
    return this.#port;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #onSocket(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 1_000_000) return sock.destroy();
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', target = '/'] = head[0]!.split(' ');
      const lenHeader = head.find((h) => /^content-length:/i.test(h));
      const length = lenHeader ? Number(lenHeader.split(':')[1]) : 0;
      if (buf.length < end + 4 + length) return;
      const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
      sock.removeAllListeners('data');
      const req = { method: method.toUpperCase(), path: target, body };
      this.requests.push(req);
      void this.#respond(req).then(([status, xml]) => {
        const payload = Buffer.from(xml, 'utf8');
        sock.end(`HTTP/1.1 ${status}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n${xml}`);
      });
    });
  }

  async #respond(req: RdRequest): Promise<[string, string]> {
    const o = this.opts;
    const pathOnly = (raw: string): string => '/' + raw.replace(/^[a-z]+:\/\/[^/]+/i, '').split('/').filter((s) => s && !/^[\d.]+:\d+$/.test(s)).join('/');
    if (req.method === 'RDSERVICE') return ['200 OK', this.rdServiceXml()];
    if (req.method === 'DEVICEINFO' && req.path === pathOnly(o.deviceInfoPath)) return ['200 OK', this.deviceInfoXml()];
    if (req.method === 'CAPTURE' && req.path === pathOnly(o.capturePath)) return ['200 OK', await this.#capture(req.body)];
    if (req.method === 'DEVICEINFO' || req.method === 'CAPTURE') return ['404 Not Found', ''];
    return ['405 Method Not Allowed', ''];
  }

  rdServiceXml(): string {
    const o = this.opts;
    const ifaces = [
      { id: 'CAPTURE', path: o.capturePath },
      { id: 'DEVICEINFO', path: o.deviceInfoPath },
    ];
    return buildRdServiceInfo(o.status, o.info ?? 'Simulated RD Service (test)', o.quirkyXml ? ifaces.reverse() : ifaces, o.quirkyXml ? "'" : '"');
  }

  deviceInfoXml(): string {
    const o = this.opts;
    const present = o.status !== 'NOTREADY';
    const a = (k: string, v: string): string => `${k}="${escapeAttr(v)}"`;
    const params = [
      ['srno', present && !o.emptySerial ? '2611SIM0042' : ''],
      ['sysid', present ? 'SIMSYS0001' : ''],
      ['ts', istTimestamp(new Date()) + '+05:30'],
    ].map(([n, v]) => `<Param ${a('name', n!)} ${a('value', v!)} />`).join('');
    return `<DeviceInfo ${a('dpId', o.dpId ?? 'SIMULATED.TEST')} ${a('rdsId', o.rdsId ?? 'SIM.LIN.001')} ${a('rdsVer', '1.0.0')} ` +
      `${a('dc', present ? this.dc : '')} ${a('mi', o.mi ?? 'SIM100')} ${a('mc', present ? this.#mc : '')}>` +
      `<additional_info>${params}</additional_info></DeviceInfo>`;
  }

  async #capture(body: string): Promise<string> {
    const o = this.opts;
    let opts: Record<string, string>;
    try {
      opts = parsePidOptions(body);
    } catch {
      return respOnly('100', 'Invalid PidOptions');
    }
    // Validation in the order a real service applies it (§1.4, BioEnable ErrorCode.java).
    if (opts['env'] === undefined) return respOnly('100', 'env missing');
    if (!/^(10|[1-9])$/.test(opts['fCount'] ?? '')) return respOnly('120', 'Invalid fCount');
    if (!['0', '1', '2'].includes(opts['fType'] ?? '')) return respOnly('110', 'Invalid fType');
    if (opts['pidVer'] !== '2.0') return respOnly('150', 'Invalid pidVer');
    if (!/^[1-9]\d{0,4}$/.test(opts['timeout'] ?? '')) return respOnly('160', 'Invalid timeout');
    if (opts['format'] === '1') return respOnly('210', 'Protobuf not supported');
    if (opts['format'] !== '0') return respOnly('190', 'Invalid format');
    if (o.status === 'NOTREADY') return respOnly('720', 'Device not ready');
    if (o.captureDelayMs) await new Promise((r) => setTimeout(r, Math.min(o.captureDelayMs!, Number(opts['timeout']))));
    if (o.captureError) return respOnly(o.captureError, o.captureError === '700' ? 'Capture timed out' : 'Capture failed');
    return this.pidDataXml(Number(opts['fType']), opts['wadh'] ?? '');
  }

  /** A success PidData with real encryption under the test key. */
  pidDataXml(fType: number, wadh: string): string {
    const ts = istTimestamp(new Date());
    const bios = [fType !== 1 ? bio('FMR', 420) : '', fType !== 0 ? bio('FIR', 2400) : ''].join('');
    const pid = `<Pid ts="${ts}" ver="2.0"${wadh ? ` wadh="${escapeAttr(wadh)}"` : ''}><Bios dih="${randomBytes(32).toString('base64')}">${bios}</Bios></Pid>`;
    const key = randomBytes(32);
    const tsBytes = Buffer.from(ts, 'latin1');
    const gcm = (plain: Buffer): Buffer => {
      const c = createCipheriv('aes-256-gcm', key, tsBytes.subarray(-12));
      c.setAAD(tsBytes.subarray(-16));
      return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    };
    const data = Buffer.concat([tsBytes, gcm(Buffer.from(pid, 'utf8'))]).toString('base64');
    const hmac = gcm(createHash('sha256').update(pid, 'utf8').digest()).toString('base64');
    const skey = publicEncrypt({ key: this.opts.uidaiPublicKey, padding: constants.RSA_PKCS1_PADDING }, key).toString('base64');
    key.fill(0);
    const resp = `<Resp errCode="0" errInfo="Capture Success" fCount="1" fType="${fType}" iCount="0" iType="" pCount="0" pType="" nmPoints="38" qScore="72" />`;
    return `<?xml version="1.0"?>\n<PidData>\n${resp}\n${this.deviceInfoXml()}\n<Skey ci="${this.opts.ci ?? '20301231'}">${skey}</Skey>\n<Hmac>${hmac}</Hmac>\n<Data type="X">${data}</Data>\n</PidData>\n`;
  }
}

function respOnly(errCode: string, errInfo: string): string {
  return `<?xml version="1.0"?>\n<PidData>\n<Resp errCode="${errCode}" errInfo="${escapeAttr(errInfo)}" fCount="0" fType="0" nmPoints="0" qScore="0" />\n</PidData>\n`;
}

function bio(type: string, bytes: number): string {
  return `<Bio type="${type}" posh="UNKNOWN" bs="${randomBytes(256).toString('base64')}">${randomBytes(bytes).toString('base64')}</Bio>`;
}

/** Local Indian time without zone, 19 characters: the PID ts format (§2.1). */
export function istTimestamp(d: Date): string {
  return new Date(d.getTime() + 330 * 60_000).toISOString().slice(0, 19);
}
