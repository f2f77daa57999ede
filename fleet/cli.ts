/**
 * `kiosk-fleet`: the central-side fleet monitor.
 *   serve   ingest kiosk telemetry from the broker into the fleet database
 *   status  print the fleet as a table (or JSON) from that database
 *   user    manage the dashboard's users
 * A bad argument gets one clear line and exit code 2; a failure at run time, exit code 1; never a
 * stack trace.
 */
import { hostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { child, createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { startFleet } from './serve.js';
import { INSTANCE_NAME } from './source.js';
import { OPS_ARGS, OPS_USAGE, parseOpsArgs } from './ops-options.js';
import { claimCommand, ClaimUsageError } from './enrollment/cli.js';
import { loadgenCommand, LoadgenUsageError } from './loadgen/cli.js';
import { readFleetStatus, renderFleetStatus } from './view.js';
import { userCommand, UserUsageError } from './user-cli.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where `user add|passwd` read a password when there is no --password-file (default process.stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  /** Stops `serve` (besides SIGINT and SIGTERM); for embedding and tests. */
  signal?: AbortSignal;
  /** Called once `serve` is reading from the broker. */
  onReady?: (info: { url: string; port?: number }) => void;
}

class UsageError extends Error {}

const USAGE = `Usage: kiosk-fleet <command> [options]

The central side of kiosk-agent: watches the fleet over MQTT.

Commands:
  serve    ingest kiosk telemetry from the broker into the fleet database
  status   print the fleet as a table (or JSON) from the fleet database
  user     add, list, change or remove the dashboard's users
  claim    create one-time claim codes for enrolling kiosks
  loadgen  simulate N kiosks against a broker (load tests)

Run \`kiosk-fleet <command> --help\` for a command's options.
`;

const SERVE_USAGE = `Usage: kiosk-fleet serve [options]

Subscribes to kiosk/v1/+/+ (through the shared subscription $share/<group>/kiosk/v1/+/+ where
the broker speaks MQTT 5), validates every message against the telemetry contract, keeps the
latest status, heartbeat and state of each kiosk and its events, and decides online/offline.

Options:
  --mqtt-url URL          broker to read from (default mqtt://127.0.0.1:1883)
  --embedded-broker       run an in-process MQTT broker (aedes) and read from it
    --port N              its TCP port (default 1883; 0 picks a free one)
    --host ADDR           its listen address (default 127.0.0.1; 0.0.0.0 for kiosks on the LAN)
  --db PATH|URL           fleet database: a SQLite file (default ./fleet.db) or postgres://… for several instances
  --share-group NAME      shared-subscription group of the fleet instances (default kiosk-fleet)
  --instance NAME         this instance's name, unique in the group (default the hostname): client id
                          kiosk-fleet-NAME with a persistent MQTT 5 session, so an instance killed
                          and restarted under the same name gets what the broker held for it
  --session-expiry SEC    how long the broker keeps that session while the instance is gone
                          (default 3600; 0 = clean start, what was in flight dies with the process)
  --capture-key PATH      run the e-KYC capture receiver with central's X25519 key (PEM)
  --heartbeat-misses N    offline after N missed heartbeat intervals (default 3)
  --stats-every SEC       log the ingest totals this often (default 300)
  --log-level LEVEL       ${LOG_LEVELS.join(', ')} (default info)
  --ca-cert PEM           kiosk CA certificate: with --ca-key, enroll kiosks by claim
  --ca-key PEM            its private key
${OPS_USAGE}  -h, --help              show this help

Stops cleanly on SIGINT or SIGTERM.
`;

const STATUS_USAGE = `Usage: kiosk-fleet status [options]

Prints every kiosk the fleet has heard: district, LSP, online/offline and why (birth, will,
shutdown, missed heartbeats), session, last seen, last heartbeat seq, outbox depth, invalid
messages, device summary; then a totals line.

Options:
  --db PATH    fleet database (default ./fleet.db)
  --json       print JSON instead of the table
  -h, --help   show this help
`;

function intOption(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Record<string, unknown> } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    // parseArgs says e.g. "Unknown option '--x'"; keep its words, drop its advice about '--'.
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'bad arguments');
  }
}

