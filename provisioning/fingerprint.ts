/**
 * `kioskctl fingerprint info|enroll|identify|delete SLOT`: the technician's reader commands.
 * They go through the agent's local API, because only the agent may hold the reader's serial
 * port; the endpoints are admin-only, so the technician logs in with a personal PIN (`--pin`,
 * or KIOSKCTL_PIN to keep it out of the shell history) under `--user` / KIOSKCTL_USER.
 */
import { assertUser, SlotMappingError, slotOwners, tieSlot, untieSlot } from './fingerprint-slots.js';
import { LocalApiClient, LocalApiError } from './local-api.js';

export interface FingerprintCommandOptions {
  socket: string;
  user?: string | undefined;
  pin?: string | undefined;
  slot?: string | undefined;
  deadlineMs?: string | undefined;
  allowDuplicate?: boolean | undefined;
  /** enroll: the login (auth.users) the new slot logs in; written to the configuration file. */
  forUser?: string | undefined;
  /** The agent's configuration file, where slots are tied to users. */
  configPath?: string | undefined;
  json?: boolean | undefined;
  out: (s: string) => void;
  err: (s: string) => void;
}

export const FINGERPRINT_HELP = `  fingerprint info         reader state, parameters, enrolled slots; RD service health
  fingerprint enroll       enrol a finger on the R30x reader (--slot N to choose the slot;
                           --for USER ties the slot to that login for fingerprint login)
  fingerprint identify     which slot a finger matches, if any
  fingerprint delete SLOT  delete the fingerprint stored in SLOT (and untie it from its login)`;

const RELOAD = 'reload the agent for fingerprint login to use it: systemctl reload kiosk-agent';

/**
 * Has the running agent read the file it just changed (POST /v1/config/reload), so fingerprint
 * login uses the new mapping at once; says how it went, and what to do when it did not.
 */
async function reloadAgent(api: LocalApiClient): Promise<{ reloaded: boolean; note: string }> {
  try {
    await api.call('POST', '/v1/config/reload');
    return { reloaded: true, note: 'the agent uses it now' };
  } catch (e) {
    if (!(e instanceof LocalApiError)) throw e;
    return { reloaded: false, note: `the agent did not reload its configuration (${e.message}); ${RELOAD}` };
  }
}

/** Exit codes (sysexits): 64 usage, 65 capture refused, 69 agent or reader unavailable, 73 slot not tied (config not written), 77 not allowed. */
function exitCodeOf(e: LocalApiError): number {
  if (e.status === 0 || e.status === 503) return 69;
  if (e.status === 401 || e.status === 403 || e.status === 423) return 77;
  return 65;
}

const num = (v: unknown): string => (typeof v === 'number' ? String(v) : '?');
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

