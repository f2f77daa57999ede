/**
 * The per-client ACL of the embedded broker, the rules a production broker enforces with its
 * pattern ACLs (DESIGN §5: kiosk id = MQTT client id = certificate CN; Mosquitto `pattern write
 * kiosk/v1/%c/<up channel>`, `pattern read kiosk/v1/%c/<down channel>`; claim.ts:
 * `provisioning/v1/%c/#`). The embedded broker does not authenticate, so the client id is taken
 * at its word: the rules keep a misconfigured or misbehaving kiosk inside its own topics, which
 * is what the fleet's own checks (the receiver's kiosk-against-topic test) rely on as well.
 *
 * - Central's clients (ids starting `kiosk-fleet`; no kiosk id can, kiosk ids are upper case):
 *   everything.
 * - A kiosk (its client id is its kiosk id): publishes only on its own upward channels and
 *   subscribes only to its own downward channels, each by exact topic.
 * - A claimant (`claim-…`, claim.ts): publishes only its own request and subscribes only to its
 *   own response.
 * - Any other client: nothing under `kiosk/` or `provisioning/`, neither way.
 */
import { mayPublish } from './captures/acl.js';
import { CLAIM_CLIENT_ID, PROVISIONING_ROOT, requestTopic, responseTopic } from '../protocols/telemetry/claim.js';
import { parseTopic } from '../protocols/telemetry/index.js';

/** The client id prefix of every fleet process (source, jobs, claims, captures). */
export const CENTRAL_PREFIX = 'kiosk-fleet';

/** `provisioning/`: everything of the enrollment tree, whatever its version. */
const PROVISIONING_TOP = `${PROVISIONING_ROOT.split('/')[0] ?? 'provisioning'}/`;

const isCentral = (clientId: string): boolean => clientId.startsWith(CENTRAL_PREFIX);
/** Filters that can match a contract topic: under either root, or starting with a wildcard. */
const reachesContract = (filter: string): boolean =>
  /^(?:[+#]|\$share\/)/.test(filter) || filter.startsWith('kiosk/') || filter.startsWith(PROVISIONING_TOP);

/** Whether `clientId` may publish on `topic` (the kiosk subtree rule is that of captures/acl.ts). */
export function brokerMayPublish(clientId: string, topic: string): boolean {
  if (isCentral(clientId)) return true;
  if (topic.startsWith(PROVISIONING_TOP)) {
    return CLAIM_CLIENT_ID.test(clientId) && topic === requestTopic(clientId);
  }
  return mayPublish(clientId, topic, CENTRAL_PREFIX);
}

/** Whether `clientId` may subscribe to `filter`. */
export function brokerMaySubscribe(clientId: string, filter: string): boolean {
  if (isCentral(clientId)) return true;
  if (CLAIM_CLIENT_ID.test(clientId)) return filter === responseTopic(clientId);
  const t = parseTopic(filter);
  if (t) return t.direction === 'down' && t.kioskId === clientId;
  return !reachesContract(filter);
}

export type Refusal = { kind: 'publish' | 'subscribe'; clientId: string; topic: string };

type Client = { id: string } | null;

/**
 * aedes' `authorizePublish` and `authorizeSubscribe` over the rules above. A refused publish closes
 * the connection (aedes' only way for MQTT 3.1.1, which has no negative PUBACK: MQTT-3.3.5-2); a
 * refused subscription is granted as failure (0x80) and the connection stays. A will published for
 * a client already gone (`client` null) is the broker's own doing and passes.
 */
export function brokerAcl(onRefused: (r: Refusal) => void): {
  authorizePublish: (client: Client, packet: { topic: string }, callback: (err?: Error | null) => void) => void;
  authorizeSubscribe: <S extends { topic: string }>(client: Client, sub: S, callback: (err: Error | null, sub?: S | null) => void) => void;
} {
  return {
    authorizePublish: (client, packet, callback) => {
      if (!client || brokerMayPublish(client.id, packet.topic)) return callback(null);
      onRefused({ kind: 'publish', clientId: client.id, topic: packet.topic });
      callback(new Error(`client ${client.id} may not publish on ${packet.topic}`));
    },
    authorizeSubscribe: (client, sub, callback) => {
      if (!client || brokerMaySubscribe(client.id, sub.topic)) return callback(null, sub);
      onRefused({ kind: 'subscribe', clientId: client.id, topic: sub.topic });
      callback(null, null);
    },
  };
}
