/**
 * The receipt printer capability (issue 5): runs drivers/printer's ReceiptPrinter on
 * `devices.printer` with its job queue in SQLite (migration 4) and the kiosk's Ed25519 device
 * key, reports the printer into `state` and its conditions as `printer.*` events, connects the
 * ledger (POST /v1/receipts/:txn/print, the `print.test` job) and the e-KYC acknowledgement, and
 * serves the operator's and technician's endpoints.
 *
 * On start, a job the previous run left `sending` (kill -9, power cut) becomes `uncertain`: it
 * is never resent on its own, but reported (printer.job_uncertain) and listed for the operator.
 * Without a `devices.printer` section the endpoints still answer, saying no printer is
 * configured, and prints are refused by the ledger with 503.
 */
import type { OpenLink } from '../../drivers/printer/link.js';
import type { PrinterEvent } from '../../drivers/printer/events.js';
import type { PrinterHealth } from '../../drivers/printer/health.js';
import type { ReceiptPrinter } from '../../drivers/printer/service.js';
import type { Capability } from '../context.js';
import type { BusinessCapability } from '../ledger/capability.js';
import { ekycPrinter, ForwardingEkycPrinter, ledgerPrinter } from './adapters.js';
import type { AgentPrinterConfig } from './config.js';
import { loadOrCreateDeviceKey } from './device-key.js';
import { jobView, printerProblems, printerRoutes, type PrinterApi } from './routes.js';
import { SqlitePrintJobStore } from './store.js';

export interface PrinterDeps {
  ledger: Pick<BusinessCapability, 'setPrinter'>;
  /** Replaces the link built from the transport (tests). */
  openLink?: OpenLink;
  /** Receives the printer once started (tests). */
  onStarted?: (p: ReceiptPrinter) => void;
}

export interface PrinterCapability extends Capability {
  /** For the e-KYC capability, which starts first: prints once this capability has started. */
  ekycAck: ForwardingEkycPrinter;
}

function describeTransport(c: AgentPrinterConfig): string {
  const t = c.transport;
  switch (t.type) {
    case 'tcp':
      return `tcp ${t.host}:${t.port}`;
    case 'serial':
      return `serial ${t.path}`;
    case 'lp':
      return `lp ${t.path}`;
    case 'usb':
      return `usb ${t.vendorId.toString(16).padStart(4, '0')}:${t.productId.toString(16).padStart(4, '0')}`;
  }
}

export function printerCapability(deps: PrinterDeps): PrinterCapability {
  const ekycAck = new ForwardingEkycPrinter();
  return {
    name: 'printer',
    ekycAck,
    async start(ctx) {
      const { config } = ctx.loaded;
      const cfg = config.devices.printer;
      if (!cfg || !cfg.enabled) {
        if (cfg) ctx.devices.set('printer', { state: 'disabled' });
        const none: PrinterApi = {
          info: () => Promise.resolve({ configured: !!cfg, enabled: false, queued: 0, uncertain: [] }),
          test: () => Promise.reject(printerProblems.notConfigured()),
          jobs: () => Promise.resolve([]),
          reprint: () => Promise.reject(printerProblems.notConfigured()),
          confirm: () => Promise.reject(printerProblems.notConfigured()),
          publicKeyPem: () => undefined,
        };
        ctx.router.add(...printerRoutes(none));
        return undefined;
      }
      const log = ctx.logger('printer');
      const key = loadOrCreateDeviceKey(cfg.deviceKey);
      if (key.created) log.info({ path: cfg.deviceKey }, 'receipt device key created');
      if (key.tightened) log.warn({ path: cfg.deviceKey }, 'receipt device key was readable by others; mode set to 0600');
      for (const w of key.warnings) log.warn({ path: cfg.deviceKey }, w);
      const store = new SqlitePrintJobStore(ctx.store);

      // Events are written one after the other, in the order the driver saw the changes.
      let chain: Promise<unknown> = Promise.resolve();
      const emit = (e: PrinterEvent): void => {
        chain = chain
          // Each type's data is what drivers/printer/events.ts builds for it, checked by the contract schema.
          .then(() => ctx.events.emit(e.type, e.severity, e.data as never))
          .catch((err: unknown) => log.error({ err: (err as Error).message, event: e.type }, 'printer event not recorded'));
        ctx.track(chain);
      };

      // Loaded only with a printer configured: rendering brings in the canvas and the fonts,
      // which a kiosk without a printer should not pay for at every start.
      const { ReceiptPrinter } = await import('../../drivers/printer/service.js');
      const printer = new ReceiptPrinter({
        config: cfg,
        rates: config.ledger.rates,
        privateKey: key.privateKey,
        store,
        logger: log,
        emit,
        ...(deps.openLink ? { openLink: deps.openLink } : {}),
      });

      // The device entry carries the queue counts, so central sees receipts waiting or uncertain.
      let counts = { queued: 0, uncertain: 0 };
      const report = (h: PrinterHealth = printer.health): void => {
        ctx.devices.set('printer', { ...h, ...counts });
      };
      const recount = async (): Promise<void> => {
        const [pending, uncertain] = await Promise.all([printer.queue.pending(), printer.uncertain()]);
        counts = { queued: pending.length, uncertain: uncertain.length };
        report();
      };
      printer.driver.on('health', (h) => report(h));
      printer.queue.on('job', () => ctx.track(recount()));
      ctx.reporter.addSummary(() => (counts.uncertain > 0 ? `print:uncertain${counts.uncertain}` : counts.queued > 0 ? `print:q${counts.queued}` : undefined));

      report();
      // Not awaited: a network printer that does not answer would hold up the agent's start for
      // the connect timeout. Receipts queued meanwhile are stored and print once it is open.
      const started = printer
        .start()
        .then(async (interrupted) => {
          for (const j of interrupted) log.warn({ jobId: j.id, receiptNo: j.key }, 'receipt interrupted by the previous stop: the operator confirms or reprints it');
          await recount();
        })
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'receipt printer did not start'));
      ctx.track(started);

      const api: PrinterApi = {
        info: async () => ({
          configured: true,
          enabled: true,
          transport: describeTransport(cfg),
          paper: cfg.paper,
          lifecycle: printer.driver.lifecycle,
          health: { ...printer.health },
          status: { ...printer.driver.status },
          ...(printer.driver.statusSupported !== undefined ? { statusSupported: printer.driver.statusSupported } : {}),
          ...(printer.driver.lastError !== undefined ? { lastError: printer.driver.lastError } : {}),
          queued: (await printer.queue.pending()).length,
          uncertain: (await printer.uncertain()).map(jobView),
        }),
        test: () => printer.printTest(),
        jobs: async (limit) => (await store.recent(limit)).map(jobView),
        reprint: async (id) => jobView(await printer.reprint(id)),
        confirm: async (id) => {
          await printer.confirmPrinted(id);
          const j = await store.get(id);
          return jobView(j!);
        },
        publicKeyPem: () => key.publicKeyPem,
      };
      ctx.router.add(...printerRoutes(api));

      deps.ledger.setPrinter(ledgerPrinter(printer));
      ekycAck.current = ekycPrinter({ printer, kioskName: config.kiosk.name ?? config.kiosk.id, rates: config.ledger.rates, store: ctx.store });
      deps.onStarted?.(printer);
      return {
        stop: async () => {
          deps.ledger.setPrinter(undefined);
          ekycAck.current = undefined;
          await started;
          await printer.stop();
          await chain;
        },
      };
    },
  };
}
