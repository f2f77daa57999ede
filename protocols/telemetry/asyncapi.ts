/**
 * The contract as documents a central team can build against without reading TypeScript:
 * JSON Schema for each channel payload (zod 4's `z.toJSONSchema`) and an AsyncAPI 3.0 document
 * describing the topic tree of DESIGN §5. Pure: `scripts/gen-contract.ts` writes the files and
 * a test fails when the committed copies differ from what this function produces.
 *
 * Choices, with their reasons:
 * - `io: 'input'`: zod objects strip unknown keys when parsing instead of refusing them, so the
 *   JSON Schema must not say `additionalProperties: false`; otherwise a consumer validating with
 *   JSON Schema would refuse a message from a newer agent that this contract's zod accepts.
 * - The AsyncAPI payloads use JSON Schema draft-07, the dialect AsyncAPI 3.0's default schema
 *   format (the AsyncAPI Schema object) is a superset of; the standalone files use zod's default,
 *   draft 2020-12, for validators such as Ajv2020 or Python's jsonschema.
 * - zod refinements do not survive the conversion, so the one the contract relies on (an event of
 *   a type this version knows must match that type's schema, not the open `Event_other` branch) is
 *   restated as a `not`/`enum` on `Event_other.type`.
 */
import { z } from 'zod';
import { KNOWN_EVENTS } from './events.js';
import { CHANNEL_SCHEMAS } from './index.js';
import { CONTRACT_VERSION } from './meta.js';
import { type Channel, CHANNEL_FLAGS, DOWN_CHANNELS, TOPIC_ROOT, UP_CHANNELS } from './topics.js';

type Json = Record<string, unknown>;

/** The version of the AsyncAPI MQTT bindings used below (asyncapi/bindings, mqtt/README.md). */
const MQTT_BINDING_VERSION = '0.2.0';

const META_DESCRIPTION = [
  'Every upward message carries the same meta fields:',
  '',
  '- `v`: contract version (this document describes version ' + String(CONTRACT_VERSION) + ').',
  '- `ts`: the kiosk\'s wall-clock time, ms since the Unix epoch.',
  '- `mono`: monotonic time, ms since the kiosk booted; never goes backwards within a boot.',
  '- `boot`: the boot id (`/proc/sys/kernel/random/boot_id`), new at every boot.',
  '- `synced`: whether the wall clock was trusted when `ts` was taken. A Raspberry Pi has no ' +
    'real-time clock, so after a boot without network `ts` may be hours or days off. Once a message ' +
    'with `synced: true` arrives from the same `boot`, earlier unsynced messages of that boot can be ' +
    're-dated as `ts_synced - (mono_synced - mono)`; otherwise use the time of receipt.',
  '- `seq`: a per-kiosk, per-channel sequence number that survives agent restarts.',
  '',
  'Delivery is at least once (QoS 1 from a durable outbox on the kiosk, replayed after reconnect ' +
    'and after restart), so a consumer will see duplicates: it must drop them by the triple ' +
    '(kiosk id, channel, seq). Within a channel a kiosk publishes in `seq` order.',
  '',
  'The kiosk id is the MQTT client id, the CN of the kiosk\'s client certificate and the third ' +
    'level of every topic, so a broker ACL pattern `kiosk/v1/%c/#` confines each kiosk to its own subtree.',
].join('\n');

const STATUS_DESCRIPTION = [
  'Birth and death of a kiosk\'s MQTT session, retained.',
  '',
  '- After every connect the agent publishes `state: online` (the birth) with `session`, a counter ' +
    'that grows by one per connection and survives restarts.',
  '- At connect it registers a last will on this same topic: `state: offline`, `reason: will`, carrying ' +
    'the same `session`. A clean shutdown publishes `state: offline`, `reason: shutdown` itself.',
  '- A consumer keeps the highest `session` seen per kiosk and ignores an `offline` whose `session` is ' +
    'lower than that of the latest `online`: a will the broker delivers late (after the kiosk has ' +
    'already reconnected) must never mark a live kiosk offline (the Sparkplug bdSeq rule).',
  '- The will, the birth and a shutdown notice of one session each take their own `seq`, so deduplicating ' +
    'by (kiosk id, channel, seq) never mistakes one for another; order them by `session`, not by `seq`: ' +
    'the will is numbered when it is registered, before the birth.',
  '- A will\'s `ts` and `mono` are those of the connect at which it was registered, not of the loss of the ' +
    'connection: take the time of receipt as the time the kiosk went offline (as Sparkplug does for its death certificate).',
].join('\n');

