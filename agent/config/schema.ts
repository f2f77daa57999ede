/**
 * The agent's configuration: one zod schema, validated once at start-up, every error reported
 * with its path (codebase-conventions §3.11). Field descriptions carry the unit and default;
 * the README's configuration reference is written from them.
 */
import { z } from 'zod';
import { KioskId } from '../../protocols/telemetry/ids.js';
import { AuthConfig, BUSINESS_DEFAULTS, InactivityConfig, LedgerConfig, WalletConfig } from '../ledger/config.js';
import { EkycConfig } from '../ekyc/config.js';
import { FingerprintConfig } from '../fingerprint/config.js';
import { UpsConfigSchema } from '../../drivers/ups/config.js';
import { SimulatedUpsConfig } from '../ups/simulated-config.js';
import { AgentPrinterConfig } from '../printer/config.js';

/** The schema version this agent writes and understands; older files are migrated on load. */
export const CONFIG_SCHEMA_VERSION = 2;

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

export const TlsConfig = z.strictObject({
  ca: z.string().min(1).optional().describe('PEM file of the CA that signed the broker certificate'),
  cert: z.string().min(1).optional().describe('PEM file of the kiosk client certificate (CN = kiosk id)'),
  key: z.string().min(1).optional().describe('PEM file of the kiosk client private key'),
  rejectUnauthorized: z.boolean().default(true).describe('Verify the broker certificate (default true)'),
});

export const MqttConfig = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+/, 'MQTT URL such as mqtts://broker.example:8883')
    .describe('Broker URL: mqtt://, mqtts://, ws:// or wss://'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional().describe('Secret: masked in logs'),
  tls: TlsConfig.optional(),
  keepaliveSec: seconds(5, 1200).default(60).describe('MQTT keepalive, s (default 60). The broker declares the kiosk dead after 1.5×.'),
  connectTimeoutSec: seconds(1, 300).default(30).describe('Time allowed for CONNACK, s (default 30)'),
  backoff: z
    .strictObject({
      baseMs: z.number().int().min(10).max(60_000).default(1_000).describe('First reconnect window, ms (default 1000)'),
      capMs: z.number().int().min(100).max(3_600_000).default(300_000).describe('Largest reconnect window, ms (default 300000)'),
      stableMs: z
        .number()
        .int()
        .min(0)
        .max(3_600_000)
        .default(60_000)
        .describe('A connection that lasts this long resets the backoff, ms (default 60000)'),
    })
    .default({ baseMs: 1_000, capMs: 300_000, stableMs: 60_000 }),
  inflight: z.number().int().min(1).max(1_000).default(100).describe('QoS 1 messages awaiting PUBACK at once (default 100)'),
});

export const OutboxConfig = z.strictObject({
  maxRows: z.number().int().min(10).max(1_000_000).default(20_000).describe('Messages held for central (default 20000)'),
  maxBytes: z
    .number()
    .int()
    .min(10_000)
    .max(2_000_000_000)
    .default(64 * 1024 * 1024)
    .describe('Bytes held for central (default 64 MiB)'),
});

export const AgentConfig = z.strictObject({
  schemaVersion: z.literal(CONFIG_SCHEMA_VERSION).describe('Configuration schema version'),
  kiosk: z.strictObject({
    id: KioskId,
    name: z.string().min(1).max(80).optional().describe('Name printed on receipts (at most 80 characters, as the receipt allows)'),
    district: z.string().min(1).max(64),
    lsp: z.string().min(1).max(64).describe('Local service provider (e.g. e-Mitra LSP) operating the kiosk'),
    location: z
      .strictObject({
        address: z.string().max(300).optional(),
        lat: z.number().min(-90).max(90).optional(),
        lon: z.number().min(-180).max(180).optional(),
      })
      .default({}),
  }),
  mqtt: MqttConfig,
  telemetry: z
    .strictObject({
      heartbeatSec: seconds(5, 3600).default(60).describe('Heartbeat interval, s (default 60)'),
    })
    .default({ heartbeatSec: 60 }),
  outbox: OutboxConfig.default({ maxRows: 20_000, maxBytes: 64 * 1024 * 1024 }),
  store: z
    .strictObject({
      path: z.string().min(1).default('/var/lib/kiosk-agent/agent.db').describe('SQLite database file'),
      keepEvents: z
        .number()
        .int()
        .min(100)
        .max(10_000_000)
        .default(100_000)
        .describe('Events kept in the local history once sent (default 100000)'),
    })
    .default({ path: '/var/lib/kiosk-agent/agent.db', keepEvents: 100_000 }),
  api: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Serve the local API (default true)'),
      socket: z.string().min(1).default('/run/kiosk-agent/api.sock').describe('Unix socket of the local API (mode 0660)'),
      group: z.string().min(1).optional().describe('Group that owns the socket: the operator console runs in it'),
    })
    .default({ enabled: true, socket: '/run/kiosk-agent/api.sock' }),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    })
    .default({ level: 'info' }),
  clock: z
    .strictObject({
      trust: z
        .enum(['auto', 'always', 'never'])
        .default('auto')
        .describe('auto: trusted once NTP (timesyncd) or central says so; always: an RTC keeps it right'),
    })
    .default({ trust: 'auto' }),
  ledger: LedgerConfig.default(BUSINESS_DEFAULTS.ledger),
  wallet: WalletConfig.default(BUSINESS_DEFAULTS.wallet),
  inactivity: InactivityConfig.default(BUSINESS_DEFAULTS.inactivity),
  auth: AuthConfig.default(BUSINESS_DEFAULTS.auth),
  /** Device sections: each device capability validates its own section. */
  devices: z
    .looseObject({
      fingerprint: FingerprintConfig.optional(),
      printer: AgentPrinterConfig.optional().describe('Receipt printer (issue 5): ESC/POS over TCP, serial, lp or USB; absent = no printer, prints are refused'),
      ups: UpsConfigSchema.optional().describe('UPS (issue 6): NUT or Megatec Q1; absent = no UPS monitored'),
    })
    .default({})
    .describe('Devices: fingerprint reader, printer, UPS (each validated by its driver)'),
  ekyc: EkycConfig.optional(),
  /** The operator console (`kioskctl console`, issue 11); the agent itself does not read it. */
  console: z
    .strictObject({
      idleLockSec: z.number().int().min(0).max(86_400).default(300).describe('Seconds without a key before the console locks and asks for the login again; 0 never (default 300)'),
      lang: z.enum(['en', 'hi']).default('en').describe('Language the console starts in; F2 switches (default en)'),
    })
    .optional(),
  simulate: z
    .strictObject({
      eventEveryMs: z
        .number()
        .int()
        .min(1)
        .max(3_600_000)
        .optional()
        .describe('Demo and tests only: emit a sim.tick event this often'),
      ups: SimulatedUpsConfig.optional(),
    })
    .optional(),
});

export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;
