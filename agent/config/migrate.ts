/**
 * Step-wise migration of configuration files written by older agents (the zigbee2mqtt
 * settingsMigration pattern): each step takes version N to N+1, so a file of any older version
 * walks the chain. Files without `schemaVersion` are version 1.
 *
 * Version 1 was the flat pilot layout:
 *   { kioskId, district, lsp, broker, username?, password?, heartbeatSeconds?, dbPath?, logLevel? }
 */
export class ConfigMigrationError extends Error {
  override name = 'ConfigMigrationError';
}

type Json = Record<string, unknown>;

const steps: Record<number, (old: Json) => Json> = {
  1: (old) => {
    const { kioskId, district, lsp, broker, username, password, heartbeatSeconds, dbPath, logLevel, ...rest } = old;
    const mqtt: Json = { url: broker };
    if (username !== undefined) mqtt['username'] = username;
    if (password !== undefined) mqtt['password'] = password;
    const next: Json = { ...rest, schemaVersion: 2, kiosk: { id: kioskId, district, lsp }, mqtt };
    if (heartbeatSeconds !== undefined) next['telemetry'] = { heartbeatSec: heartbeatSeconds };
    if (dbPath !== undefined) next['store'] = { path: dbPath };
    if (logLevel !== undefined) next['log'] = { level: logLevel };
    return next;
  },
};

export interface Migrated {
  config: Json;
  from: number;
  to: number;
}

export function migrateConfig(raw: Json, target: number): Migrated {
  const declared = raw['schemaVersion'];
  const from = declared === undefined ? 1 : declared;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    throw new ConfigMigrationError(`schemaVersion: must be a positive integer (got ${JSON.stringify(declared)})`);
  }
  if (from > target) {
    throw new ConfigMigrationError(
      `schemaVersion: ${from} is newer than this agent understands (${target}); upgrade the agent`,
    );
  }
  let config = raw;
  for (let v = from; v < target; v++) {
    const step = steps[v];
    if (!step) throw new ConfigMigrationError(`schemaVersion: no migration from version ${v}`);
    config = step(config);
  }
  return { config, from, to: target };
}
