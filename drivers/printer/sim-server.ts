/**
 * Puts a PrinterSimulator on a real transport: a TCP listener (port 9100 by default, one
 * session per connection, as a JetDirect printer) or one end of a pty pair made by
 * `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, opened with the real serialport bindings.
 */
import net from 'node:net';
import { SerialPort } from 'serialport';
import { keepPngs } from './sim-png.js';
import { PrinterSimulator, type SimState } from './simulator.js';

export interface SimServer {
  /** The bound TCP port, or 0 for a pty. */
  port: number;
  /** Drops every open connection, keeping the listener: a printer power-cycling. */
  drop(): void;
  close(): Promise<void>;
}

export function serveTcp(sim: PrinterSimulator, opts: { port?: number; host?: string } = {}): Promise<SimServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    const session = sim.connect((bytes) => {
      if (!sock.destroyed) sock.write(bytes);
    });
    sock.on('data', (c: Buffer) => session.receive(new Uint8Array(c.buffer, c.byteOffset, c.length)));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      session.close();
      sockets.delete(sock);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9100, opts.host ?? '127.0.0.1', () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        drop: () => {
          for (const s of sockets) s.destroy();
        },
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}


export async function servePty(sim: PrinterSimulator, path: string, baudRate = 9600): Promise<SimServer> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((err) => (err ? rej(err) : res())));
  const session = sim.connect((bytes) => {
    if (port.isOpen) port.write(Buffer.from(bytes));
  });
  port.on('data', (c: Buffer) => session.receive(new Uint8Array(c.buffer, c.byteOffset, c.length)));
  port.on('error', () => undefined);
  return {
    port: 0,
    drop: () => undefined,
    close: () =>
      new Promise<void>((res) => {
        session.close();
        if (!port.isOpen) return res();
        const t = setTimeout(res, 1000);
        port.close(() => {
          clearTimeout(t);
          res();
        });
      }),
  };
}

/**
 * A simulated printer on TCP for the demo and the technician's dry runs, keeping a PNG of
 * every cut page in `pngDir` when given.
 */
export async function startSimulatedPrinter(opts: {
  port?: number;
  host?: string;
  paper?: 58 | 80;
  pngDir?: string;
  state?: Partial<SimState>;
}): Promise<{ sim: PrinterSimulator; server: SimServer; close(): Promise<void> }> {
  const sim = new PrinterSimulator(opts.state ? { state: opts.state } : {});
  const unkeep = opts.pngDir ? keepPngs(sim, opts.pngDir, opts.paper === 80 ? 576 : 384) : () => undefined;
  const server = await serveTcp(sim, { port: opts.port ?? 9100, host: opts.host ?? '127.0.0.1' });
  return {
    sim,
    server,
    close: async () => {
      unkeep();
      await server.close();
    },
  };
}
