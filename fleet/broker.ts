/**
 * The embedded broker (DESIGN §7): aedes in-process, for the demo, tests and a single-machine
 * pilot. The fleet still reaches it over TCP like any other broker, so nothing else in the fleet
 * knows it is embedded. Unless told otherwise it enforces the per-kiosk ACL a production broker
 * has (broker-acl.ts), and logs and counts what it refuses.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { brokerAcl, type Refusal } from './broker-acl.js';
import type { Logger } from './log.js';

export interface BrokerRefusals {
  publish: number;
  subscribe: number;
}

export interface EmbeddedBrokerOptions {
  host?: string;
  port?: number;
  log?: Logger;
  /** Enforce the per-kiosk ACL (default true); false gives an open broker, for tests that play several parts. */
  acl?: boolean;
}

/** A refusal is logged the first time for a client and then every this many times, so a kiosk that retries does not flood the log. */
export const REFUSAL_LOG_EVERY = 100;

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  broker: Aedes;
  /** Publishes and subscriptions the ACL refused since start. */
  readonly refused: Readonly<BrokerRefusals>;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const refused: BrokerRefusals = { publish: 0, subscribe: 0 };
  const perClient = new Map<string, number>();
  const onRefused = (r: Refusal): void => {
    refused[r.kind]++;
    const n = (perClient.get(r.clientId) ?? 0) + 1;
    if (perClient.size > 10_000) perClient.clear(); // bounded: ids are chosen by clients
    perClient.set(r.clientId, n);
    if (n === 1 || n % REFUSAL_LOG_EVERY === 0) {
      opts.log?.warn({ client: r.clientId, topic: r.topic.slice(0, 200), refusals: n }, `${r.kind} refused by the kiosk ACL`);
    }
  };
  const broker = await Aedes.createBroker(opts.acl === false ? {} : brokerAcl(onRefused));
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
    refused,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
