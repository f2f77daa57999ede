/**
 * `make contract`: writes the MQTT contract documents generated from protocols/telemetry —
 * `docs/mqtt-contract.asyncapi.yaml` and `docs/schemas/<channel>.schema.json` — so a central team
 * can build against the contract without reading TypeScript, and the local API's OpenAPI
 * document `docs/local-api.openapi.json`.
 *
 *   node dist/scripts/gen-contract.js           write the files
 *   node dist/scripts/gen-contract.js --check   write nothing; exit 1 naming each stale file
 *
 * The rendering is exported so a test can regenerate in memory and compare with the committed files.
 */
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { localApiDocument } from '../agent/api/catalog.js';
import { AGENT_VERSION } from '../agent/version.js';
import { buildContractDocuments } from '../protocols/telemetry/asyncapi.js';

export const ASYNCAPI_PATH = 'docs/mqtt-contract.asyncapi.yaml';
export const SCHEMAS_DIR = 'docs/schemas';
/** The local API (Unix socket) of the agent, generated from its routes' zod schemas. */
export const OPENAPI_PATH = 'docs/local-api.openapi.json';

const YAML_HEADER =
  '# Generated from protocols/telemetry by `make contract`; do not edit by hand.\n' +
  '# AsyncAPI 3.0 description of the kiosk-agent MQTT contract (DESIGN.md §5).\n';

/** Every generated file, keyed by its path relative to the repository root, with its exact text. */
export function renderContractFiles(): Map<string, string> {
  const { asyncapi, schemas } = buildContractDocuments();
  const files = new Map<string, string>();
  // lineWidth 0: no folding, so a diff of the document shows whole sentences.
  files.set(ASYNCAPI_PATH, YAML_HEADER + stringify(asyncapi, { lineWidth: 0, aliasDuplicateObjects: false }));
  for (const [channel, schema] of Object.entries(schemas)) {
    files.set(`${SCHEMAS_DIR}/${channel}.schema.json`, JSON.stringify(schema, null, 2) + '\n');
  }
  files.set(OPENAPI_PATH, JSON.stringify(localApiDocument(AGENT_VERSION), null, 2) + '\n');
  return files;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Schema files in docs/schemas that the contract no longer produces (a channel renamed or removed). */
async function strayFiles(root: string, files: Map<string, string>): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(root, SCHEMAS_DIR));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.schema.json'))
    .map((n) => `${SCHEMAS_DIR}/${n}`)
    .filter((p) => !files.has(p));
}

/** Returns the relative paths that are missing, differ, or should no longer exist. */
export async function staleFiles(root: string, files = renderContractFiles()): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, text] of files) {
    if ((await readOrUndefined(join(root, path))) !== text) stale.push(path);
  }
  return [...stale, ...(await strayFiles(root, files))];
}

export async function main(argv: string[], root: string): Promise<number> {
  const files = renderContractFiles();
  if (argv.includes('--check')) {
    const stale = await staleFiles(root, files);
    for (const path of stale) console.error(`stale: ${path} (run \`make contract\` and commit the result)`);
    if (stale.length === 0) console.log(`contract documents up to date (${files.size} files)`);
    return stale.length === 0 ? 0 : 1;
  }
  let changed = 0;
  for (const [path, text] of files) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    if ((await readOrUndefined(full)) !== text) {
      await writeFile(full, text);
      console.log(`wrote ${path}`);
      changed++;
    }
  }
  for (const path of await strayFiles(root, files)) {
    await unlink(join(root, path));
    console.log(`removed ${path}`);
    changed++;
  }
  if (changed === 0) console.log(`contract documents up to date (${files.size} files)`);
  return 0;
}

// Run as a program (dist/scripts/gen-contract.js): the repository root is two levels up.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  main(process.argv.slice(2), root).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`gen-contract: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
