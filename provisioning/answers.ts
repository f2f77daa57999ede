/**
 * What `kioskctl provision` needs to know, from an answers file (`--answers file.json`), flags or
 * prompts. One schema for all three, and every problem reported by field so a field script can be
 * fixed from the message alone.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KioskId } from '../protocols/telemetry/ids.js';
import { ClaimCode } from '../protocols/telemetry/claim.js';
import { keyIdOf, parsePublicKey } from '../protocols/seal/seal.js';

export const Answers = z.strictObject({
  kiosk: z.strictObject({
    id: KioskId,
    name: z.string().min(1).max(120).optional(),
    district: z.string().min(1).max(64),
    lsp: z.string().min(1).max(64),
    location: z
      .strictObject({
        address: z.string().max(300).optional(),
        lat: z.number().min(-90).max(90).optional(),
        lon: z.number().min(-180).max(180).optional(),
      })
      .optional(),
  }),
  mqtt: z.strictObject({
    url: z.string().regex(/^(mqtts|ssl|wss):\/\/[^\s/]+/, 'a TLS broker URL such as mqtts://broker.example:8883'),
    ca: z.string().min(1).describe("PEM file of the CA of the broker's certificate"),
  }),
  central: z
    .strictObject({
      capturePublicKey: z.string().min(40).describe("central's X25519 capture key: base64 or PEM"),
      /** The key id the technician was given on paper; provisioning refuses a key that does not match. */
      confirmKeyId: z.string().min(1).max(64).optional(),
    })
    .optional(),
  enrollment: z
    .strictObject({
      claimCode: ClaimCode,
      claimCert: z.string().min(1).describe('claim certificate (PEM) from the provisioning kit'),
      claimKey: z.string().min(1).describe('its private key (PEM)'),
      timeoutSec: z.number().int().min(5).max(600).default(60),
    })
    .optional(),
  /** Device sections copied into the agent configuration as they are (validated with it). */
  devices: z.record(z.string(), z.unknown()).optional(),
  /** Fill the device sections the answers leave out from what discovery found. */
  devicesFromDiscovery: z.boolean().default(false),
  service: z
    .strictObject({
      user: z.string().optional(),
      group: z.string().optional(),
      execPath: z.string().optional(),
      watchdogSec: z.number().int().min(10).optional(),
      kioskctlPath: z.string().optional().describe('kioskctl for the console unit (default /opt/kiosk-agent/bin/kioskctl)'),
    })
    .optional(),
  /**
   * The operator console on tty1 (issue 11): kiosk-console.service installed and enabled, and
   * getty@tty1 masked so no login prompt competes for the screen. false takes all three away.
   */
  console: z.boolean().default(true),
  /** How the console draws: kmscon (Devanagari) when the root has it, else the kernel VT (English). */
  consoleTerminal: z.enum(['auto', 'vt', 'kmscon']).default('auto'),
  /** Anything else for the agent configuration (clock, log, telemetry…), merged last. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type Answers = z.infer<typeof Answers>;

export class AnswersError extends Error {
  override name = 'AnswersError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function problemsOf(err: z.ZodError): string[] {
  return err.issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
    if (i.code === 'unrecognized_keys') return `${where}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}`;
    return `${where}: ${i.message}`;
  });
}

/** Validates answers; checks central's key parses and, when given, matches the confirmed id. */
export function parseAnswers(raw: unknown, source: string): Answers & { centralKeyId?: string } {
  const r = Answers.safeParse(raw);
  if (!r.success) throw new AnswersError(source, problemsOf(r.error));
  const a = r.data;
  if (!a.central) return a;
  let kid: string;
  try {
    kid = keyIdOf(parsePublicKey(a.central.capturePublicKey));
  } catch (err) {
    throw new AnswersError(source, [`central.capturePublicKey: ${(err as Error).message}`]);
  }
  if (a.central.confirmKeyId !== undefined && a.central.confirmKeyId !== kid) {
    throw new AnswersError(source, [`central.confirmKeyId: does not match the key (its id is ${kid})`]);
  }
  return { ...a, centralKeyId: kid };
}

export async function readAnswers(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AnswersError(path, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AnswersError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
}

/** Flags override the file: `--kiosk-id`, `--district`, … set the dotted fields. */
export const FLAG_FIELDS: Record<string, string> = {
  'kiosk-id': 'kiosk.id',
  'kiosk-name': 'kiosk.name',
  district: 'kiosk.district',
  lsp: 'kiosk.lsp',
  address: 'kiosk.location.address',
  'mqtt-url': 'mqtt.url',
  'mqtt-ca': 'mqtt.ca',
  'central-key': 'central.capturePublicKey',
  'central-key-id': 'central.confirmKeyId',
  'claim-code': 'enrollment.claimCode',
  'claim-cert': 'enrollment.claimCert',
  'claim-key': 'enrollment.claimKey',
};

export function setField(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (o[p] === undefined || typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts.at(-1) as string] = value;
}
