/**
 * Serial printers (`/dev/ttyUSB*`, `/dev/ttyS*`, Bluetooth SPP `/dev/rfcomm*`). Real-time
 * status works best on these links (reference B7).
 */
import { SerialPort } from 'serialport';
import { PrinterError, PrinterErrorCode } from './errors.js';
import { LinkEvents, type OpenLink } from './link.js';

export interface SerialLinkOptions {
  path: string;
  /** Default 9600 8N1, the factory setting of most thermal printers. */
  baudRate?: number;
  /** Hardware flow control; printers drop bytes on overflow without it (ESC-POS-.NET #227). */
  rtscts?: boolean;
}

export function serialLink(opts: SerialLinkOptions): OpenLink {
  return async () => {
    const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 9600, rtscts: opts.rtscts ?? false, autoOpen: false });
    await new Promise<void>((res, rej) =>
      port.open((err) => (err ? rej(new PrinterError(PrinterErrorCode.OpenFailed, `open ${opts.path}: ${err.message}`, { path: opts.path }, { cause: err })) : res())),
    );
    const ev = new LinkEvents();
    port.on('data', (c: Buffer) => ev.data(new Uint8Array(c.buffer, c.byteOffset, c.length)));
    port.on('error', (err: Error) => ev.close(err));
    port.on('close', () => ev.close(new PrinterError(PrinterErrorCode.Closed, `${opts.path} closed`)));
    return {
      kind: 'serial',
      address: opts.path,
      canRead: true,
      write: (bytes) =>
        new Promise<void>((res, rej) => {
          if (ev.closed) return rej(new PrinterError(PrinterErrorCode.Closed, `${opts.path} is closed`));
          port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
          // drain = handed to the OS; the printer paces us with RTS/CTS if enabled.
          port.drain((err) => (err ? rej(new PrinterError(PrinterErrorCode.WriteFailed, err.message, { path: opts.path }, { cause: err })) : res()));
        }),
      onData: (cb) => ev.onData(cb),
      onClose: (cb) => ev.onClose(cb),
      close: () =>
        new Promise<void>((res) => {
          ev.close();
          if (!port.isOpen) return res();
          // A vanished device (dead pty, yanked adapter) may never call back.
          const t = setTimeout(res, 1000);
          port.close(() => {
            clearTimeout(t);
            res();
          });
        }),
    };
  };
}
