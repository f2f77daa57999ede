/**
 * `kioskctl selftest`: proves the kiosk works before the technician leaves — the kiosk's own
 * identity reaches the broker, the agent is up and connected, the printer prints, the reader and
 * the UPS answer, the clock is synced, the disk has room, the outbox is draining. Each failure
 * comes with what to do about it. Every check is bounded in time.
 */
import { readFile, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect } from 'mqtt';
import type { AgentConfig } from '../agent/config/schema.js';
import { silentLogger } from '../drivers/common/logger.js';
import { PrinterConfig } from '../drivers/printer/config.js';
import { openLinkFor } from '../drivers/printer/open-link.js';
import { printerTestPage } from '../drivers/printer/technician.js';
import { LocalApiClient } from './local-api.js';
import { type Lang, remedyIn } from './messages.js';
import { certFacts } from './pki.js';

export type Verdict = 'pass' | 'fail' | 'skip';
export interface CheckResult {
  name: string;
  verdict: Verdict;
  detail: string;
  remedy?: string;
}

export interface SelftestOptions {
  config: AgentConfig;
  timeoutMs?: number;
  minFreeBytes?: number;
  maxOutbox?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

async function bounded<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

async function checkCertificate(cfg: AgentConfig, now: number): Promise<CheckResult> {
  const name = 'certificate';
  const tls = cfg.mqtt.tls;
  if (!tls?.cert || !tls.key) return { name, verdict: 'fail', detail: 'no client certificate configured', remedy: 'run kioskctl provision with a claim code' };
  try {
    const f = certFacts(await readFile(tls.cert, 'utf8'), await readFile(tls.key, 'utf8'));
    const days = Math.floor((f.notAfter.getTime() - now) / 86_400_000);
    if (f.commonName !== cfg.kiosk.id) return { name, verdict: 'fail', detail: `issued to ${f.commonName ?? '?'}`, remedy: 'provision again with this kiosk id and a new claim code' };
    if (!f.keyMatches) return { name, verdict: 'fail', detail: 'does not match the TLS key', remedy: 'provision again with a new claim code' };
    if (days < 7) return { name, verdict: 'fail', detail: `expires in ${days} days`, remedy: 'ask central for a claim code and provision again' };
    return { name, verdict: 'pass', detail: `CN=${f.commonName}, valid ${days} more days` };
  } catch (err) {
    return { name, verdict: 'fail', detail: (err as Error).message, remedy: 'run kioskctl provision with a claim code' };
  }
}

async function checkMqtt(cfg: AgentConfig, ms: number): Promise<CheckResult> {
  const name = 'mqtt identity';
  const tls = cfg.mqtt.tls;
  try {
    const opts = {
      // Never the kiosk id itself: the broker would disconnect the running agent to let this in.
      clientId: `${cfg.kiosk.id}-selftest`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: ms,
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
      ...(tls?.ca ? { ca: await readFile(tls.ca) } : {}),
      ...(tls?.cert ? { cert: await readFile(tls.cert) } : {}),
      ...(tls?.key ? { key: await readFile(tls.key) } : {}),
    };
    const client = connect(cfg.mqtt.url, opts);
    try {
      await bounded(ms, 'broker', new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      }));
    } finally {
      await client.endAsync(true).catch(() => undefined);
    }
    return { name, verdict: 'pass', detail: `connected to ${cfg.mqtt.url} as ${cfg.kiosk.id}` };
  } catch (err) {
    return { name, verdict: 'fail', detail: (err as Error).message, remedy: 'check the network, the broker URL, the CA file, and that the certificate was issued by central' };
  }
}

async function checkPrinter(cfg: AgentConfig): Promise<CheckResult> {
  const name = 'printer';
  const section = (cfg.devices as Record<string, unknown>)['printer'];
  if (section === undefined) return { name, verdict: 'skip', detail: 'no printer configured' };
  const p = PrinterConfig.safeParse(section);
  if (!p.success) return { name, verdict: 'fail', detail: 'devices.printer is not valid', remedy: 'fix devices.printer in the answers and provision again' };
  const r = await printerTestPage({ openLink: openLinkFor(p.data.transport), logger: silentLogger, paper: p.data.paper });
  if (!r.reachable) return { name, verdict: 'fail', detail: r.error ?? 'printer not reachable', remedy: 'check the printer cable and power, then discover again' };
  if (r.test && 'error' in r.test) return { name, verdict: 'fail', detail: r.test.error, remedy: 'check the paper roll and the cover' };
  return { name, verdict: 'pass', detail: 'test page printed' };
}