const CHANNEL_TEXT: Record<Channel, { title: string; description: string }> = {
  status: { title: 'Status (birth and last will)', description: STATUS_DESCRIPTION },
  heartbeat: {
    title: 'Heartbeat',
    description:
      'Sent every `heartbeatSec` seconds (announced in the birth; 60 s by default): uptime, outbox depth ' +
      'and a one-line device summary. A kiosk that misses several heartbeats in a row is presumed offline ' +
      'even without a will (the fleet monitor uses three intervals by default).',
  },
  state: {
    title: 'State snapshot',
    description:
      'The full picture of the kiosk, retained, sent whenever anything in it changes: agent, configuration ' +
      'version, clock quality, outbox, device health. Sections are open objects: later contract versions add ' +
      'fields, and a consumer must ignore fields it does not know.',
  },
  events: {
    title: 'Events',
    description:
      'Typed events (`type` is dotted lower-case, e.g. `power.lost`). The union is open: an event of a type ' +
      'this contract version defines must carry the data of that type; an event of another well-formed type ' +
      'is valid with free-form `data`, so a consumer built against this version still stores the events of ' +
      'a newer agent. Events are never dropped by the kiosk, even when its outbox is full.',
  },
  transactions: {
    title: 'Transactions',
    description:
      'Each ledger entry, for reconciliation: `entry` `transaction` (a service at the counter: charge, official ' +
      'rate, commission, operator, receipt number, status and its effect on the e-wallet) or `wallet` (a top-up, ' +
      'a credit from central, an adjustment to central\'s balance). Money is integer paise; every entry carries the ' +
      'balance after it. Never dropped by the kiosk; deduplicate by `txnId` / `movementId`.',
  },
  captures: {
    title: 'Captures',
    description:
      'Sealed e-KYC captures (envelope version `env` 1). In clear: capture id (a UUID kept across resends: the ' +
      'idempotency key), kiosk, capture time, modality and service code. `seal` holds the citizen reference, ' +
      'the consent record and the RD service PidData, sealed to central\'s X25519 key (`kid`): an ephemeral ' +
      'X25519 key `epk`, HKDF-SHA256 (salt = epk ‖ central public key, info "kiosk-agent capture seal v1"), ' +
      'AES-256-GCM with the associated data `["kiosk-agent/capture/v1", kid, kiosk, captureId, capturedAt]` as JSON. ' +
      'The receiver refuses an envelope whose `kiosk` differs from the topic kiosk id or whose associated data ' +
      'does not authenticate. A capture older than the kiosk\'s time to live (6 h by default) is deleted unsent ' +
      'and reported as a `capture.expired` event.',
  },
  'job-status': {
    title: 'Job status',
    description:
      'Per job id: `accepted` when recorded, then `succeeded` or `failed` (with `result` or `code`/`reason`); ' +
      '`rejected` for an unknown type, invalid parameters, a key outside the config allow-list or a second copy ' +
      'of a job (code `duplicate`, with `previous`), `expired` for a job that arrived after its `expiresTs`.',
  },
  'capture-results': {
    title: 'Capture results',
    description:
      'Central\'s answer per capture id: `accepted`, `rejected` (with `code` and `reason`) or `duplicate` (a ' +
      'resend of a capture already decided; `original` carries the first outcome). The kiosk applies each result ' +
      'once: an accepted capture records the e-KYC transaction and prints the acknowledgement.',
  },
  jobs: {
    title: 'Jobs',
    description:
      'Commands from central: id (the idempotency key), type, params, expiresTs. Types: wallet.credit, ' +
      'wallet.sync, print.test, diagnostics, config.set, state.republish. A job runs at most once per id; ' +
      'each gets its statuses on job-status. Expiry is judged on the kiosk clock when it is trusted, otherwise ' +
      'against the job\'s own `ts`.',
  },
};