function describeInfo(info: Record<string, unknown>, owners: Map<number, string>): string {
  const r = (info['r30x'] ?? {}) as Record<string, unknown>;
  const lines: string[] = [];
  if (!r['configured']) lines.push('R30x reader   not configured (devices.fingerprint.r30x)');
  else {
    lines.push(`R30x reader   ${str(r['state'])}  ${str(r['path'])}`);
    const p = r['params'] as Record<string, unknown> | undefined;
    if (p) lines.push(`  module      system id ${num(p['systemId'])}, capacity ${num(p['capacity'])}, security level ${num(p['securityLevel'])}, packets of ${num(p['packetSize'])} B, ${num(p['baudRate'])} baud`);
    if (r['templateCount'] !== undefined) {
      const slots = r['slots'] as number[] | undefined;
      const named = (slot: number) => (owners.has(slot) ? `${slot} ${owners.get(slot)!}` : String(slot));
      lines.push(`  enrolled    ${num(r['templateCount'])}${p ? ` of ${num(p['capacity'])}` : ''}${slots ? ` (slots ${slots.length ? slots.map(named).join(', ') : 'none'})` : ''}`);
      // A slot tied to a login with nothing enrolled in it logs nobody in: worth the technician's eye.
      const stale = [...owners.keys()].filter((slot) => slots && !slots.includes(slot));
      if (stale.length) lines.push(`  not enrolled, yet tied to a login: ${stale.map(named).join(', ')}`);
    }
    const e = r['lastError'] as Record<string, unknown> | undefined;
    if (e && r['state'] !== 'ready') lines.push(`  last error  ${str(e['message'])} (${str(e['code'])})`);
  }
  const rd = info['rd'] as Record<string, unknown> | undefined;
  if (!rd) lines.push('RD service    not polled (no e-KYC configured; devices.fingerprint.rd.enabled)');
  else {
    const where = rd['port'] !== undefined ? `  ${str(rd['scheme'])}://127.0.0.1:${num(rd['port'])}` : '';
    lines.push(`RD service    ${str(rd['state'])} (${str(rd['status'])})${where}  ${str(rd['detail'])}`);
    if (rd['model'] !== undefined) lines.push(`  device      ${str(rd['model'])}, provider ${str(rd['dpId'])}, RD service ${str(rd['rdsId'])} ${str(rd['rdsVer'])}`);
    if (typeof rd['certExpiresAt'] === 'number') lines.push(`  certificate expires ${new Date(rd['certExpiresAt']).toISOString()}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function fingerprintCommand(args: string[], o: FingerprintCommandOptions): Promise<number> {
  const [sub, slotArg] = args;
  const deadline = o.deadlineMs !== undefined ? Number(o.deadlineMs) : undefined;
  if (deadline !== undefined && !(Number.isInteger(deadline) && deadline >= 1000 && deadline <= 60_000)) {
    o.err('kioskctl: --deadline is in ms, 1000 to 60000\n');
    return 64;
  }
  const slotText = sub === 'delete' ? slotArg : o.slot;
  if (sub === 'delete' && slotText === undefined) {
    o.err('kioskctl: fingerprint delete needs a SLOT\n');
    return 64;
  }
  const slot = slotText !== undefined ? Number(slotText) : undefined;
  if (slot !== undefined && !(Number.isInteger(slot) && slot >= 0)) {
    o.err(`kioskctl: slot must be a whole number from 0, not "${slotText}"\n`);
    return 64;
  }
  if (!['info', 'enroll', 'identify', 'delete'].includes(sub ?? '')) {
    o.err(`kioskctl: fingerprint ${sub ?? ''}: expected info, enroll, identify or delete\n`);
    return 64;
  }
  if (o.forUser !== undefined && sub !== 'enroll') {
    o.err('kioskctl: --for USER goes with fingerprint enroll\n');
    return 64;
  }
  if (o.forUser !== undefined) {
    // Before the finger is taken: a typo in the name should not cost the technician an enrolment.
    try {
      if (!o.configPath) throw new SlotMappingError('no configuration file to tie the slot in');
      await assertUser(o.configPath, o.forUser);
    } catch (e) {
      if (!(e instanceof SlotMappingError)) throw e;
      o.err(`kioskctl: --for ${o.forUser}: ${e.message}\n`);
      return 64;
    }
  }
  const api = new LocalApiClient(o.socket);
  // Captures wait for the finger: give the agent the deadline (twice for enrol) and some margin.
  const longMs = (deadline ?? 60_000) * 2 + 15_000;
  try {
    if (o.pin !== undefined) {
      if (!o.user) {
        o.err('kioskctl: --pin needs --user (or KIOSKCTL_USER): logins are personal\n');
        return 64;
      }
      await api.login(o.user, o.pin);
    }
    const deadlineBody = deadline !== undefined ? { deadlineMs: deadline } : {};
    let result: Record<string, unknown>;
    let text: string;
    switch (sub) {
      case 'info':
        result = await api.call('GET', '/v1/fingerprint');
        text = describeInfo(result, o.configPath ? await slotOwners(o.configPath).catch(() => new Map<number, string>()) : new Map<number, string>());
        break;
      case 'enroll':
        if (!o.json) o.out('Place the finger on the reader, lift it, then place it again…\n');
        result = await api.call('POST', '/v1/fingerprint/enroll', { ...deadlineBody, ...(slot !== undefined ? { slot } : {}), ...(o.allowDuplicate ? { allowDuplicate: true } : {}) }, longMs);
        text = `enrolled in slot ${num(result['slot'])}${result['templateCount'] !== undefined ? ` (${num(result['templateCount'])} enrolled)` : ''}\n`;
        if (o.forUser !== undefined) {
          const slotNo = result['slot'] as number;
          try {
            const from = await tieSlot(o.configPath!, o.forUser, slotNo);
            const r = await reloadAgent(api);
            result = { ...result, user: o.forUser, ...(from.length ? { untiedFrom: from } : {}), reloaded: r.reloaded };
            text += `slot ${slotNo} now logs in ${o.forUser}${from.length ? ` (it was ${from.join(', ')}'s)` : ''}; ${r.note}\n`;
          } catch (e) {
            if (!(e instanceof SlotMappingError) && !(e as NodeJS.ErrnoException).code) throw e;
            o.err(`kioskctl: enrolled in slot ${slotNo}, but it is not tied to ${o.forUser}: ${(e as Error).message}\n  add ${slotNo} to fingerprintSlots of ${o.forUser} in auth.users of ${o.configPath!}, then ${RELOAD}\n`);
            return 73;
          }
        }
        break;
      case 'identify':
        if (!o.json) o.out('Place the finger on the reader…\n');
        result = await api.call('POST', '/v1/fingerprint/identify', deadlineBody, longMs);
        text = result['matched'] ? `matched slot ${num(result['slot'])} (score ${num(result['score'])})\n` : 'not recognised: this finger is not enrolled\n';
        break;
      default:
        result = await api.call('DELETE', `/v1/fingerprint/templates/${slot!}`);
        text = `deleted slot ${num(result['slot'])}${result['templateCount'] !== undefined ? ` (${num(result['templateCount'])} left)` : ''}\n`;
        if (o.configPath) {
          // A freed slot must not keep logging in its old owner once another finger lands in it.
          const from = await untieSlot(o.configPath, slot!).catch((e: unknown) => {
            o.err(`kioskctl: slot ${slot!} is deleted on the reader, but could not be untied in ${o.configPath!}: ${(e as Error).message}\n`);
            return [];
          });
          if (from.length) {
            const r = await reloadAgent(api);
            result = { ...result, untiedFrom: from, reloaded: r.reloaded };
            text += `slot ${slot!} no longer logs in ${from.join(', ')}; ${r.note}\n`;
          }
        }
    }
    o.out(o.json ? `${JSON.stringify(result)}\n` : text);
    return 0;
  } catch (e) {
    if (!(e instanceof LocalApiError)) throw e;
    const hint = e.status === 401 && o.pin === undefined ? '\n  these commands are for admins: log in with --user NAME and KIOSKCTL_PIN (or --pin)' : '';
    o.err(`kioskctl: ${e.message}${hint}\n`);
    return exitCodeOf(e);
  } finally {
    await api.logout();
  }
}
