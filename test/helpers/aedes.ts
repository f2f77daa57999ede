/**
 * An embedded aedes broker on a free loopback port, for tests that need a real broker: the
 * product's own starter (fleet/broker.ts) without its kiosk ACL, since a test plays several parts
 * (a subscriber reading every kiosk, a kiosk under a made-up id).
 */
import type { Aedes } from 'aedes';
import { startEmbeddedBroker } from '../../fleet/broker.js';

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

type Clients = Record<string, { close(): void; conn: { destroy(): void } } | undefined>;

export async function startAedes(port = 0): Promise<TestBroker> {
  const embedded = await startEmbeddedBroker({ host: '127.0.0.1', port, acl: false });
  const clients = (): Clients => (embedded.broker as unknown as { clients: Clients }).clients;
  return {
    broker: embedded.broker,
    port: embedded.port,
    url: embedded.url,
    dropClients: () => {
      for (const client of Object.values(clients())) client?.conn.destroy();
    },
    dropClient: (clientId) => {
      const client = clients()[clientId];
      client?.close();
      return Boolean(client);
    },
    close: () => embedded.close(),
  };
}
