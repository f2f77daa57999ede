/**
 * The kernel usblp device file (`/dev/usb/lp0`). Plain write() always works; read() only on
 * bidirectional interfaces (protocol 2 with a bulk IN), and the LPGETSTATUS ioctl gives the
 * 1284 port byte, not ESC/POS status (reference B7). python-escpos users found this path
 * printed images where libusb did not (python-escpos#325), so it is the default USB route.
 *
 * Writes go through a blocking handle. With `bidirectional`, a second O_NONBLOCK handle is
 * polled for replies, so a printer that never answers never pins a libuv thread in read().
 */
import { constants, promises as fsp } from 'node:fs';
import { PrinterError, PrinterErrorCode } from './errors.js';
import { LinkEvents, type OpenLink } from './link.js';

export interface LpLinkOptions {
  /** Default `/dev/usb/lp0`; prefer a udev symlink such as `/dev/printer-receipt`. */
  path?: string;
  /** Poll the device for status replies. Default false (many clones have no bulk IN). */
  bidirectional?: boolean;
  /** Read poll period, ms. Default 50. */
  readPollMs?: number;
}

export function lpLink(opts: LpLinkOptions = {}): OpenLink {
  const path = opts.path ?? '/dev/usb/lp0';
  return async () => {
    let wh: fsp.FileHandle;
    try {
      wh = await fsp.open(path, constants.O_WRONLY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? PrinterErrorCode.NotFound : PrinterErrorCode.OpenFailed;
      throw new PrinterError(code, `open ${path}: ${(err as Error).message}`, { path }, { cause: err });
    }
    const ev = new LinkEvents();
    let rh: fsp.FileHandle | undefined;
    let poll: NodeJS.Timeout | undefined;
    if (opts.bidirectional) {
      rh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
      const buf = Buffer.alloc(64);
      let busy = false;
      poll = setInterval(() => {
        if (busy || !rh) return;
        busy = true;
        rh.read(buf, 0, buf.length, null)
          .then(({ bytesRead }) => {
            if (bytesRead > 0) ev.data(Uint8Array.from(buf.subarray(0, bytesRead)));
          })
          .catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'EAGAIN') ev.close(err);
          })
          .finally(() => (busy = false));
      }, opts.readPollMs ?? 50);
      poll.unref();
    }
    const shut = async (): Promise<void> => {
      if (poll) clearInterval(poll);
      await Promise.allSettled([wh.close(), rh?.close()]);
    };
    return {
      kind: 'lp',
      address: path,
      canRead: rh !== undefined,
      write: async (bytes) => {
        if (ev.closed) throw new PrinterError(PrinterErrorCode.Closed, `${path} is closed`);
        try {
          let off = 0;
          while (off < bytes.length) off += (await wh.write(bytes, off, bytes.length - off)).bytesWritten;
        } catch (err) {
          // ENODEV/EIO: the printer was unplugged under us.
          ev.close(err as Error);
          await shut();
          throw new PrinterError(PrinterErrorCode.WriteFailed, `write ${path}: ${(err as Error).message}`, { path }, { cause: err });
        }
      },
      onData: (cb) => ev.onData(cb),
      onClose: (cb) => ev.onClose(cb),
      close: async () => {
        ev.close();
        await shut();
      },
    };
  };
}