function fromAgent(status: Record<string, unknown> | undefined, device: string, configured: boolean, remedy: string): CheckResult {
  if (!status) return { name: device, verdict: configured ? 'fail' : 'skip', detail: configured ? 'agent not answering' : 'not configured', ...(configured ? { remedy: 'start the agent: systemctl start kiosk-agent' } : {}) };
  const h = (status['devices'] as Record<string, { state: string; detail?: string }> | undefined)?.[device];
  if (!h) return configured ? { name: device, verdict: 'fail', detail: 'the agent does not report it', remedy } : { name: device, verdict: 'skip', detail: 'not configured' };
  const ok = h.state === 'ok' || h.state === 'degraded';
  return { name: device, verdict: ok ? 'pass' : 'fail', detail: `${h.state}${h.detail ? `: ${h.detail}` : ''}`, ...(ok ? {} : { remedy }) };
}

export async function selftest(o: SelftestOptions): Promise<CheckResult[]> {
  const cfg = o.config;
  const ms = o.timeoutMs ?? 10_000;
  const now = (o.now ?? Date.now)();
  const results: CheckResult[] = [];
  results.push(await checkCertificate(cfg, now));
  results.push(await checkMqtt(cfg, ms));
  let status: Record<string, unknown> | undefined;
  try {
    status = await new LocalApiClient(cfg.api.socket).call('GET', '/v1/status', undefined, ms);
    const link = status['link'] as { state: string } | undefined;
    const up = link?.state === 'up';
    results.push({ name: 'agent', verdict: up ? 'pass' : 'fail', detail: `running, link ${link?.state ?? '?'}`, ...(up ? {} : { remedy: 'the agent cannot reach central: check the network and `journalctl -u kiosk-agent`' }) });
  } catch (err) {
    results.push({ name: 'agent', verdict: 'fail', detail: (err as Error).message, remedy: 'start the agent: systemctl start kiosk-agent; see journalctl -u kiosk-agent' });
  }
  results.push(await checkPrinter(cfg));
  const devices = cfg.devices as Record<string, unknown>;
  results.push(fromAgent(status, 'fingerprint', devices['fingerprint'] !== undefined, 'reconnect the reader; for an RD service, restart it and check it says READY'));
  results.push(fromAgent(status, 'ups', devices['ups'] !== undefined, 'check the UPS USB/serial cable and that upsd runs (upsc -l)'));
  const clock = status?.['clock'] as { synced: boolean; source: string } | undefined;
  results.push(
    clock?.synced
      ? { name: 'clock', verdict: 'pass', detail: `synced (${clock.source})` }
      : { name: 'clock', verdict: 'fail', detail: clock ? `not synced (${clock.source})` : 'unknown (agent not answering)', remedy: 'enable NTP: timedatectl set-ntp true; check the network' },
  );
  try {
    const s = await statfs(dirname(cfg.store.path));
    const free = s.bavail * s.bsize;
    const min = o.minFreeBytes ?? 200 * MB;
    results.push({ name: 'disk', verdict: free >= min ? 'pass' : 'fail', detail: `${Math.floor(free / MB)} MiB free`, ...(free >= min ? {} : { remedy: 'free space on the SD card (old logs: journalctl --vacuum-size=50M)' }) });
  } catch (err) {
    results.push({ name: 'disk', verdict: 'fail', detail: (err as Error).message, remedy: 'check that the state directory exists (provision again)' });
  }
  const q = status?.['queue'] as { depth: number; overLimit: boolean } | undefined;
  const max = o.maxOutbox ?? 1000;
  results.push(
    q
      ? { name: 'outbox', verdict: q.depth <= max && !q.overLimit ? 'pass' : 'fail', detail: `${q.depth} messages waiting`, ...(q.depth <= max && !q.overLimit ? {} : { remedy: 'the link to central is down or slow: check the network' }) }
      : { name: 'outbox', verdict: 'fail', detail: 'unknown (agent not answering)', remedy: 'start the agent' },
  );
  return results;
}

export function renderChecks(results: CheckResult[], lang: Lang = 'en'): string {
  const w = Math.max(...results.map((r) => r.name.length));
  return results
    .map((r) => `${r.verdict === 'pass' ? 'PASS' : r.verdict === 'fail' ? 'FAIL' : 'skip'}  ${r.name.padEnd(w)}  ${r.detail}${r.remedy ? `\n      → ${remedyIn(lang, r.remedy)}` : ''}`)
    .join('\n')
    .concat('\n');
}
