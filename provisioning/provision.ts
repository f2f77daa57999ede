/**
 * `kioskctl provision`: turns validated answers into the files a kiosk needs — device keys, CSR,
 * the broker's CA, the agent configuration, udev rules, the systemd unit — then enrolls by claim.
 * Every file is compared with what is there first: unchanged files are not touched, keys are
 * never replaced, and a kiosk that already holds a valid certificate for its key is not enrolled
 * again, so a second run changes nothing. `dryRun` stops after the plan.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig, ConfigError } from '../agent/config/load.js';
import { consoleUnit, type ConsoleTerminal } from '../agent/systemd/console-unit.js';
import { agentUnit } from '../agent/systemd/units.js';
import type { InventoryItem } from '../protocols/telemetry/claim.js';
import type { Answers } from './answers.js';
import { AnswersError } from './answers.js';
import { enroll } from './enroll.js';
import { accountIds, layout, type Layout, linkTarget, modeOf, type Owner, ownerOf, present, readIfExists, symlinkAtomic, unlink, writeAtomic } from './files.js';
import { certFacts, createCsr, csrMatches, newReceiptKey, newTlsKey, publicPemOf } from './pki.js';
import { devicesFromInventory } from './suggest.js';
import { udevRules, type UdevDevice } from './udev.js';

export type Action = 'create' | 'update' | 'keep' | 'remove';

export interface PlannedFile {
  path: string;
  what: string;
  mode: number;
  action: Action;
  content: string;
  owner?: Owner;
  /** A symlink to this target (systemd enablement and masks) instead of a file with `content`. */
  link?: string;
}

export interface ProvisionOptions {
  root: string;
  answers: Answers & { centralKeyId?: string };
  inventory: InventoryItem[];
  udevDevices?: UdevDevice[];
  dryRun?: boolean;
  /** Skip enrollment even when the answers carry a claim. */
  noEnroll?: boolean;
  progress?: (line: string) => void;
  /** Wraps the slow network step (enrollment) with a progress line; the caller words it. */
  slowStep?: <T>(fn: () => Promise<T>) => Promise<T>;
  now?: () => number;
}

export interface ProvisionResult {
  layout: Layout;
  files: PlannedFile[];
  changed: number;
  enrollment: { state: 'enrolled' | 'kept' | 'skipped' | 'dry-run'; fingerprint?: string; notAfter?: string };
}

/** The printer signs receipts with the key provisioning made, unless the answers name another. */
function withDeviceKey(devices: Record<string, unknown>, l: Layout): Record<string, unknown> {
  const p = devices['printer'];
  if (!p || typeof p !== 'object' || Array.isArray(p) || 'deviceKey' in p) return devices;
  return { ...devices, printer: { ...p, deviceKey: l.receiptKey } };
}

/** The agent configuration the answers describe, validated with the agent's own schema. */
export function buildConfig(a: Answers & { centralKeyId?: string }, l: Layout, inventory: readonly InventoryItem[] = []): Record<string, unknown> {
  const config: Record<string, unknown> = {
    schemaVersion: 2,
    kiosk: {
      id: a.kiosk.id,
      ...(a.kiosk.name ? { name: a.kiosk.name } : {}),
      district: a.kiosk.district,
      lsp: a.kiosk.lsp,
      ...(a.kiosk.location ? { location: a.kiosk.location } : {}),
    },
    mqtt: { url: a.mqtt.url, tls: { ca: l.ca, cert: l.cert, key: l.tlsKey } },
    store: { path: l.store },
    api: { socket: l.socket },
    devices: withDeviceKey({ ...(a.devicesFromDiscovery ? devicesFromInventory(inventory) : {}), ...a.devices }, l),
    ...(a.central && a.centralKeyId ? { ekyc: { central: { publicKey: a.central.capturePublicKey.trim(), keyId: a.centralKeyId } } } : {}),
  };
  for (const [k, v] of Object.entries(a.config ?? {})) {
    const cur = config[k];
    config[k] = cur && typeof cur === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...cur, ...v } : v;
  }
  return config;
}

async function sameOwner(path: string, owner: Owner | undefined): Promise<boolean> {
  if (!owner) return true;
  const now = await ownerOf(path);
  return now?.uid === owner.uid && now.gid === owner.gid;
}

