/**
 * Finding, reading, migrating and validating the configuration file. Every failure becomes a
 * ConfigError whose message names the file, each offending path and the offending value, so
 * that a field technician can fix the file from the one message (no stack trace).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AgentConfig, CONFIG_SCHEMA_VERSION } from './schema.js';
import { isSecretKey, MASK } from './mask.js';
import { ConfigMigrationError, migrateConfig } from './migrate.js';

export const DEFAULT_CONFIG_PATH = '/etc/kiosk-agent/config.json';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`configuration ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadedConfig {
  path: string;
  config: AgentConfig;
  /** Version the file was written in; less than CONFIG_SCHEMA_VERSION when migrated. */
  fileVersion: number;
  /** Short hash of the effective configuration, reported in `state`. */
  hash: string;
}

/** --config, else KIOSK_AGENT_CONFIG, else the default path. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? (env['KIOSK_AGENT_CONFIG'] || DEFAULT_CONFIG_PATH);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(value: unknown, path: PropertyKey[]): string {
  if (value === undefined) return 'missing';
  const last = path.at(-1);
  if (typeof last === 'string' && isSecretKey(last)) return `got ${MASK}`;
  const text = JSON.stringify(value) ?? typeof value;
  return `got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

export function describeIssues(issues: z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path;
    const where = path.length ? path.map(String).join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    return `${where}: ${issue.message} (${show(valueAt(input, path), path)})`;
  });
}

export function parseConfig(text: string, file: string): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [`(top level): expected a JSON object (${show(raw, [])})`]);
  }
  let migrated;
  try {
    migrated = migrateConfig(raw as Record<string, unknown>, CONFIG_SCHEMA_VERSION);
  } catch (err) {
    if (err instanceof ConfigMigrationError) throw new ConfigError(file, [err.message]);
    throw err;
  }
  const result = AgentConfig.safeParse(migrated.config);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues, migrated.config));
  const hash = createHash('sha256').update(JSON.stringify(result.data)).digest('hex').slice(0, 12);
  return { path: file, config: result.data, fileVersion: migrated.from, hash };
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(file, [`cannot read: ${why}`]);
  }
  return parseConfig(text, file);
}
