/**
 * The MQTT topic tree of DESIGN §5. Everything a kiosk says or hears sits under
 * `kiosk/v1/<id>/`, so one broker ACL pattern (`kiosk/v1/%c/#`) confines each kiosk to its own
 * subtree, and the version level lets a v2 contract run beside v1 during a fleet upgrade.
 */
import { isKioskId } from './ids.js';

export const TOPIC_ROOT = 'kiosk/v1';

/** Kiosk → central. */
export const UP_CHANNELS = [
  'status',
  'heartbeat',
  'state',
  'events',
  'transactions',
  'captures',
  'job-status',
] as const;
/** Central → kiosk. */
export const DOWN_CHANNELS = ['capture-results', 'jobs'] as const;

export type UpChannel = (typeof UP_CHANNELS)[number];
export type DownChannel = (typeof DOWN_CHANNELS)[number];
export type Channel = UpChannel | DownChannel;

/** QoS and retain flag per channel, as the contract fixes them. */
export const CHANNEL_FLAGS: Record<Channel, { qos: 1; retain: boolean }> = {
  status: { qos: 1, retain: true },
  heartbeat: { qos: 1, retain: false },
  state: { qos: 1, retain: true },
  events: { qos: 1, retain: false },
  transactions: { qos: 1, retain: false },
  captures: { qos: 1, retain: false },
  'job-status': { qos: 1, retain: false },
  'capture-results': { qos: 1, retain: false },
  jobs: { qos: 1, retain: false },
};

export function topicFor(kioskId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${kioskId}/${channel}`;
}

/** Everything every kiosk sends: what the fleet subscribes to. */
export const FLEET_UP_FILTER = `${TOPIC_ROOT}/+/+`;

export interface ParsedTopic {
  kioskId: string;
  channel: Channel;
  direction: 'up' | 'down';
}

const ALL = new Map<string, 'up' | 'down'>([
  ...UP_CHANNELS.map((c) => [c, 'up'] as const),
  ...DOWN_CHANNELS.map((c) => [c, 'down'] as const),
]);

/** Splits a topic of the tree; `undefined` for anything outside the contract. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const kioskId = parts[2] ?? '';
  const channel = parts[3] ?? '';
  const direction = ALL.get(channel);
  if (!direction || !isKioskId(kioskId)) return undefined;
  return { kioskId, channel: channel as Channel, direction };
}
