/**
 * kioskctl's provisioning commands — discover, provision, selftest, status — with their own
 * options, dispatched from cli.ts before it loads a configuration (discover and provision run on
 * a kiosk that has none yet).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../agent/config/load.js';
import { PrinterConfig } from '../drivers/printer/config.js';
import { openLinkFor } from '../drivers/printer/open-link.js';
import { discover, renderInventory } from './discover.js';
import { layout, readIfExists } from './files.js';
import { LocalApiClient } from './local-api.js';
import { type Lang, msg, pickLang, step } from './messages.js';
import { provisionCommand, ttyAsk } from './provision-command.js';
import { printReceipt, receiptText } from './receipt.js';
import { renderChecks, selftest } from './selftest.js';

export const PROVISIONING_COMMANDS = ['discover', 'provision', 'selftest', 'status'];

export const PROVISIONING_HELP = `  discover        find printers, readers and UPSes (USB, serial, RD service, NUT)
  provision       give the kiosk its identity and configuration; enroll by claim code
                  (--answers FILE | flags, --root DIR, --dry-run, --yes, --inventory FILE)
  selftest        check everything works; prints the provisioning receipt
  status          what the agent is doing now (local API)`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  root: { type: 'string' },
  answers: { type: 'string' },
  inventory: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  lang: { type: 'string' },
  port: { type: 'string', multiple: true },
  'no-enroll': { type: 'boolean' },
  'no-print': { type: 'boolean' },
  timeout: { type: 'string' },
  ...Object.fromEntries(
    ['kiosk-id', 'kiosk-name', 'district', 'lsp', 'address', 'mqtt-url', 'mqtt-ca', 'central-key', 'central-key-id', 'claim-code', 'claim-cert', 'claim-key', 'rd-ports', 'nut-port'].map((k) => [k, { type: 'string' as const }]),
  ),
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * Whether argv names one of these commands: the first positional, with option values skipped
 * (`kioskctl -c /etc/kiosk-agent/config.json selftest`). Options of other commands are not known
 * here; parsing leniently lets them through as flags.
 */
export function isProvisioningCommand(argv: string[]): boolean {
  // The other commands' options that take a value (cli.ts), so their values are not taken for commands.
  const others = Object.fromEntries(['user', 'pin', 'slot', 'deadline', 'for'].map((k) => [k, { type: 'string' as const }]));
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { ...others, ...OPTIONS } });
  return PROVISIONING_COMMANDS.includes(positionals[0] ?? '');
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function provisioningCommand(argv: string[], o: Io = io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  const v = values as Record<string, string | boolean | string[] | undefined>;
  const lang: Lang = pickLang(v.lang as string | undefined);
  const root = (v.root as string | undefined) ?? '/';
  const rdPorts = typeof v['rd-ports'] === 'string' ? v['rd-ports'].split(',').map(Number) : undefined;
  const discoverOpts = {
    ports: (v.port as string[] | undefined) ?? [],
    ...(rdPorts ? { rdPorts } : {}),
    ...(v['nut-port'] ? { nutPort: Number(v['nut-port']) } : {}),
  };
  const configPath = (v.config as string | undefined) ?? layout(root).config;
  switch (positionals[0]) {
    case 'discover': {
      const r = await step(msg('discovering', lang), o.err, () => discover(discoverOpts));
      if (v.json) o.out(`${JSON.stringify(r)}\n`);
      else o.out(r.inventory.length ? `${msg('discovered', lang)}:\n${renderInventory(r.inventory)}` : `${msg('nothingFound', lang)}\n`);
      return 0;
    }
    case 'provision': {
      const interactive = !v.answers && process.stdin.isTTY === true;
      const tty = interactive ? ttyAsk() : undefined;
      try {
        return await provisionCommand({
          root,
          ...(v.answers ? { answersFile: v.answers as string } : {}),
          ...(v.inventory ? { inventoryFile: v.inventory as string } : {}),
          flags: v as Record<string, string | undefined>,
          dryRun: v['dry-run'] === true,
          yes: v.yes === true,
          json: v.json === true,
          noEnroll: v['no-enroll'] === true,
          lang,
          interactive,
          discover: () => discover(discoverOpts),
          ...(tty ? { ask: tty.ask } : {}),
          ...o,
        });
      } finally {
        tty?.close();
      }
    }
    case 'selftest':
    case 'status': {
      let loaded;
      try {
        loaded = await loadConfig(configPath);
      } catch (err) {
        if (err instanceof ConfigError) {
          o.err(`kioskctl: invalid ${err.message}\n`);
          return 78;
        }
        throw err;
      }
      const cfg = loaded.config;
      if (positionals[0] === 'status') {
        try {
          const s = await new LocalApiClient(cfg.api.socket).call('GET', '/v1/status', undefined, 5000);
          if (v.json) o.out(`${JSON.stringify(s)}\n`);
          else o.out(renderStatus(s));
          return 0;
        } catch (err) {
          o.err(`${msg('agentDown', lang)}: ${(err as Error).message}\n`);
          return 69;
        }
      }
      const results = await step('selftest', o.err, () => selftest({ config: cfg, ...(v.timeout ? { timeoutMs: Number(v.timeout) } : {}) }));
      const failed = results.some((r) => r.verdict === 'fail');
      if (v.json) o.out(`${JSON.stringify({ ok: !failed, checks: results })}\n`);
      else o.out(renderChecks(results, lang));
      o.err(`${failed ? msg('selftestFail', lang) : msg('selftestPass', lang)}\n`);
      const record = await readIfExists(layout(root).record);
      if (!failed && record) {
        const r = JSON.parse(record) as { kioskId: string; district: string; lsp: string; certificateSha256: string; enrolledAt: string };
        const facts = { kioskId: r.kioskId, district: r.district, lsp: r.lsp, fingerprint: r.certificateSha256, at: r.enrolledAt };
        if (!v.json) o.out(`\n${msg('receipt', lang)}\n${receiptText(facts)}`);
        const printer = PrinterConfig.safeParse((cfg.devices as Record<string, unknown>)['printer']);
        if (printer.success && v['no-print'] !== true) {
          await printReceipt(openLinkFor(printer.data.transport), printer.data.paper, facts).catch((err: unknown) => o.err(`receipt not printed: ${(err as Error).message}\n`));
        }
      }
      return failed ? 1 : 0;
    }
    default:
      return 64;
  }
}

function renderStatus(s: Record<string, unknown>): string {
  const k = s['kiosk'] as { id: string; district: string; lsp: string };
  const link = s['link'] as { state: string; session: number };
  const q = s['queue'] as { depth: number; bytes: number; overLimit: boolean };
  const c = s['clock'] as { synced: boolean; source: string };
  const devices = Object.entries((s['devices'] as Record<string, { state: string; detail?: string }>) ?? {});
  return [
    `kiosk    ${k.id}  (${k.district}, ${k.lsp})  v${String(s['version'])}  up ${String(s['uptimeSec'])} s`,
    `central  ${link.state} (session ${link.session})`,
    `queue    ${q.depth} messages, ${q.bytes} bytes${q.overLimit ? ' — OVER LIMIT' : ''}`,
    `clock    ${c.synced ? 'synced' : 'NOT synced'} (${c.source})`,
    ...devices.map(([name, h]) => `${name.padEnd(8)} ${h.state}${h.detail ? `: ${h.detail}` : ''}`),
    '',
  ].join('\n');
}
