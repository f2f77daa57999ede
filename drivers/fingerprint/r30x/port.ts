/**
 * The byte pipe the R30x driver talks through. Production opens a real serial device with
 * `serialport`; tests can hand in anything with the same three operations (an in-memory pair or
 * a pty). The driver never opens the port itself: it calls the injected `OpenPort`.
 */
import { SerialPort } from 'serialport';

export interface R30xPort {
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Called once when the port goes away (unplug, read error or close()). */
  onClose(cb: (err?: Error) => void): void;
}

export type OpenPort = (path: string, baudRate: number) => Promise<R30xPort>;

/** Opens a serial device: 8N1, no flow control (reference A1). */
export const openSerialPort: OpenPort = async (path, baudRate) => {
  const port = new SerialPort({ path, baudRate, dataBits: 8, stopBits: 1, parity: 'none', autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const closeCbs: ((err?: Error) => void)[] = [];
  let closed = false;
  const fireClose = (err?: Error): void => {
    if (closed) return;
    closed = true;
    for (const cb of closeCbs) cb(err);
  };
  port.on('close', (err?: Error) => fireClose(err ?? undefined));
  // A read or write error on a serial device means it is gone or unusable: treat it as an unplug.
  port.on('error', (err: Error) => {
    if (port.isOpen) port.close(() => fireClose(err));
    else fireClose(err);
  });
  return {
    write: (bytes) => {
      if (!closed) port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) {
          fireClose();
          resolve();
          return;
        }
        port.close(() => {
          fireClose();
          resolve();
        });
      }),
    onData: (cb) => port.on('data', (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    onClose: (cb) => closeCbs.push(cb),
  };
};
