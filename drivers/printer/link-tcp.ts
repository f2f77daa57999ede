/**
 * Raw TCP (port 9100, "JetDirect"): bidirectional, so DLE EOT / ASB replies come back on the
 * same socket (reference B7).
 */
import net from 'node:net';
import { PrinterError, PrinterErrorCode } from './errors.js';
import { LinkEvents, type OpenLink, type PrinterLink } from './link.js';

export interface TcpLinkOptions {
  host: string;
  /** Default 9100. */
  port?: number;
  /** Connect timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
}

export function tcpLink(opts: TcpLinkOptions): OpenLink {
  const port = opts.port ?? 9100;
  const address = `${opts.host}:${port}`;
  return () =>
    new Promise<PrinterLink>((resolve, reject) => {
      const sock = net.connect({ host: opts.host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new PrinterError(PrinterErrorCode.OpenFailed, `connect to ${address} timed out`, { address }));
      }, opts.connectTimeoutMs ?? 5000);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new PrinterError(PrinterErrorCode.OpenFailed, `connect to ${address}: ${err.message}`, { address }, { cause: err }));
      };
      sock.once('error', fail);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.off('error', fail);
        const ev = new LinkEvents();
        sock.on('data', (c: Buffer) => ev.data(new Uint8Array(c.buffer, c.byteOffset, c.length)));
        sock.on('error', (err) => ev.close(err));
        sock.on('close', () => ev.close(new PrinterError(PrinterErrorCode.Closed, `${address} closed the connection`)));
        resolve({
          kind: 'tcp',
          address,
          canRead: true,
          write: (bytes) =>
            new Promise<void>((res, rej) => {
              if (ev.closed || sock.destroyed) {
                rej(new PrinterError(PrinterErrorCode.Closed, `${address} is closed`));
                return;
              }
              sock.write(bytes, (err) => (err ? rej(new PrinterError(PrinterErrorCode.WriteFailed, err.message, { address }, { cause: err })) : res()));
            }),
          onData: (cb) => ev.onData(cb),
          onClose: (cb) => ev.onClose(cb),
          close: () =>
            new Promise<void>((res) => {
              ev.close();
              if (sock.destroyed) return res();
              sock.once('close', () => res());
              sock.end();
              // A peer that vanished never acknowledges the FIN: do not wait for it.
              setTimeout(() => sock.destroy(), 1000).unref();
            }),
        });
      });
    });
}
