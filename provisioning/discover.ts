/**
 * `kioskctl discover`: what hardware is attached. USB devices are matched against the table of
 * known ids; serial ports are probed gently (an R30x VfyPwd at the usual baud rates, a Megatec Q1
 * at 2400 — both are read-only queries); the RD service is looked for on 11100–11120 and NUT's
 * upsd on 3493. Every probe has a deadline and closes what it opened, so discovery never leaves
 * a port held that the agent then cannot open.
 */
import { readdir, realpath } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { commands, encodeCommand } from '../protocols/r30x/index.js';
import { parseQ1 } from '../protocols/megatec/q1.js';
import type { InventoryItem } from '../protocols/telemetry/claim.js';
import type { UdevDevice } from './udev.js';
import { hex4, lookupUsb, USB_CLASS_PRINTER } from './usb-ids.js';

export interface Found extends InventoryItem {
  detail: string;
}

export interface DiscoverOptions {
  /** Extra serial ports to probe (e.g. ptys of simulators). */
  ports?: string[];
  serial?: boolean;
  usb?: boolean;
  rdHost?: string;
  rdPorts?: number[];
  nutHost?: string;
  nutPort?: number;
  probeTimeoutMs?: number;
  r30xBauds?: number[];
}

function withDeadline<T>(ms: number, fallback: T, run: (done: (v: T) => void, onTimeout: (fn: () => void) => void) => void): Promise<T> {
  return new Promise((resolve) => {
    let cleanup = () => undefined as void;
    let settled = false;
    const done = (v: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(t);
      cleanup();
      resolve(v);
    };
    const t = setTimeout(() => done(fallback), ms);
    run(done, (fn) => (cleanup = fn));
  });
}

export async function probeRd(host: string, port: number, ms: number): Promise<Found | undefined> {
  return withDeadline<Found | undefined>(ms, undefined, (done, onEnd) => {
    const req = request({ host, port, method: 'RDSERVICE', path: '/', timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d.length < 20_000 ? d : ''));
      res.on('end', () => {
        if (!/<RDService/i.test(body)) return done(undefined);
        const status = /status="([^"]*)"/i.exec(body)?.[1] ?? '?';
        const info = /info="([^"]*)"/i.exec(body)?.[1] ?? '';
        done({ kind: 'fingerprint', via: 'rd-service', id: `http://${host}:${port}`, model: info, detail: `RD service ${status}${info ? ` (${info})` : ''}` });
      });
    });
    req.on('error', () => done(undefined));
    req.end();
    onEnd(() => req.destroy());
  });
}

export async function probeNut(host: string, port: number, ms: number): Promise<Found[]> {
  return withDeadline<Found[]>(ms, [], (done, onEnd) => {
    const s = connect(port, host);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write('LIST UPS\n'));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.includes('END LIST UPS') || buf.startsWith('ERR')) {
        const ups = [...buf.matchAll(/^UPS (\S+) "([^"]*)"/gm)].map((m) => ({ kind: 'ups' as const, via: 'nut', id: `${m[1]}@${host}:${port}`, model: m[2] ?? '', detail: `NUT upsd: ${m[1]}${m[2] ? ` (${m[2]})` : ''}` }));
        done(ups);
      }
    });
    s.on('error', () => done([]));
    onEnd(() => s.destroy());
  });
}

type SerialPortCtor = typeof import('serialport').SerialPort;

async function serialExchange(SerialPort: SerialPortCtor, path: string, baudRate: number, out: Uint8Array, ms: number, enough: (b: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(t);
      if (port.isOpen) port.close(() => resolve(buf));
      else resolve(buf);
    };
    const t = setTimeout(finish, ms);
    port.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (enough(buf)) finish();
    });
    port.on('error', finish);
    port.open((err) => {
      if (err) return finish();
      port.write(Buffer.from(out));
    });
  });
}