async function serve(args: string[], io: Io): Promise<number> {
  const { values: v } = parse(args, {
    'mqtt-url': { type: 'string' },
    'embedded-broker': { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    'share-group': { type: 'string' },
    instance: { type: 'string' },
    'session-expiry': { type: 'string' },
    'capture-key': { type: 'string' },
    'heartbeat-misses': { type: 'string' },
    'stats-every': { type: 'string' },
    'log-level': { type: 'string' },
    ...OPS_ARGS,
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(SERVE_USAGE);
    return 0;
  }
  const str = (k: string): string | undefined => v[k] as string | undefined;
  const embedded = v['embedded-broker'] === true;
  if (embedded && str('mqtt-url') !== undefined) {
    throw new UsageError('--mqtt-url and --embedded-broker exclude each other (the embedded broker takes --port and --host)');
  }
  if (!embedded && (str('port') !== undefined || str('host') !== undefined)) {
    throw new UsageError('--port and --host are for --embedded-broker');
  }
  const mqttUrl = str('mqtt-url') ?? 'mqtt://127.0.0.1:1883';
  let url: URL;
  try {
    url = new URL(mqttUrl);
  } catch {
    throw new UsageError(`--mqtt-url is not a URL: '${mqttUrl}'`);
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new UsageError(`--mqtt-url must be mqtt://, mqtts://, ws:// or wss://, got '${url.protocol}//'`);
  }
  const group = str('share-group') ?? 'kiosk-fleet';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(group)) {
    throw new UsageError(`--share-group must be 1-64 letters, digits, '_', '.' or '-', got '${group}'`);
  }
  const instance = str('instance') ?? hostname().toLowerCase();
  if (!INSTANCE_NAME.test(instance)) {
    const from = str('instance') === undefined ? ' (the hostname; pass --instance NAME)' : '';
    throw new UsageError(`--instance must be 1-64 letters, digits, '_', '.' or '-', got '${instance}'${from}`);
  }
  const sessionExpirySec = intOption('session-expiry', str('session-expiry'), 3600, 0, 4_294_967_295);
  const level = str('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  const host = str('host') ?? '127.0.0.1';
  if (host.length === 0) throw new UsageError('--host must not be empty');
  const port = intOption('port', str('port'), 1883, 0, 65535);
  const heartbeatMisses = intOption('heartbeat-misses', str('heartbeat-misses'), 3, 1, 1000);
  const statsEverySec = intOption('stats-every', str('stats-every'), 300, 1, 86_400);

  const db = str('db') ?? './fleet.db';
  if (db.trim() === '') throw new UsageError('--db must name a file');
  const ops = parseOpsArgs(str);
  if (!ops.ok) throw new UsageError(ops.error);
  const log = createLogger(level as LogLevel, io.stdout === process.stdout ? undefined : io.stdout);
  const fleet = await startFleet({
    mqttUrl,
    ...(embedded ? { embeddedBroker: { host, port } } : {}),
    db,
    shareGroup: group,
    instance,
    sessionExpirySec,
    heartbeatMisses,
    statsEveryMs: statsEverySec * 1000,
    log,
    operations: { ...ops.operations, ...(ops.http ? { http: ops.http } : {}) },
    ...(str('ca-cert') !== undefined || str('ca-key') !== undefined ? { provisioning: caOptions(str('ca-cert'), str('ca-key')) } : {}),
    ...(str('capture-key') !== undefined ? { captureKey: str('capture-key') } : {}),
  });
  let onSignal: (sig: NodeJS.Signals) => void = () => undefined;
  const stop = new Promise<string>((resolve) => {
    onSignal = (sig) => resolve(sig);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    io.signal?.addEventListener('abort', () => resolve('abort'), { once: true });
  });
  void fleet.ready.then(() => io.onReady?.({ url: fleet.url, ...(fleet.broker ? { port: fleet.broker.port } : {}) }));
  const why = await stop;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  child(log, 'serve').info({ signal: why }, 'stopping');
  await fleet.close();
  return 0;
}

function caOptions(caCert: string | undefined, caKey: string | undefined): { caCert: string; caKey: string } {
  if (!caCert || !caKey) throw new UsageError('--ca-cert and --ca-key go together');
  return { caCert, caKey };
}

async function status(args: string[], io: Io): Promise<number> {
  const { values: v } = parse(args, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(STATUS_USAGE);
    return 0;
  }
  const db = (v.db as string | undefined) ?? './fleet.db';
  if (db.trim() === '') throw new UsageError('--db must name a file');
  const s = await readFleetStatus(db);
  io.stdout.write(v.json ? `${JSON.stringify(s, null, 2)}\n` : renderFleetStatus(s));
  return 0;
}

/** Runs one command; resolves to the process exit code. */
export async function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'status':
        return await status(rest, io);
      case 'user':
        return await userCommand(rest, io);
      case 'claim':
        return await claimCommand(rest, io);
      case 'loadgen':
        return await loadgenCommand(rest, io);
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(USAGE);
        return 0;
      case undefined:
        io.stderr.write(USAGE);
        return 2;
      default:
        throw new UsageError(`unknown command '${command}' (commands: serve, status, claim, user, loadgen)`);
    }
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ClaimUsageError || err instanceof UserUsageError || err instanceof LoadgenUsageError;
    io.stderr.write(`kiosk-fleet: ${(err as Error).message ?? String(err)}\n`);
    if (usage) io.stderr.write(`Run \`kiosk-fleet ${command && ['serve', 'status', 'claim', 'user', 'loadgen'].includes(command) ? `${command} ` : ''}--help\` for usage.\n`);
    return usage ? 2 : 1;
  }
}

export function main(argv: string[]): void {
  run(argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
