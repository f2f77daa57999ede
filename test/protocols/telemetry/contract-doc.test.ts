import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { CHANNEL_FLAGS, CHANNEL_SCHEMAS, CONTRACT_VERSION, DOWN_CHANNELS, KNOWN_EVENTS, UP_CHANNELS } from '../../../protocols/telemetry/index.js';
import { buildContractDocuments } from '../../../protocols/telemetry/asyncapi.js';
import { CLAIM_CHANNELS, ClaimRequest, ClaimResponse } from '../../../protocols/telemetry/claim.js';
import { ASYNCAPI_PATH, main, renderContractFiles, SCHEMAS_DIR, staleFiles } from '../../../scripts/gen-contract.js';

interface Operation {
  action: string;
  channel: { $ref: string };
  bindings: { mqtt: { qos: number; retain: boolean } };
}
interface Doc {
  asyncapi: string;
  info: { title: string; version: string; description: string };
  channels: Record<string, { address: string; description: string; parameters: Record<string, unknown> }>;
  operations: Record<string, Operation>;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

t.test('the committed contract documents match the schemas', async (t) => {
  const files = renderContractFiles();
  for (const [path, text] of files) {
    let committed: string | undefined;
    try {
      committed = await readFile(join(root, path), 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed === text) t.pass(`${path} is up to date`);
    else t.fail(`${path} is out of date with protocols/telemetry: run \`make contract\` and commit the result`);
  }
  t.same(await staleFiles(root, files), [], 'no stale or stray contract files (run `make contract`)');
});

t.test('buildContractDocuments is deterministic and covers every channel with a schema', (t) => {
  const a = buildContractDocuments();
  const b = buildContractDocuments();
  t.same(JSON.stringify(a), JSON.stringify(b));
  t.same(Object.keys(a.schemas).sort(), [...Object.keys(CHANNEL_SCHEMAS), ...Object.keys(CLAIM_CHANNELS)].sort());
  for (const s of Object.values(a.schemas) as Record<string, unknown>[]) {
    t.equal(s['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    t.match(s['$ref'], /^#\/\$defs\//);
  }
  t.end();
});

t.test('the AsyncAPI document: info, channels, operations, bindings', async (t) => {
  const doc = parse(await readFile(join(root, ASYNCAPI_PATH), 'utf8')) as Doc;
  t.equal(doc.asyncapi, '3.0.0');
  t.equal(doc.info.title, 'kiosk-agent MQTT contract');
  t.equal(doc.info.version, String(CONTRACT_VERSION));
  t.match(doc.info.description, /\(kiosk id, channel, seq\)/, 'the dedupe rule is stated');
  for (const f of ['`ts`', '`mono`', '`boot`', '`synced`', '`seq`']) t.match(doc.info.description, f);
  t.match(doc.channels.status!.description, /session/);
  t.match(doc.channels.status!.description, /will/);
  for (const ch of [...UP_CHANNELS, ...DOWN_CHANNELS]) {
    const c = doc.channels[ch]!;
    t.ok(c, `channel ${ch}`);
    t.equal(c.address, `kiosk/v1/{kioskId}/${ch}`);
    t.same(c.parameters.kioskId, { $ref: '#/components/parameters/kioskId' });
    const ops = Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${ch}`);
    t.equal(ops.length, 1, `one operation on ${ch}`);
    const op = ops[0]!;
    t.equal(op.action, (UP_CHANNELS as readonly string[]).includes(ch) ? 'send' : 'receive');
    t.equal(op.bindings.mqtt.qos, CHANNEL_FLAGS[ch].qos);
    t.equal(op.bindings.mqtt.retain, CHANNEL_FLAGS[ch].retain);
  }
  for (const [ch, c] of Object.entries(CLAIM_CHANNELS)) {
    const channel = doc.channels[ch]!;
    t.ok(channel, `channel ${ch}`);
    t.equal(channel.address, `provisioning/v1/{clientId}/${c.suffix}`);
    t.same(channel.parameters, { clientId: { $ref: '#/components/parameters/clientId' } });
    const ops = Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${ch}`);
    t.equal(ops.length, 1, `one operation on ${ch}`);
    t.equal(ops[0]!.action, c.direction === 'up' ? 'send' : 'receive');
    t.equal(ops[0]!.bindings.mqtt.qos, c.qos);
    t.equal(ops[0]!.bindings.mqtt.retain, c.retain);
  }
  t.equal(Object.keys(doc.channels).length, UP_CHANNELS.length + DOWN_CHANNELS.length + Object.keys(CLAIM_CHANNELS).length, 'no channel left out, none extra');
  // Every $ref in the document resolves inside it.
  const refs: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === '$ref' && typeof v === 'string') refs.push(v);
        else walk(v);
      }
    }
  };
  walk(doc);
  t.ok(refs.length > 20);
  const unresolved = refs.filter((ref) => {
    if (!ref.startsWith('#/')) return true;
    let node: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node === undefined;
  });
  t.same(unresolved, [], 'every $ref resolves inside the document');
});

