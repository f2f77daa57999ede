/**
 * `kioskctl provision` on the command line: answers from `--answers`, flags, and prompts for
 * whatever is still missing when a terminal is attached; central's key fingerprint shown and
 * confirmed before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { CLAIM_CODE_PATTERN, type InventoryItem } from '../protocols/telemetry/claim.js';
import { isKioskId } from '../protocols/telemetry/ids.js';
import { keyIdOf, parsePublicKey } from '../protocols/seal/seal.js';
import { AnswersError, FLAG_FIELDS, parseAnswers, readAnswers, setField } from './answers.js';
import { EnrollError } from './enroll.js';
import { layout, readIfExists } from './files.js';
import { type Lang, msg, step } from './messages.js';
import { formatFingerprint } from './pki.js';
import { provision } from './provision.js';
import { devicesFromInventory } from './suggest.js';
import type { UdevDevice } from './udev.js';

export interface ProvisionCommandOptions {
  root: string;
  answersFile?: string;
  inventoryFile?: string;
  flags: Record<string, string | undefined>;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  noEnroll: boolean;
  lang: Lang;
  interactive: boolean;
  /** Discovery, run when no inventory file is given (kept out of tests by passing one). */
  discover?: () => Promise<{ inventory: InventoryItem[]; udev: UdevDevice[] }>;
  out: (s: string) => void;
  err: (s: string) => void;
  ask?: (question: string) => Promise<string>;
}

const PROMPTS: [string, string, string][] = [
  ['kiosk.id', 'Kiosk id / कियोस्क आईडी (e.g. RJ-JAI-0001)', ''],
  ['kiosk.district', 'District / ज़िला', ''],
  ['kiosk.lsp', 'LSP / स्थानीय सेवा प्रदाता', ''],
  ['kiosk.location.address', 'Address / पता', ''],
  ['mqtt.url', 'Central broker URL / केंद्र ब्रोकर URL', 'mqtts://'],
  ['mqtt.ca', 'Broker CA file / ब्रोकर CA फ़ाइल', ''],
  ['central.capturePublicKey', "Central's capture public key / केंद्र की कैप्चर कुंजी", ''],
  ['enrollment.claimCode', 'Claim code / क्लेम कोड', ''],
  ['enrollment.claimCert', 'Claim certificate file / क्लेम प्रमाणपत्र फ़ाइल', ''],
  ['enrollment.claimKey', 'Claim key file / क्लेम कुंजी फ़ाइल', ''],
];

const FIELD_CHECKS: Record<string, (v: string) => string | undefined> = {
  'kiosk.id': (v) => (isKioskId(v) ? undefined : 'kiosk id: upper-case letters, digits and single hyphens, e.g. RJ-JAI-0001 / कियोस्क आईडी का प्रारूप: RJ-JAI-0001'),
  'enrollment.claimCode': (v) => (CLAIM_CODE_PATTERN.test(v) ? undefined : 'claim code such as K7QM-2XPA-9RTD / क्लेम कोड का प्रारूप: K7QM-2XPA-9RTD'),
  'mqtt.url': (v) => (/^(mqtts|ssl|wss):\/\/[^\s/]+/.test(v) ? undefined : 'a TLS broker URL such as mqtts://broker.example:8883'),
};