async function plan(path: string, what: string, mode: number, content: string, owner?: Owner): Promise<PlannedFile> {
  const old = await readIfExists(path);
  const same = old === content && (await modeOf(path)) === mode && (await sameOwner(path, owner));
  const action: Action = old === undefined ? 'create' : same ? 'keep' : 'update';
  return { path, what, mode, action, content, ...(owner ? { owner } : {}) };
}

/** An existing file kept as it is (keys), or a new one created. */
async function keepOr(path: string, what: string, mode: number, make: () => string | Promise<string>, owner?: Owner): Promise<PlannedFile> {
  const old = await readIfExists(path);
  const o = owner ? { owner } : {};
  if (old !== undefined) return { path, what, mode, action: (await modeOf(path)) === mode && (await sameOwner(path, owner)) ? 'keep' : 'update', content: old, ...o };
  return { path, what, mode, action: 'create', content: await make(), ...o };
}

async function planLink(path: string, what: string, target: string): Promise<PlannedFile> {
  const now = await linkTarget(path);
  const action: Action = now === target ? 'keep' : now === undefined && !(await present(path)) ? 'create' : 'update';
  return { path, what, mode: 0o777, action, content: '', link: target };
}

/** Something that should not be there (the console turned off): removed if present. */
async function planRemove(path: string, what: string, onlyLinkTo?: string): Promise<PlannedFile[]> {
  if (!(await present(path))) return [];
  // A mask is ours to take away only while it is a mask; a real unit file there is the admin's.
  if (onlyLinkTo !== undefined && (await linkTarget(path)) !== onlyLinkTo) return [];
  return [{ path, what, mode: 0, action: 'remove', content: '' }];
}

/** The console's terminal: kmscon where the root has it (it can draw Devanagari), else the VT. */
function consoleTerminal(a: Answers, l: Layout): ConsoleTerminal {
  if (a.consoleTerminal !== 'auto') return a.consoleTerminal;
  return existsSync(join(l.root, 'usr/bin/kmscon')) ? 'kmscon' : 'vt';
}

/**
 * The operator console (issue 11): its unit, enabled as `systemctl enable` would, and getty on tty1
 * masked as `systemctl mask` would; with `console: false`, all of that taken away again.
 */
async function consoleFiles(a: Answers, l: Layout): Promise<PlannedFile[]> {
  const what = 'systemd unit kiosk-console.service';
  if (!a.console) {
    return [
      ...(await planRemove(l.consoleWants, 'console enabled at boot')),
      ...(await planRemove(l.consoleUnit, what)),
      ...(await planRemove(l.gettyMask, 'getty@tty1 masked', '/dev/null')),
      ...(await planRemove(l.autovtMask, 'autovt@tty1 masked', '/dev/null')),
    ];
  }
  const unit = consoleUnit({
    configPath: l.config,
    terminal: consoleTerminal(a, l),
    ...(a.service?.kioskctlPath ? { kioskctlPath: a.service.kioskctlPath } : {}),
    ...(a.service?.user ? { user: a.service.user } : {}),
    ...(a.service?.group ? { group: a.service.group } : {}),
  });
  return [
    await plan(l.consoleUnit, what, 0o644, unit),
    // The target is the path on the kiosk, not under --root: it is followed at boot.
    await planLink(l.consoleWants, 'console enabled at boot', '/etc/systemd/system/kiosk-console.service'),
    await planLink(l.gettyMask, 'getty@tty1 masked', '/dev/null'),
    await planLink(l.autovtMask, 'autovt@tty1 masked', '/dev/null'),
  ];
}

