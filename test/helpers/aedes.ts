/** An embedded aedes broker on a free loopback port, for tests that need a real broker. */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  broker: Aedes;
  port: number;
  url: string;
  /** Drops every client connection (the broker stays up): a network cut as clients see it. */
  dropClients(): void;
  /** Drops one client's connection, as an unclean disconnect (its will is published). */
  dropClient(clientId: string): boolean;
  close(): Promise<void>;
}

export async function startAedes(port = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    broker,
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    dropClients: () => {
      for (const s of sockets) s.destroy();
    },
    dropClient: (clientId) => {
      const client = (broker as unknown as { clients: Record<string, { close(): void } | undefined> }).clients[clientId];
      client?.close();
      return Boolean(client);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
