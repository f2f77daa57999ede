/**
 * The kiosk's business rules as one capability (issue 8): the ledger and e-wallet, PIN logins,
 * the inactivity count and jobs from central, wired to the agent through its context. The routes
 * need a login: the supervisor passes `bearerAuthenticator` to the API server.
 */
import type { Capability } from '../context.js';
import { AGENT_VERSION } from '../version.js';
import { authRoutes } from '../auth/routes.js';
import { Sessions } from '../auth/sessions.js';
import { InactivityMonitor } from '../inactivity/monitor.js';
import { inactivityRoute } from '../inactivity/route.js';
import { JobRunner } from '../jobs/runner.js';
import type { Queries } from '../store/db.js';
import { ledgerEnv, recheckMinimum, recordTransaction, type LedgerEnv } from './ledger.js';
import { noPrinter, type ReceiptPrinter } from './printer.js';
import { ledgerRoutes } from './routes.js';
import { settingsRoute } from './settings-route.js';
import type { SettingKey } from './settings.js';
import { LedgerService } from './service.js';

/** What the e-KYC flow (issue 7) hands over for an accepted capture; see agent/ekyc/hooks.ts. */
export interface EkycTxnInput {
  idempotencyKey: string;
  captureId: string;
  service: string;
  chargedPaise: number;
  operator?: string;
}

export interface BusinessCapability extends Capability {
  /**
   * Records an e-KYC transaction inside the caller's SQLite transaction (DESIGN §2: Rs 0 to the
   * citizen, the commission from the rate list). Usable once this capability has started.
   */
  recordEkyc(tx: Queries, input: EkycTxnInput): Promise<{ txnId: string; receiptNo: string; added: import('../outbox/outbox.js').Added[] }>;
  /**
   * Connects the receipt printer once it exists (drivers/printer's ReceiptPrinter facade fits
   * the interface): a printer capability calls this when it has started. Until then prints are
   * refused with 503 and `print.test` jobs fail with the reason.
   */
  setPrinter(printer: ReceiptPrinter | undefined): void;
}

export function businessCapability(deps: { printer?: ReceiptPrinter } = {}): BusinessCapability {
  let env: LedgerEnv | undefined;
  let afterTxn: () => void = () => undefined;
  let current: ReceiptPrinter = deps.printer ?? noPrinter;
  // The service holds this one object; it forwards to whichever printer is connected now.
  const printer: ReceiptPrinter = {
    printReceipt: (doc, opts) => current.printReceipt(doc, opts),
    printTest: () => current.printTest(),
  };
  return {
    name: 'ledger',
    setPrinter(p) {
      current = p ?? noPrinter;
    },
    async recordEkyc(tx, input) {
      if (!env) throw new Error('the ledger has not started');
      const code = Object.prototype.hasOwnProperty.call(env.rates, input.service) ? input.service : 'EKYC';
      const r = await recordTransaction(tx, env, {
        idempotencyKey: `ekyc:${input.idempotencyKey}`,
        serviceCode: code,
        chargedPaise: input.chargedPaise,
        operator: input.operator ?? 'ekyc',
        ref: input.captureId,
      });
      // Runs after the caller's transaction: the store queues it behind the commit.
      queueMicrotask(afterTxn);
      return { txnId: r.txn.txnId, receiptNo: r.txn.receiptNo, added: r.added };
    },
    async start(ctx) {
      const cfg = ctx.loaded.config;
      const e = ledgerEnv(ctx);
      let low = false;
      const changed = () => {
        ctx.reporter.stateChanged();
        ctx.track(ledger.wallet().then((w) => (low = w.belowMinimum)));
      };
      const monitor = new InactivityMonitor(ctx.store, ctx.outbox, ctx.clock, cfg.inactivity, changed);
      const ledger = new LedgerService(ctx.store, e, printer, cfg.kiosk.name ?? cfg.kiosk.id, () => {
        changed();
        ctx.track(monitor.check());
      });
      const sessions = new Sessions(ctx.store, ctx.clock, cfg.auth, ctx.outbox);
      const wallet = async () => {
        const w = await ledger.wallet();
        return { balancePaise: w.balancePaise, minimumPaise: w.minimumPaise, belowMinimum: w.belowMinimum };
      };
      const diagnostics = async (): Promise<Record<string, unknown>> => ({
        agent: { version: AGENT_VERSION, uptimeSec: Math.round(process.uptime()) },
        link: { state: ctx.link.state, session: ctx.link.session },
        queue: ctx.outbox.depth(),
        clock: ctx.clock.info(),
        devices: ctx.devices.snapshot(),
        wallet: await wallet(),
        inactivity: await monitor.section(),
      });
      /** After a wallet job or a setting changed (by central or an admin): re-check and report. */
      const applied = async (what: 'wallet' | SettingKey) => {
        if (what === 'inactivity.warnDays' || what === 'wallet') await monitor.check();
        if (what === 'wallet.minimumPaise') {
          const added = await ctx.store.transaction((tx) => recheckMinimum(tx, e));
          ctx.outbox.committed(...added);
        }
        changed();
      };
      const runner = new JobRunner({
        store: ctx.store,
        outbox: ctx.outbox,
        events: ctx.events,
        clock: ctx.clock,
        ledger: e,
        printTest: () => ledger.printTest(),
        diagnostics,
        republish: () => ctx.reporter.state(),
        afterChange: applied,
        logger: ctx.logger('jobs'),
      });

      await monitor.check();
      await runner.resume();
      env = e;
      afterTxn = () => {
        changed();
        ctx.track(monitor.check());
      };
      ctx.router.add(...authRoutes(sessions), ...ledgerRoutes({ ledger, clock: ctx.clock }), inactivityRoute(() => monitor.section()), settingsRoute(ctx.store, applied));
      ctx.reporter.addStateSection('wallet', wallet);
      ctx.reporter.addStateSection('inactivity', () => monitor.section());
      ctx.reporter.addSummary(() => (low ? 'wallet:low' : undefined));
      ctx.reporter.addSummary(() => (monitor.days >= Math.min(...cfg.inactivity.warnDays, cfg.inactivity.breachDays) ? `idle:${monitor.days}d` : undefined));
      low = (await ledger.wallet()).belowMinimum;
      ctx.link.onMessage('jobs', (payload) => runner.handle(payload));
      monitor.start();
      return {
        stop: async () => {
          env = undefined;
          await monitor.stop();
        },
      };
    },
  };
}
