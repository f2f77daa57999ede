/**
 * `kioskctl`: the field technician's command line. This first cut checks and shows the
 * configuration and the queue for central; discovery, provisioning and the self-test join it.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, resolveConfigPath } from '../agent/config/load.js';
import { maskSecrets } from '../agent/config/mask.js';
import { silentLogger } from '../drivers/common/logger.js';
import { Store } from '../agent/store/db.js';
import { FINGERPRINT_HELP, fingerprintCommand } from './fingerprint.js';
import { UPS_HELP, upsCommand } from './ups.js';
import { PRINTER_HELP, printerCommand } from './printer.js';
import { RECEIPT_HELP, receiptVerifyCommand } from './receipt-verify.js';
import { isProvisioningCommand, PROVISIONING_HELP, provisioningCommand } from './commands.js';
import { CONSOLE_HELP, consoleCommand } from './console/command.js';

const HELP = `kioskctl — set up and check a kiosk

Usage: kioskctl <command> [options]

Commands:
  config check    validate the agent configuration
  config show     print the effective configuration (secrets masked)
  queue           messages waiting for central, by channel
${FINGERPRINT_HELP}
${UPS_HELP}
${PRINTER_HELP}
${RECEIPT_HELP}
${PROVISIONING_HELP}
${CONSOLE_HELP}

Options:
  -c, --config PATH   configuration file (else $KIOSK_AGENT_CONFIG, else /etc/kiosk-agent/config.json)
      --json          machine-readable output
      --user NAME     your personal login, for admin commands (else $KIOSKCTL_USER)
      --pin PIN       its PIN (prefer $KIOSKCTL_PIN: a flag stays in the shell history)
      --slot N        fingerprint enroll: store in slot N
      --for USER      fingerprint enroll: tie the new slot to that login (auth.users) for fingerprint login
      --deadline MS   fingerprint enroll/identify: how long to wait for the finger, ms
      --key FILE      receipt verify: the kiosk's receipt public key (PEM)
      --socket PATH   console: the agent's local API socket (else api.socket of the configuration)
      --idle-lock SEC console: lock after SEC s without a key, 0 never (else console.idleLockSec, 300)
      --lang en|hi    console: the language it starts in (else console.lang; F2 switches)
  -h, --help          this text
`;

function fail(msg: string, code: number): never {
  process.stderr.write(`kioskctl: ${msg}\n`);
  process.exit(code);
}

export function main(argv: string[]): void {
  // Provisioning commands parse their own options and run before any configuration exists.
  if (isProvisioningCommand(argv)) {
    provisioningCommand(argv).then((code) => (process.exitCode = code), (err: unknown) => fail((err as Error).message, 70));
    return;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        user: { type: 'string' },
        pin: { type: 'string' },
        slot: { type: 'string' },
        deadline: { type: 'string' },
        'allow-duplicate': { type: 'boolean' },
        for: { type: 'string' },
        key: { type: 'string' },
        socket: { type: 'string' },
        'idle-lock': { type: 'string' },
        lang: { type: 'string' },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n\n${HELP}`, 64);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return;
  }
  const cmd = positionals.join(' ');
  const path = resolveConfigPath(values.config);
  const err = (x: string) => void process.stderr.write(x);
  if (positionals[0] === 'console' && values.socket) {
    // With the socket given, the console needs no configuration file at all.
    consoleCommand({ socket: values.socket, idleLockSec: values['idle-lock'], lang: values.lang, err }).then((code) => (process.exitCode = code), (e: unknown) => fail((e as Error).message, 70));
    return;
  }
  const run = async () => {
    const loaded = await loadConfig(path).catch((err: unknown) => {
      if (err instanceof ConfigError) fail(`invalid ${err.message}`, 78);
      throw err;
    });
    if (positionals[0] === 'console') {
      const c = loaded.config.console;
      process.exitCode = await consoleCommand({ socket: loaded.config.api.socket, idleLockSec: values['idle-lock'] ?? c?.idleLockSec, lang: values.lang ?? c?.lang, err });
      return;
    }
    if (positionals[0] === 'fingerprint') {
      process.exitCode = await fingerprintCommand(positionals.slice(1), {
        socket: loaded.config.api.socket,
        user: values.user ?? process.env['KIOSKCTL_USER'],
        pin: values.pin ?? process.env['KIOSKCTL_PIN'],
        slot: values.slot,
        deadlineMs: values.deadline,
        allowDuplicate: values['allow-duplicate'],
        forUser: values.for,
        configPath: path,
        json: values.json,
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
      });
      return;
    }
    if (positionals[0] === 'printer') {
      const user = values.user ?? process.env['KIOSKCTL_USER'];
      const pin = values.pin ?? process.env['KIOSKCTL_PIN'];
      const io = { json: values.json, out: (x: string) => process.stdout.write(x), err: (x: string) => process.stderr.write(x) };
      process.exitCode = await printerCommand(positionals.slice(1), { socket: loaded.config.api.socket, user, pin, ...io });
      return;
    }
    if (positionals[0] === 'receipt') {
      const io = { json: values.json, out: (x: string) => process.stdout.write(x), err: (x: string) => process.stderr.write(x) };
      process.exitCode = receiptVerifyCommand(positionals.slice(1), { deviceKey: loaded.config.devices.printer?.deviceKey, keyFile: values.key, ...io });
      return;
    }
    if (positionals[0] === 'ups') {
      process.exitCode = await upsCommand(positionals.slice(1), {
        config: loaded.config,
        json: values.json,
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
      });
      return;
    }
    switch (cmd) {
      case 'config check':
        process.stdout.write(`ok: ${path}\n`);
        return;
      case 'config show':
        process.stdout.write(`${JSON.stringify(maskSecrets(loaded.config), null, 2)}\n`);
        return;
      case 'queue': {
        const store = await Store.open(loaded.config.store.path, { logger: silentLogger });
        const rows = await store.all<{ channel: string; n: number; bytes: number; oldest: number }>(
          'SELECT channel, count(*) AS n, sum(bytes) AS bytes, min(created_ts) AS oldest FROM outbox GROUP BY channel ORDER BY channel',
        );
        await store.close();
        if (values.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (!rows.length) process.stdout.write('queue empty\n');
        for (const r of rows) {
          process.stdout.write(`${r.channel.padEnd(14)} ${String(r.n).padStart(7)} msgs ${String(r.bytes).padStart(10)} bytes  oldest ${new Date(r.oldest).toISOString()}\n`);
        }
        return;
      }
      default:
        fail(`unknown command "${cmd}"\n\n${HELP}`, 64);
    }
  };
  run().catch((err: unknown) => fail((err as Error).message, 70));
}
