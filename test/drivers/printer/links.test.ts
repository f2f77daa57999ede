/* eslint-disable @typescript-eslint/require-await -- the fake USB device mirrors an async API */
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lpLink } from '../../../drivers/printer/link-lp.js';
import { usbLink, type UsbPrinterDevice } from '../../../drivers/printer/link-usb.js';
import { PrinterErrorCode } from '../../../drivers/printer/errors.js';

t.test('lp link writes the bytes to the device file; without bidirectional it cannot read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lp-'));
  const path = join(dir, 'lp0');
  writeFileSync(path, '');
  const link = await lpLink({ path })();
  t.equal(link.canRead, false);
  t.equal(link.kind, 'lp');
  await link.write(Uint8Array.of(0x1b, 0x40, 0x41, 0x0a));
  await link.close();
  t.same([...readFileSync(path)], [0x1b, 0x40, 0x41, 0x0a]);
  await t.rejects(link.write(Uint8Array.of(1)), { code: PrinterErrorCode.Closed });
  await t.rejects(lpLink({ path: join(dir, 'missing') })(), { code: PrinterErrorCode.NotFound });
});

function fakeUsb(opts: { withIn: boolean; replies?: Uint8Array[]; failWrite?: boolean }) {
  const log: string[] = [];
  const written: number[] = [];
  const replies = [...(opts.replies ?? [])];
  const dev: UsbPrinterDevice = {
    vendorId: 0x0416,
    productId: 0x5011,
    opened: false,
    configuration: {
      interfaces: [
        { interfaceNumber: 0, alternate: { interfaceClass: 3, endpoints: [] } },
        {
          interfaceNumber: 1,
          alternate: {
            interfaceClass: 7,
            endpoints: [
              { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize: 64 },
              ...(opts.withIn ? [{ endpointNumber: 1, direction: 'in' as const, type: 'bulk', packetSize: 64 }] : []),
            ],
          },
        },
      ],
    },
    open: async () => void log.push('open'),
    close: async () => void log.push('close'),
    claimInterface: async (n) => void log.push(`claim ${n}`),
    releaseInterface: async (n) => void log.push(`release ${n}`),
    detachKernelDriver: async (n) => {
      log.push(`detach ${n}`);
      throw new Error('not bound');
    },
    nativeTransferOut: async (ep, _to, data) => {
      if (opts.failWrite) throw new Error('LIBUSB_ERROR_NO_DEVICE');
      log.push(`out ep${ep} ${data.length}`);
      written.push(...data);
      return data.length;
    },
    nativeTransferIn: async (_ep, to) => {
      const r = replies.shift();
      if (r) return r;
      await new Promise((res) => setTimeout(res, Math.min(to, 5)));
      throw new Error('Operation timed out');
    },
  };
  return { dev, log, written };
}

t.test('usb link: class-7 interface, detach usblp, claim, bulk OUT in chunks, bulk IN replies', async (t) => {
  const { dev, log, written } = fakeUsb({ withIn: true, replies: [Uint8Array.of(0x12)] });
  const link = await usbLink({ vendorId: 0x0416, productId: 0x5011, find: async () => dev, readPollMs: 5 })();
  t.equal(link.canRead, true);
  t.equal(link.address, 'usb:0416:5011');
  const got: number[] = [];
  link.onData((c) => got.push(...c));
  await link.write(new Uint8Array(5000).fill(0x41));
  t.equal(written.length, 5000);
  await new Promise((r) => setTimeout(r, 30));
  t.same(got, [0x12]);
  await link.close();
  t.same(log.filter((l) => !l.startsWith('out')), ['open', 'detach 1', 'claim 1', 'release 1', 'close']);
  t.same(log.filter((l) => l.startsWith('out')), ['out ep2 4096', 'out ep2 904']);
});

t.test('usb link: errors are coded', async (t) => {
  await t.rejects(usbLink({ vendorId: 1, productId: 2, find: async () => undefined })(), { code: PrinterErrorCode.NotFound });
  const { dev } = fakeUsb({ withIn: false, failWrite: true });
  const link = await usbLink({ vendorId: 1, productId: 2, find: async () => dev })();
  t.equal(link.canRead, false);
  let closed = false;
  link.onClose(() => (closed = true));
  await t.rejects(link.write(Uint8Array.of(1)), { code: PrinterErrorCode.WriteFailed });
  t.ok(closed, 'an unplug mid-write closes the link so the driver reconnects');
  const bad = fakeUsb({ withIn: false }).dev;
  (bad as { configuration: unknown }).configuration = { interfaces: [] };
  await t.rejects(usbLink({ vendorId: 1, productId: 2, find: async () => bad })(), { code: PrinterErrorCode.OpenFailed });
});

t.test('usb link with the real usb module: an absent device is NotFound (or OpenFailed without a USB stack)', async (t) => {
  const err = await usbLink({ vendorId: 0xdead, productId: 0xbeef })().then(
    () => undefined,
    (e: unknown) => e as { code: string },
  );
  t.ok(err && [PrinterErrorCode.NotFound, PrinterErrorCode.OpenFailed].includes(err.code as never), String(err?.code));
});
