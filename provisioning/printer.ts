/**
 * `kioskctl printer status|test`: the technician's printer commands. They go through the agent's
 * local API, because the agent holds the printer (a second opener would interleave bytes with a
 * receipt being printed). `status` needs an operator login, `test` an admin one: the technician
 * logs in with a personal PIN (KIOSKCTL_PIN, or --pin) under KIOSKCTL_USER (or --user).
 */
import { LocalApiClient, LocalApiError } from './local-api.js';

export interface PrinterCommandOptions {
  socket: string;
  user?: string | undefined;
  pin?: string | undefined;
  json?: boolean | undefined;
  out: (s: string) => void;
  err: (s: string) => void;
}

export const PRINTER_HELP = `  printer status           receipt printer health, paper, queue and receipts awaiting a decision
  printer test             print the test page (Hindi and English, QR code, barcode, cut)`;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export function describePrinter(info: Record<string, unknown>): string {
  if (!info['configured']) return 'printer       not configured (devices.printer)\n';
  if (!info['enabled']) return 'printer       disabled (devices.printer.enabled)\n';
  const h = (info['health'] ?? {}) as Record<string, unknown>;
  const lines = [
    `printer       ${str(h['state'])}${h['detail'] ? ` (${str(h['detail'])})` : ''}  ${str(info['transport'])}, ${str(info['paper'])} mm`,
    `  link        ${str(info['lifecycle'])}${info['statusSupported'] === false ? ', no status support' : ''}`,
    `  paper       ${str(h['paper'])}`,
    `  queue       ${str(info['queued'])} waiting`,
  ];
  if (info['lastError'] && info['lifecycle'] !== 'ready') lines.push(`  last error  ${str(info['lastError'])}`);
  const uncertain = (info['uncertain'] ?? []) as Record<string, unknown>[];
  if (uncertain.length) {
    lines.push(`  uncertain   ${uncertain.length} receipt(s) may or may not be on paper — confirm or reprint (marked DUPLICATE):`);
    for (const j of uncertain) lines.push(`    ${str(j['receiptNo'])}  job ${str(j['id'])}  ${str(j['error'])}`);
  }
  return `${lines.join('\n')}\n`;
}

function exitCodeOf(e: LocalApiError): number {
  if (e.status === 0 || e.status === 503) return 69;
  if (e.status === 401 || e.status === 403 || e.status === 423) return 77;
  return 65;
}

export async function printerCommand(args: string[], o: PrinterCommandOptions): Promise<number> {
  const [sub] = args;
  if (sub !== 'status' && sub !== 'test') {
    o.err(`kioskctl: printer ${sub ?? ''}: expected status or test\n`);
    return 64;
  }
  if (!o.user || o.pin === undefined) {
    o.err('kioskctl: log in with --user NAME (or KIOSKCTL_USER) and KIOSKCTL_PIN (or --pin): logins are personal\n');
    return 64;
  }
  const api = new LocalApiClient(o.socket);
  try {
    await api.login(o.user, o.pin);
    if (sub === 'status') {
      const info = await api.call('GET', '/v1/printer');
      o.out(o.json ? `${JSON.stringify(info)}\n` : describePrinter(info));
      return 0;
    }
    // The test page waits behind a receipt being printed and for the printer's confirmation.
    const r = await api.call('POST', '/v1/printer/test', undefined, 90_000);
    o.out(o.json ? `${JSON.stringify(r)}\n` : `test page: ${r['ok'] ? 'ok' : 'FAILED'}${r['detail'] ? ` — ${str(r['detail'])}` : ''}\n`);
    return r['ok'] ? 0 : 69;
  } catch (e) {
    if (!(e instanceof LocalApiError)) throw e;
    o.err(`kioskctl: ${e.message}\n`);
    return exitCodeOf(e);
  } finally {
    await api.logout();
  }
}