export async function provision(o: ProvisionOptions): Promise<ProvisionResult> {
  const l = layout(o.root);
  const a = o.answers;
  const say = o.progress ?? (() => undefined);
  const now = o.now ?? Date.now;

  let caPem: string;
  try {
    caPem = await readFile(a.mqtt.ca, 'utf8');
    new X509Certificate(caPem);
  } catch (err) {
    throw new AnswersError('answers', [`mqtt.ca: not a readable PEM certificate (${(err as Error).message})`]);
  }
  const configText = `${JSON.stringify(buildConfig(a, l, o.inventory), null, 2)}\n`;
  try {
    parseConfig(configText, l.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new AnswersError('answers', err.problems.map((p) => `config ${p}`));
    throw err;
  }

  // Only root can hand files to another account; a staged root run by a user keeps its own.
  const owner = process.getuid?.() === 0 ? await accountIds(l.root, a.service?.user ?? 'kiosk-agent', a.service?.group ?? 'kiosk-agent') : undefined;
  const receiptKey = await keepOr(l.receiptKey, 'receipt signing key (Ed25519)', 0o600, () => newReceiptKey().privatePem, owner);
  const tlsKey = await keepOr(l.tlsKey, 'TLS client key (P-256)', 0o600, newTlsKey, owner);
  const oldCsr = await readIfExists(l.csr);
  const csrText = oldCsr && csrMatches(oldCsr, tlsKey.content, a.kiosk.id) ? oldCsr : await createCsr(tlsKey.content, a.kiosk.id);
  const unit = agentUnit({
    configPath: l.config,
    ...(a.service?.execPath ? { execPath: a.service.execPath } : {}),
    ...(a.service?.user ? { user: a.service.user } : {}),
    ...(a.service?.group ? { group: a.service.group } : {}),
    ...(a.service?.watchdogSec ? { watchdogSec: a.service.watchdogSec } : {}),
    ...(l.root !== '/' ? { readWritePaths: [l.stateDir] } : {}),
  });
  const files: PlannedFile[] = [
    receiptKey,
    await plan(l.receiptPub, 'receipt public key', 0o644, publicPemOf(receiptKey.content)),
    tlsKey,
    await plan(l.csr, 'certificate request (CSR)', 0o644, csrText),
    await plan(l.ca, "broker's CA", 0o644, caPem),
    await plan(l.config, 'agent configuration', 0o600, configText, owner),
    await plan(l.udev, 'udev rules', 0o644, udevRules(o.udevDevices ?? [])),
    await plan(l.unit, 'systemd unit kiosk-agent.service', 0o644, unit),
    ...(await consoleFiles(a, l)),
  ];
  const changed = files.filter((f) => f.action !== 'keep').length;

  // A certificate that is for this kiosk and this key, and not about to expire, needs no enrollment.
  const certText = await readIfExists(l.cert);
  let certOk: ReturnType<typeof certFacts> | undefined;
  if (certText) {
    try {
      const f = certFacts(certText, tlsKey.content);
      if (f.commonName === a.kiosk.id && f.keyMatches && f.notAfter.getTime() > now() + 7 * 86_400_000) certOk = f;
    } catch {
      certOk = undefined;
    }
  }
  if (o.dryRun) {
    return {
      layout: l,
      files,
      changed,
      enrollment: certOk ? { state: 'kept', fingerprint: certOk.fingerprint, notAfter: certOk.notAfter.toISOString() } : { state: 'dry-run' },
    };
  }

  for (const f of files) {
    if (f.action === 'keep') continue;
    if (f.action === 'remove') await unlink(f.path);
    else if (f.link !== undefined) await symlinkAtomic(f.path, f.link);
    else await writeAtomic(f.path, f.content, f.mode, f.owner);
    say(`${f.action === 'create' ? 'created' : f.action === 'remove' ? 'removed' : 'updated'} ${f.path}\n`);
  }

  if (certOk) return { layout: l, files, changed, enrollment: { state: 'kept', fingerprint: certOk.fingerprint, notAfter: certOk.notAfter.toISOString() } };
  const claim = a.enrollment;
  if (!claim || o.noEnroll) return { layout: l, files, changed, enrollment: { state: 'skipped' } };
  const slow = o.slowStep ?? ((fn) => fn());
  const got = await slow(() => enroll({
    url: a.mqtt.url,
    caFile: l.ca,
    claimCert: claim.claimCert,
    claimKey: claim.claimKey,
    claimCode: claim.claimCode,
    kioskId: a.kiosk.id,
    district: a.kiosk.district,
    lsp: a.kiosk.lsp,
    csr: csrText,
    tlsKeyPem: tlsKey.content,
    inventory: o.inventory,
    timeoutMs: claim.timeoutSec * 1000,
  }));
  await writeAtomic(l.cert, got.certificate, 0o644);
  const facts = certFacts(got.certificate, tlsKey.content);
  const record = { kioskId: a.kiosk.id, district: a.kiosk.district, lsp: a.kiosk.lsp, certificateSha256: got.fingerprint, notAfter: facts.notAfter.toISOString(), enrolledAt: new Date(now()).toISOString(), inventory: o.inventory };
  await writeAtomic(l.record, `${JSON.stringify(record, null, 2)}\n`, 0o644);
  return { layout: l, files, changed: changed + 1, enrollment: { state: 'enrolled', fingerprint: got.fingerprint, notAfter: facts.notAfter.toISOString() } };
}