/** `job-status` → `JobStatus`, for operation ids. */
function pascal(channel: string): string {
  return channel
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Restates the refinement of `Event_other` that JSON Schema cannot express otherwise (see top). */
function patchDefinitions(defs: Json): void {
  const other = defs['Event_other'] as { properties?: { type?: Json } } | undefined;
  if (other?.properties?.type) {
    other.properties.type['not'] = { enum: Object.keys(KNOWN_EVENTS) };
    other.properties.type['description'] =
      'An event type newer than this contract version: any dotted lower-case name except those defined here';
  }
}

/** Rewrites every `$ref` under `node` from `from` + name to `to` + name. */
function rewriteRefs(node: unknown, from: string, to: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, from, to));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(from) ? to + v.slice(from.length) : rewriteRefs(v, from, to);
    }
    return out;
  }
  return node;
}

function channelSchemas(): [Channel, z.ZodType][] {
  return (Object.entries(CHANNEL_SCHEMAS) as [Channel, z.ZodType | undefined][]).filter(
    (e): e is [Channel, z.ZodType] => e[1] !== undefined,
  );
}

/** Standalone JSON Schema (draft 2020-12) of one channel payload. */
function standaloneSchema(channel: Channel, schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'input' }) as Json;
  const defs = (json['$defs'] ?? {}) as Json;
  patchDefinitions(defs);
  const { $schema, ...rest } = json;
  return {
    $schema,
    title: `${TOPIC_ROOT}/{kioskId}/${channel}`,
    description: `${CHANNEL_TEXT[channel].description}\n\n${META_DESCRIPTION}`,
    $comment: `Generated from protocols/telemetry (contract version ${CONTRACT_VERSION}) by \`make contract\`; do not edit.`,
    ...rest,
  };
}

/** The payload schemas of every channel as draft-07 definitions, keyed by their zod `id`. */
function componentSchemas(): { schemas: Json; rootOf: Partial<Record<Channel, string>> } {
  const schemas: Json = {};
  const rootOf: Partial<Record<Channel, string>> = {};
  for (const [channel, schema] of channelSchemas()) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) as Json;
    const defs = (json['definitions'] ?? {}) as Json;
    patchDefinitions(defs);
    const root = typeof json['$ref'] === 'string' ? json['$ref'].replace('#/definitions/', '') : undefined;
    if (!root) throw new Error(`schema of channel ${channel} has no id (add .meta({ id }))`);
    rootOf[channel] = root;
    for (const [id, def] of Object.entries(defs)) {
      const rewritten = rewriteRefs(def, '#/definitions/', '#/components/schemas/');
      if (id in schemas && JSON.stringify(schemas[id]) !== JSON.stringify(rewritten)) {
        throw new Error(`two different schemas share the id ${id}`);
      }
      schemas[id] = rewritten;
    }
  }
  return { schemas, rootOf };
}

