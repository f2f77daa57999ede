/**
 * `kiosk-agent`: the daemon's command line. A bad configuration ends the process with one clear
 * message and exit status 78 (EX_CONFIG, so systemd's RestartPreventExitStatus can stop a
 * restart loop on a file that will not get better by itself) — never a stack trace.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, resolveConfigPath } from './config/load.js';
import { maskSecrets } from './config/mask.js';
import { createLogger } from './logging.js';
import { Agent } from './supervisor.js';
import { AGENT_VERSION } from './version.js';

export const EXIT_CONFIG = 78;

const HELP = `kiosk-agent ${AGENT_VERSION} — the kiosk's headless agent

Usage: kiosk-agent [--config PATH] [--check-config] [--print-config]

Options:
  -c, --config PATH   configuration file (else $KIOSK_AGENT_CONFIG, else /etc/kiosk-agent/config.json)
      --check-config  validate the configuration, print "ok" and exit
      --print-config  print the effective configuration (secrets masked) and exit
  -h, --help          this text
  -v, --version       the version

Runs until SIGTERM or SIGINT; under systemd (Type=notify) it reports READY and WATCHDOG.
SIGHUP (systemctl reload kiosk-agent) reads the logins (auth) from the file again; a change
to any other section is logged and takes effect at the next restart.
Exit status: 0 clean stop, 64 bad arguments, 78 bad configuration, 70 internal error.
`;

export function main(argv: string[]): void {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'boolean' },
        'print-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`kiosk-agent: ${(err as Error).message}\n\n${HELP}`);
    process.exit(64);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return;
  }
  if (v.version) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  void run(resolveConfigPath(v.config), Boolean(v['check-config']), Boolean(v['print-config']));
}

async function run(path: string, checkOnly: boolean, print: boolean): Promise<void> {
  let loaded;
  try {
    loaded = await loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kiosk-agent: invalid ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  if (checkOnly) {
    process.stdout.write(`ok: ${path} (schema version ${loaded.fileVersion}${loaded.fileVersion !== loaded.config.schemaVersion ? `, migrated to ${loaded.config.schemaVersion}` : ''})\n`);
    return;
  }
  if (print) {
    process.stdout.write(`${JSON.stringify(maskSecrets(loaded.config), null, 2)}\n`);
    return;
  }

  const logger = createLogger(loaded.config.log.level);
  logger.info({ config: maskSecrets(loaded.config), path }, 'configuration loaded');

  // A bug must not leave a half-working agent: log it and exit so systemd restarts a clean
  // process; everything committed is in the store. A stray rejection is logged and survived.
  process.on('uncaughtException', (err) => {
    logger.fatal({ err: { message: err.message, stack: err.stack } }, 'uncaught exception; exiting');
    process.exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection');
  });

  let agent: Agent;
  try {
    agent = await Agent.start({ loaded, logger });
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'agent could not start');
    process.stderr.write(`kiosk-agent: could not start: ${(err as Error).message}\n`);
    process.exit(70);
  }
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ sig }, 'second signal; exiting now');
      process.exit(1);
    }
    agent
      .stop(`signal ${sig}`)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err: (err as Error).message }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // systemctl reload: the logins are read again (agent/config/reload.ts).
  process.on('SIGHUP', () => {
    agent.reloadFromFile().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'configuration reload failed'));
  });
  // A stop the agent asked for itself (the UPS on low battery) ends the process too.
  void agent.stopped.then(() => process.exit(0));
}
