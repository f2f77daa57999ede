/**
 * The embedded broker (DESIGN §7): aedes in-process, for the demo, tests and a single-machine
 * pilot. The fleet still reaches it over TCP like any other broker, so nothing else in the fleet
 * knows it is embedded.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from './log.js';

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  broker: Aedes;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: { host?: string; port?: number; log?: Logger }): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      broker.close();
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`cannot start the embedded broker: ${host}:${opts.port ?? 1883} is already in use`)
          : new Error(`cannot start the embedded broker on ${host}:${opts.port ?? 1883}: ${err.message}`),
      );
    });
    server.listen(opts.port ?? 1883, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 1883);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  opts.log?.info({ host, port }, 'embedded broker listening');
  broker.on('clientError', (client, err) => opts.log?.debug({ client: client.id, error: err.message }, 'client error'));
  return {
    host,
    port,
    url: `mqtt://${urlHost}:${port}`,
    broker,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