function asyncApiDocument(): Json {
  const { schemas, rootOf } = componentSchemas();
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const all: { channel: Channel; action: 'send' | 'receive' }[] = [
    ...UP_CHANNELS.map((channel) => ({ channel, action: 'send' as const })),
    ...DOWN_CHANNELS.map((channel) => ({ channel, action: 'receive' as const })),
  ];
  for (const { channel, action } of all) {
    const text = CHANNEL_TEXT[channel];
    const flags = CHANNEL_FLAGS[channel];
    const root = rootOf[channel];
    const channelMessages: Json = {};
    if (root) {
      const schema = schemas[root] as Json;
      messages[root] = {
        name: root,
        title: typeof schema['title'] === 'string' ? schema['title'] : root,
        summary: `Payload of ${TOPIC_ROOT}/{kioskId}/${channel}`,
        description:
          action === 'send'
            ? 'Carries the meta fields (v, ts, mono, boot, synced, seq); duplicates are dropped by (kiosk id, channel, seq).'
            : 'Sent by central to one kiosk.',
        contentType: 'application/json',
        payload: { $ref: `#/components/schemas/${root}` },
        bindings: { mqtt: { payloadFormatIndicator: 1, bindingVersion: MQTT_BINDING_VERSION } },
      };
      channelMessages[root] = { $ref: `#/components/messages/${root}` };
    }
    channels[channel] = {
      address: `${TOPIC_ROOT}/{kioskId}/${channel}`,
      title: text.title,
      description:
        text.description +
        `\n\nQoS ${flags.qos}, ${flags.retain ? 'retained' : 'not retained'}; ` +
        (action === 'send' ? 'published by the kiosk.' : 'published by central, subscribed by the kiosk.'),
      parameters: { kioskId: { $ref: '#/components/parameters/kioskId' } },
      messages: channelMessages,
    };
    const operation: Json = {
      action,
      channel: { $ref: `#/channels/${channel}` },
      title: `${action === 'send' ? 'Publish' : 'Receive'} ${text.title.replace(/ \(.*\)$/, '').toLowerCase()}`,
      bindings: { mqtt: { qos: flags.qos, retain: flags.retain, bindingVersion: MQTT_BINDING_VERSION } },
    };
    if (root) operation['messages'] = [{ $ref: `#/channels/${channel}/messages/${root}` }];
    operations[`${action}${pascal(channel)}`] = operation;
  }
  return {
    asyncapi: '3.0.0',
    id: `urn:kiosk-agent:mqtt-contract:v${CONTRACT_VERSION}`,
    info: {
      title: 'kiosk-agent MQTT contract',
      version: String(CONTRACT_VERSION),
      description:
        'The one interface between a kiosk (the application this document describes, so `send` means the ' +
        'kiosk publishes) and central: topics, payloads, QoS and retain flags.\n\n' +
        META_DESCRIPTION,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      broker: {
        host: '{broker}',
        protocol: 'mqtts',
        description:
          'The fleet broker. Each kiosk authenticates with a client certificate whose CN is its kiosk id, ' +
          'which is also its MQTT client id. The last will, registered at every connect, is a StatusOffline ' +
          'message with reason "will" on the kiosk\'s status topic (see the status channel).',
        variables: { broker: { description: 'Host and port of the fleet broker', default: 'localhost:8883' } },
        bindings: {
          mqtt: {
            lastWill: { topic: `${TOPIC_ROOT}/{kioskId}/status`, qos: 1, retain: true },
            bindingVersion: MQTT_BINDING_VERSION,
          },
        },
      },
    },
    channels,
    operations,
    components: {
      parameters: {
        kioskId: {
          description:
            'The kiosk id: upper-case letters, digits and single hyphens, 3 to 32 characters ' +
            '(`^[A-Z0-9]+(?:-[A-Z0-9]+)*$`); the MQTT client id and certificate CN of the kiosk.',
          examples: ['RJ-JAI-0001', 'MP-BPL-7'],
        },
      },
      messages,
      schemas,
    },
  };
}

/**
 * The contract documents: `asyncapi` (an AsyncAPI 3.0 document) and `schemas`, the standalone
 * JSON Schema of each channel that has a payload schema in this contract version, keyed by channel.
 */
export function buildContractDocuments(): { asyncapi: object; schemas: Record<string, object> } {
  const schemas: Record<string, object> = {};
  for (const [channel, schema] of channelSchemas()) schemas[channel] = standaloneSchema(channel, schema);
  return { asyncapi: asyncApiDocument(), schemas };
}
