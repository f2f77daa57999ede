/**
 * Raw USB printer class through `usb` (3.x, the nusb-based WebUSB-style API): find interface
 * class 7, detach usblp if it is bound, claim, write bulk OUT, poll bulk IN for status when
 * the interface has one (reference B7; node-escpos usb-adapter L69-146 for the v2 API).
 * On a Pi, non-root access needs a udev rule (LIBUSB_ERROR_ACCESS, node-escpos/driver#95).
 */
import { PrinterError, PrinterErrorCode } from './errors.js';
import { LinkEvents, type OpenLink } from './link.js';

/** The part of `usb`'s UsbDevice this link uses, so tests can hand in a fake. */
export interface UsbPrinterDevice {
  vendorId: number;
  productId: number;
  readonly opened: boolean;
  readonly configuration: { interfaces: { interfaceNumber: number; alternate: { interfaceClass: number; endpoints: { endpointNumber: number; direction: 'in' | 'out'; type: string; packetSize: number }[] } }[] } | null;
  open(): Promise<void>;
  close(): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface(n: number): Promise<void>;
  detachKernelDriver(n: number): Promise<void>;
  nativeTransferOut(endpoint: number, timeoutMs: number, data: Uint8Array): Promise<number>;
  nativeTransferIn(endpoint: number, timeoutMs: number, length: number): Promise<Uint8Array | null>;
}

export interface UsbLinkOptions {
  vendorId: number;
  productId: number;
  /** Per-transfer timeout, ms. Default 5000; cheap units stall mid-image (python-escpos#628). */
  timeoutMs?: number;
  /** Bulk IN poll period, ms. Default 100. */
  readPollMs?: number;
  /** Override device lookup (tests). */
  find?: (vid: number, pid: number) => Promise<UsbPrinterDevice | undefined>;
}

const PRINTER_CLASS = 7;

export function usbLink(opts: UsbLinkOptions): OpenLink {
  const address = `usb:${opts.vendorId.toString(16).padStart(4, '0')}:${opts.productId.toString(16).padStart(4, '0')}`;
  const find: (v: number, p: number) => Promise<UsbPrinterDevice | undefined> =
    opts.find ??
    (async (v, p) => {
      // Loaded on first use: a kiosk printing over TCP or lp never needs the native USB module.
      // usb's own device type extends the DOM's WebUSB USBDevice, absent from this project's libs.
      const mod = (await import('usb')) as unknown as { usb: { findDeviceByIds(v: number, p: number): Promise<unknown> } };
      return (await mod.usb.findDeviceByIds(v, p)) as UsbPrinterDevice | undefined;
    });
  const timeout = opts.timeoutMs ?? 5000;
  return async () => {
    let dev: UsbPrinterDevice | undefined;
    try {
      dev = await find(opts.vendorId, opts.productId);
    } catch (err) {
      // No USB stack, no permission on /dev/bus/usb, or the native module missing.
      throw new PrinterError(PrinterErrorCode.OpenFailed, `USB lookup ${address}: ${(err as Error).message}`, { address }, { cause: err });
    }
    if (!dev) throw new PrinterError(PrinterErrorCode.NotFound, `no USB device ${address}`, { address });
    try {
      if (!dev.opened) await dev.open();
      const iface = dev.configuration?.interfaces.find((i) => i.alternate.interfaceClass === PRINTER_CLASS);
      if (!iface) throw new Error('no printer-class interface (class 7)');
      const n = iface.interfaceNumber;
      // usblp may or may not be bound; detaching an unbound interface fails harmlessly.
      await dev.detachKernelDriver(n).catch(() => undefined);
      await dev.claimInterface(n);
      const eps = iface.alternate.endpoints.filter((e) => e.type === 'bulk');
      const out = eps.find((e) => e.direction === 'out');
      const inp = eps.find((e) => e.direction === 'in');
      if (!out) throw new Error('printer interface has no bulk OUT endpoint');
      const ev = new LinkEvents();
      let reading = inp !== undefined;
      const readLoop = async (): Promise<void> => {
        while (reading && inp) {
          try {
            const got = await dev.nativeTransferIn(inp.endpointNumber, opts.readPollMs ?? 100, inp.packetSize || 64);
            if (got && got.length > 0) ev.data(Uint8Array.from(got));
          } catch (err) {
            // A timeout just means nothing to read; anything else means the device went away.
            if (!/timed? ?out/i.test((err as Error).message)) {
              reading = false;
              ev.close(err as Error);
            }
          }
        }
      };
      void readLoop();
      return {
        kind: 'usb',
        address,
        canRead: inp !== undefined,
        write: async (bytes) => {
          if (ev.closed) throw new PrinterError(PrinterErrorCode.Closed, `${address} is closed`);
          try {
            // One bulk transfer per 4 KiB so a stalled unit times out on a small piece (ref B9).
            for (let off = 0; off < bytes.length; off += 4096) {
              await dev.nativeTransferOut(out.endpointNumber, timeout, bytes.subarray(off, off + 4096));
            }
          } catch (err) {
            reading = false;
            ev.close(err as Error);
            throw new PrinterError(PrinterErrorCode.WriteFailed, `USB write ${address}: ${(err as Error).message}`, { address }, { cause: err });
          }
        },
        onData: (cb) => ev.onData(cb),
        onClose: (cb) => ev.onClose(cb),
        close: async () => {
          reading = false;
          ev.close();
          await dev.releaseInterface(n).catch(() => undefined);
          await dev.close().catch(() => undefined);
        },
      };
    } catch (err) {
      if (err instanceof PrinterError) throw err;
      await dev.close().catch(() => undefined);
      throw new PrinterError(PrinterErrorCode.OpenFailed, `open ${address}: ${(err as Error).message}`, { address }, { cause: err });
    }
  };
}