t.test('the claim schemas in JSON Schema accept and refuse what the zod schemas do', async (t) => {
  const { schemas } = buildContractDocuments();
  const request = schemas['claim-request'] as { $ref: string; $defs: Record<string, { required: string[]; additionalProperties?: boolean }> };
  t.equal(request.$ref, '#/$defs/ClaimRequest');
  t.same(request.$defs['ClaimRequest']!.required.sort(), ['claimCode', 'csr', 'district', 'inventory', 'kioskId', 'lsp', 'v']);
  t.equal(request.$defs['ClaimRequest']!.additionalProperties, false, 'a strict object in zod is closed in JSON Schema too');
  const response = schemas['claim-response'] as { $ref: string; $defs: Record<string, { oneOf?: unknown[]; anyOf?: unknown[] }> };
  t.equal(response.$ref, '#/$defs/ClaimResponse');
  const branches = response.$defs['ClaimResponse']!.oneOf ?? response.$defs['ClaimResponse']!.anyOf;
  t.equal(branches?.length, 2, 'certificate or refusal');
  const certificate = JSON.stringify(response.$defs['ClaimResponse']);
  t.notMatch(certificate, /starts_with/, 'no zod-only format a strict validator would refuse');
  t.match(certificate, /"pattern":"\^-----BEGIN CERTIFICATE-----/, 'the pattern carries the rule');
  // The ids used for the documents leave the zod schemas' behaviour alone.
  t.notOk(ClaimRequest.safeParse({ v: 1 }).success);
  t.ok(ClaimResponse.safeParse({ v: 1, ok: false, code: 'claim_used', message: 'used' }).success);
  const doc = parse(await readFile(join(root, ASYNCAPI_PATH), 'utf8')) as { components: { schemas: Record<string, unknown>; parameters: Record<string, { description: string }> } };
  t.ok(doc.components.schemas['ClaimRequest'] && doc.components.schemas['ClaimResponse']);
  t.match(doc.components.parameters['clientId']!.description, /claim-/);
});

t.test('Event_other refuses the known event types in JSON Schema as the zod refinement does', (t) => {
  const { schemas } = buildContractDocuments();
  const events = schemas['events'] as { $defs: { Event_other: { properties: { type: { not: { enum: string[] } } } } } };
  t.same(events.$defs.Event_other.properties.type.not.enum.sort(), Object.keys(KNOWN_EVENTS).sort());
  t.end();
});

t.test('gen-contract writes the files, --check says which are stale, stray schemas are removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-contract-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const errors: string[] = [];
  const restore = [console.log, console.error] as const;
  console.log = () => undefined;
  console.error = (line: string) => void errors.push(line);
  t.teardown(() => {
    [console.log, console.error] = restore;
  });

  t.equal(await main(['--check'], dir), 1, 'nothing written yet: stale');
  t.ok(errors.some((e) => e.includes(ASYNCAPI_PATH) && e.includes('make contract')));
  t.equal(await main([], dir), 0);
  t.ok(existsSync(join(dir, ASYNCAPI_PATH)));
  t.ok(existsSync(join(dir, SCHEMAS_DIR, 'events.schema.json')));
  errors.length = 0;
  t.equal(await main(['--check'], dir), 0, 'up to date');
  t.same(errors, []);

  writeFileSync(join(dir, SCHEMAS_DIR, 'retired.schema.json'), '{}');
  writeFileSync(join(dir, SCHEMAS_DIR, 'status.schema.json'), '{}');
  t.equal(await main(['--check'], dir), 1);
  t.same(errors.map((e) => e.split(' ')[1]).sort(), [`${SCHEMAS_DIR}/retired.schema.json`, `${SCHEMAS_DIR}/status.schema.json`]);
  t.equal(await main([], dir), 0);
  t.notOk(existsSync(join(dir, SCHEMAS_DIR, 'retired.schema.json')), 'a schema no channel produces is removed');
  t.equal(await main(['--check'], dir), 0);
});