function get(obj: Record<string, unknown>, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export async function provisionCommand(o: ProvisionCommandOptions): Promise<number> {
  const raw: Record<string, unknown> = o.answersFile ? ((await readAnswers(o.answersFile).catch((e: unknown) => e)) as Record<string, unknown>) : {};
  try {
    if (raw instanceof AnswersError) throw raw;
    for (const [flag, field] of Object.entries(FLAG_FIELDS)) if (o.flags[flag] !== undefined) setField(raw, field, o.flags[flag]);
    // Defaults for a re-run come from the configuration already on the kiosk.
    const existing = await readIfExists(layout(o.root).config);
    const prior = existing ? (JSON.parse(existing) as Record<string, unknown>) : {};
    let inventory: InventoryItem[] = [];
    let udev: UdevDevice[] = [];
    if (o.inventoryFile) {
      const inv = JSON.parse(await readFile(o.inventoryFile, 'utf8')) as { inventory?: InventoryItem[]; udev?: UdevDevice[] };
      inventory = inv.inventory ?? [];
      udev = inv.udev ?? [];
    } else if (o.discover) {
      ({ inventory, udev } = await step(msg('discovering', o.lang), o.err, o.discover));
    }
    if (o.interactive && o.ask) {
      // Discovery gives the defaults for the device sections.
      const suggested = devicesFromInventory(inventory);
      if (raw['devicesFromDiscovery'] === undefined && Object.keys(suggested).length) {
        o.err(`${msg('discovered', o.lang)}:\n${Object.entries(suggested).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
        const use = (await o.ask('Use these devices? / इन उपकरणों का उपयोग करें? [Y/n] ')).trim().toLowerCase();
        raw['devicesFromDiscovery'] = use === '' || use.startsWith('y') || use === 'हाँ';
      }
      for (const [field, label, def] of PROMPTS) {
        if (get(raw, field) !== undefined) continue;
        const d = (get(prior, field) as string | undefined) ?? def;
        // Fields with a format are checked as they are typed, and asked again (three tries).
        for (let tries = 0; tries < 3; tries++) {
          const v = (await o.ask(`${label}${d ? ` [${d}]` : ''}: `)).trim() || d;
          const problem = v ? FIELD_CHECKS[field]?.(v) : undefined;
          if (problem) {
            o.err(`  ${problem}\n`);
            continue;
          }
          if (v) setField(raw, field, v);
          break;
        }
      }
    }
    const answers = parseAnswers(raw, o.answersFile ?? 'answers');
    if (answers.central && answers.centralKeyId) {
      const kid = keyIdOf(parsePublicKey(answers.central.capturePublicKey));
      o.err(`${msg('centralKey', o.lang)}: ${kid}\n`);
      if (!answers.central.confirmKeyId && !o.yes) {
        if (!o.interactive || !o.ask) throw new AnswersError(o.answersFile ?? 'answers', [`central.confirmKeyId: required when unattended (the key's id is ${kid}; copy it from the provisioning sheet, or pass --yes)`]);
        const yes = (await o.ask(`${msg('confirmKey', o.lang)} `)).trim().toLowerCase();
        if (yes !== 'yes' && yes !== 'y' && yes !== 'हाँ') {
          o.err(`${msg('keyRejected', o.lang)}\n`);
          return 1;
        }
      }
    }
    const result = await step(o.dryRun ? msg('dryRun', o.lang) : msg('generatingKeys', o.lang), o.err, () =>
      provision({
        root: o.root,
        answers,
        inventory,
        udevDevices: udev,
        dryRun: o.dryRun,
        noEnroll: o.noEnroll,
        progress: o.err,
        slowStep: (fn) => step(msg('enrolling', o.lang), o.err, fn),
      }),
    );
    if (o.json) {
      o.out(`${JSON.stringify({ changed: result.changed, files: result.files.map((f) => ({ path: f.path, what: f.what, action: f.action })), enrollment: result.enrollment })}\n`);
    } else {
      for (const f of result.files) o.out(`${f.action.padEnd(7)} ${f.what.padEnd(34)} ${f.path}\n`);
      const e = result.enrollment;
      if (e.state === 'enrolled') o.out(`${msg('enrolled', o.lang)}: ${formatFingerprint(e.fingerprint ?? '')}\n`);
      if (e.state === 'kept') o.out(`${msg('enrollKept', o.lang)}: ${formatFingerprint(e.fingerprint ?? '')}\n`);
      o.out(`${result.changed === 0 ? msg('noChanges', o.lang) : o.dryRun ? msg('dryRun', o.lang) : msg('provisioned', o.lang)}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof AnswersError) {
      o.err(`${msg('answersInvalid', o.lang)} ${err.message}\n`);
      return 65;
    }
    if (err instanceof EnrollError) {
      o.err(`${msg('enrollFailed', o.lang)} (${err.code}): ${err.message}\n`);
      return 69;
    }
    throw err;
  }
}

export function ttyAsk(): { ask: (q: string) => Promise<string>; close: () => void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return { ask: (q) => rl.question(q), close: () => rl.close() };
}
