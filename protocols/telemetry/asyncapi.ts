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
 * - zod writes `startsWith`/`endsWith`/`includes` as a `pattern` plus a `format` of its own naming
 *   (`starts_with`, ...) that is no JSON Schema format; a strict validator refuses unknown formats,
 *   so the `format` is dropped and the `pattern` carries the rule.
 * - The enrollment channels (claim.ts) sit outside the kiosk subtree, under `provisioning/v1/{clientId}`,
 *   and carry no meta fields: a claimant has no kiosk identity, boot record or sequence yet.
 */
import { z } from 'zod';
import { CHANNEL_TEXT, CLAIM_TEXT, META_DESCRIPTION } from './asyncapi-text.js';
import { CLAIM_CHANNELS, CLAIM_CLIENT_ID, type ClaimChannel, ClaimRequest, ClaimResponse, PROVISIONING_ROOT } from './claim.js';
import { KNOWN_EVENTS } from './events.js';
import { CHANNEL_SCHEMAS } from './index.js';
import { CONTRACT_VERSION } from './meta.js';
import { type Channel, CHANNEL_FLAGS, DOWN_CHANNELS, TOPIC_ROOT, UP_CHANNELS } from './topics.js';

type Json = Record<string, unknown>;

/** The version of the AsyncAPI MQTT bindings used below (asyncapi/bindings, mqtt/README.md). */
const MQTT_BINDING_VERSION = '0.2.0';

/** One channel of the documents: a kiosk channel or an enrollment channel. */
interface ChannelDoc {
  /** Key in `channels`, base of the operation id and of the standalone schema's file name. */
  name: string;
  address: string;
  parameter: 'kioskId' | 'clientId';
  action: 'send' | 'receive';
  flags: { qos: 1; retain: boolean };
  title: string;
  description: string;
  /** What the message description says about the payload. */
  message: string;
  schema: z.ZodType | undefined;
}

function channelDocs(): ChannelDoc[] {
  const kiosk = [
    ...UP_CHANNELS.map((channel) => ({ channel, action: 'send' as const })),
    ...DOWN_CHANNELS.map((channel) => ({ channel, action: 'receive' as const })),
  ].map(({ channel, action }: { channel: Channel; action: 'send' | 'receive' }): ChannelDoc => ({
    name: channel,
    address: `${TOPIC_ROOT}/{kioskId}/${channel}`,
    parameter: 'kioskId',
    action,
    flags: CHANNEL_FLAGS[channel],
    ...CHANNEL_TEXT[channel],
    message:
      action === 'send'
        ? 'Carries the meta fields (v, ts, mono, boot, synced, seq); duplicates are dropped by (kiosk id, channel, seq).'
        : 'Sent by central to one kiosk.',
    schema: CHANNEL_SCHEMAS[channel],
  }));
  const claimSchemas: Record<ClaimChannel, z.ZodType> = { 'claim-request': ClaimRequest, 'claim-response': ClaimResponse };
  const claim = (Object.keys(CLAIM_CHANNELS) as ClaimChannel[]).map((name): ChannelDoc => {
    const c = CLAIM_CHANNELS[name];
    return {
      name,
      address: `${PROVISIONING_ROOT}/{clientId}/${c.suffix}`,
      parameter: 'clientId',
      action: c.direction === 'up' ? 'send' : 'receive',
      flags: { qos: c.qos, retain: c.retain },
      title: CLAIM_TEXT[name].title,
      description: CLAIM_TEXT[name].description,
      message: CLAIM_TEXT[name].message,
      schema: claimSchemas[name],
    };
  });
  return [...kiosk, ...claim];
}

/** zod's own string formats for which it also writes the equivalent `pattern` (see top). */
const ZOD_ONLY_FORMATS = new Set(['starts_with', 'ends_with', 'includes']);

function toJsonSchema(schema: z.ZodType, target?: 'draft-7'): Json {
  return z.toJSONSchema(schema, {
    io: 'input',
    ...(target ? { target } : {}),
    override: (ctx) => {
      const json = ctx.jsonSchema;
      if (json.format !== undefined && ZOD_ONLY_FORMATS.has(json.format) && json.pattern !== undefined) delete json.format;
    },
  });
}

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