export async function probeSerial(path: string, o: DiscoverOptions): Promise<Found | undefined> {
  const { SerialPort } = await import('serialport');
  const ms = o.probeTimeoutMs ?? 500;
  for (const baud of o.r30xBauds ?? [57600, 9600, 115200]) {
    const reply = await serialExchange(SerialPort, path, baud, encodeCommand(commands.vfyPwd()), ms, (b) => b.length >= 12);
    const at = reply.indexOf(Buffer.from([0xef, 0x01]));
    if (at >= 0 && reply[at + 6] === 0x07) return { kind: 'fingerprint', via: 'serial', id: path, model: 'R30x', detail: `R30x fingerprint module at ${baud} baud`, baudRate: baud };
  }
  // A leading CR ends whatever partial line the handshake bytes above left in the UPS's buffer;
  // it may answer that line too, so the Q1 status line is looked for among the replies.
  const q1 = await serialExchange(SerialPort, path, 2400, Buffer.from('\rQ1\r'), ms * 2, (b) => /\([^\r]*\r/.test(b.toString('latin1')));
  const line = /\([^\r]*/.exec(q1.toString('latin1'))?.[0] ?? '';
  if (line && parseQ1(line).ok) return { kind: 'ups', via: 'serial', id: path, model: 'Megatec Q1', detail: `Megatec Q1 UPS at 2400 baud: ${line}` };
  return undefined;
}

async function serialPaths(o: DiscoverOptions): Promise<string[]> {
  const paths = new Set<string>(o.ports ?? []);
  if (o.serial === false) return [...paths];
  const byId = new Map<string, string>();
  try {
    for (const n of await readdir('/dev/serial/by-id')) byId.set(await realpath(join('/dev/serial/by-id', n)), join('/dev/serial/by-id', n));
  } catch {
    // No USB serial adapters plugged in.
  }
  try {
    const { SerialPort } = await import('serialport');
    for (const p of await SerialPort.list()) if (p.vendorId || byId.has(p.path)) paths.add(byId.get(p.path) ?? p.path);
  } catch {
    // serialport's native binding missing: the extra ports are still probed.
  }
  return [...paths];
}

async function usbDevices(): Promise<{ found: Found[]; udev: UdevDevice[] }> {
  const found: Found[] = [];
  const udev: UdevDevice[] = [];
  interface UsbDevice {
    busNumber: number;
    deviceAddress: number;
    deviceDescriptor: { idVendor: number; idProduct: number; bDeviceClass: number };
    configDescriptor?: { interfaces: { bInterfaceClass: number }[][] };
  }
  let list: UsbDevice[];
  try {
    // The legacy libusb API: webusb would need a permission prompt for each device.
    const mod = (await import('usb')) as unknown as { usb: { getDeviceList(): UsbDevice[] } };
    list = mod.usb.getDeviceList();
  } catch {
    return { found, udev };
  }
  for (const d of list) {
    const { idVendor: v, idProduct: p, bDeviceClass } = d.deviceDescriptor;
    const ifClasses = (d.configDescriptor?.interfaces ?? []).flat().map((i) => i.bInterfaceClass);
    const known = lookupUsb(v, p);
    const isPrinter = bDeviceClass === USB_CLASS_PRINTER || ifClasses.includes(USB_CLASS_PRINTER);
    const kind = known?.kind ?? (isPrinter ? 'printer' : undefined);
    if (!kind) continue;
    const id = `${hex4(v)}:${hex4(p)}`;
    const model = known?.model ?? 'USB printer class';
    found.push({ kind: kind === 'serial-bridge' ? 'other' : kind, via: 'usb', id, model, detail: `USB ${id} ${model} (bus ${d.busNumber} addr ${d.deviceAddress})` });
    if (kind !== 'serial-bridge') udev.push({ kind, vendorId: v, productId: p });
  }
  return { found, udev };
}

export async function discover(o: DiscoverOptions = {}): Promise<{ inventory: Found[]; udev: UdevDevice[] }> {
  const ms = o.probeTimeoutMs ?? 500;
  const rdPorts = o.rdPorts ?? Array.from({ length: 21 }, (_, i) => 11100 + i);
  const [usb, rd, nut, serial] = await Promise.all([
    o.usb === false ? { found: [], udev: [] } : usbDevices(),
    Promise.all(rdPorts.map((p) => probeRd(o.rdHost ?? '127.0.0.1', p, ms * 2))),
    probeNut(o.nutHost ?? '127.0.0.1', o.nutPort ?? 3493, ms * 3),
    (async () => {
      const out: Found[] = [];
      // One port at a time: each probe is short, and parallel opens confuse some USB bridges.
      for (const p of await serialPaths(o)) {
        const f = await probeSerial(p, o);
        if (f) out.push(f);
      }
      return out;
    })(),
  ]);
  const inventory = [...usb.found, ...serial, ...rd.filter((x): x is Found => x !== undefined), ...nut];
  return { inventory, udev: usb.udev };
}

export function renderInventory(items: Found[]): string {
  if (!items.length) return '';
  const w = Math.max(...items.map((i) => i.kind.length));
  const v = Math.max(...items.map((i) => i.via.length));
  return items.map((i) => `${i.kind.padEnd(w)}  ${i.via.padEnd(v)}  ${i.id}\n${' '.repeat(w + v + 4)}${i.detail}`).join('\n').concat('\n');
}