function withSchema(docs: ChannelDoc[]): (ChannelDoc & { schema: z.ZodType })[] {
  return docs.filter((d): d is ChannelDoc & { schema: z.ZodType } => d.schema !== undefined);
}

/** Standalone JSON Schema (draft 2020-12) of one channel payload. */
function standaloneSchema(doc: ChannelDoc, schema: z.ZodType): Json {
  const json = toJsonSchema(schema);
  const defs = (json['$defs'] ?? {}) as Json;
  patchDefinitions(defs);
  const { $schema, ...rest } = json;
  return {
    $schema,
    title: doc.address,
    description: doc.parameter === 'kioskId' ? `${doc.description}\n\n${META_DESCRIPTION}` : doc.description,
    $comment: `Generated from protocols/telemetry (contract version ${CONTRACT_VERSION}) by \`make contract\`; do not edit.`,
    ...rest,
  };
}

/** The payload schemas of every channel as draft-07 definitions, keyed by their zod `id`. */
function componentSchemas(docs: ChannelDoc[]): { schemas: Json; rootOf: Partial<Record<string, string>> } {
  const schemas: Json = {};
  const rootOf: Partial<Record<string, string>> = {};
  // Kiosk channels in CHANNEL_SCHEMAS order, then enrollment: the order the components have always had.
  const order = [...Object.keys(CHANNEL_SCHEMAS), ...Object.keys(CLAIM_CHANNELS)];
  const inOrder = withSchema(docs).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const { name: channel, schema } of inOrder) {
    const json = toJsonSchema(schema, 'draft-7');
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
  const docs = channelDocs();
  const { schemas, rootOf } = componentSchemas(docs);
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  for (const doc of docs) {
    const { name: channel, action, flags } = doc;
    const root = rootOf[channel];
    const channelMessages: Json = {};
    if (root) {
      const schema = schemas[root] as Json;
      messages[root] = {
        name: root,
        title: typeof schema['title'] === 'string' ? schema['title'] : root,
        summary: `Payload of ${doc.address}`,
        description: doc.message,
        contentType: 'application/json',
        payload: { $ref: `#/components/schemas/${root}` },
        bindings: { mqtt: { payloadFormatIndicator: 1, bindingVersion: MQTT_BINDING_VERSION } },
      };
      channelMessages[root] = { $ref: `#/components/messages/${root}` };
    }
    channels[channel] = {
      address: doc.address,
      title: doc.title,
      description:
        doc.description +
        `\n\nQoS ${flags.qos}, ${flags.retain ? 'retained' : 'not retained'}; ` +
        (action === 'send' ? 'published by the kiosk.' : 'published by central, subscribed by the kiosk.'),
      parameters: { [doc.parameter]: { $ref: `#/components/parameters/${doc.parameter}` } },
      messages: channelMessages,
    };
    const operation: Json = {
      action,
      channel: { $ref: `#/channels/${channel}` },
      title: `${action === 'send' ? 'Publish' : 'Receive'} ${doc.title.replace(/ \(.*\)$/, '').toLowerCase()}`,
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
        META_DESCRIPTION +
        '\n\nThe enrollment channels under `' + PROVISIONING_ROOT + '/{clientId}` (claim-request, claim-response) are ' +
        'the exception: a kiosk that has no identity yet uses them once, without meta fields, to obtain its certificate.',
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
          'message with reason "will" on the kiosk\'s status topic (see the status channel). A kiosk enrolling by claim ' +
          'connects once with the shared claim certificate under a `claim-…` client id instead (see the claim-request channel).',
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
        clientId: {
          description:
            'The throw-away MQTT client id of a kiosk enrolling by claim (`' + CLAIM_CLIENT_ID.source + '`), ' +
            'chosen at random for each attempt; it is not the kiosk id.',
          examples: ['claim-3f9a0c1d2e4b5a69'],
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
  for (const doc of withSchema(channelDocs())) schemas[doc.name] = standaloneSchema(doc, doc.schema);
  return { asyncapi: asyncApiDocument(), schemas };
}
