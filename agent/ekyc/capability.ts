/**
 * The e-KYC capability: wires the capture service to the agent (issue 7). Runs only when the
 * configuration has an `ekyc` section. The RD-service client is the driver's own; an accepted
 * capture is recorded through the ledger (agent/ledger, issue 8) in the same transaction as its
 * state change; the receipt printer (drivers/printer) is injected when one is configured.
 */
import { RdServiceClient } from '../../drivers/fingerprint/rd-service/client.js';
import type { Capability } from '../context.js';
import { ledgerEnv, recordTransaction } from '../ledger/ledger.js';
import type { CaptureSource, ReceiptPrinter, RecordTransaction } from './hooks.js';
import { captureRoutes } from './routes.js';
import { EkycService } from './service.js';

export interface EkycDeps {
  rd?: CaptureSource;
  /** Replaces the ledger (tests). */
  recordTransaction?: RecordTransaction;
  printer?: ReceiptPrinter;
}

export function ekycCapability(deps: EkycDeps = {}): Capability {
  return {
    name: 'ekyc',
    async start(ctx) {
      const cfg = ctx.loaded.config.ekyc;
      if (!cfg) return undefined;
      const log = ctx.logger('ekyc');
      const rates = ctx.loaded.config.ledger.rates;
      for (const s of cfg.services) {
        const rate = rates[s];
        // A capture for a service the ledger refuses would be accepted centrally and never paid.
        if (!rate) throw new Error(`ekyc.services: ${s} is not on the rate list (ledger.rates)`);
        if (rate.officialPaise !== 0) throw new Error(`ekyc.services: ${s} must be free to the citizen (officialPaise 0)`);
      }
      const env = ledgerEnv(ctx);
      const record: RecordTransaction =
        deps.recordTransaction ??
        (async (tx, input) => {
          const r = await recordTransaction(tx, env, {
            idempotencyKey: `ekyc:${input.captureId}`,
            serviceCode: input.service,
            chargedPaise: input.chargedPaise,
            operator: input.operator ?? 'kiosk',
            ref: input.captureId,
          });
          return { txnId: r.txn.txnId, receiptNo: r.txn.receiptNo, added: r.added };
        });
      const rd =
        deps.rd ??
        new RdServiceClient({
          ...(cfg.rd.ports ? { probes: cfg.rd.ports.flatMap((port) => [{ scheme: 'http' as const, port }, { scheme: 'https' as const, port }]) } : {}),
          trustAnyLoopbackCert: cfg.rd.trustAnyLoopbackCert,
          logger: ctx.logger('rd-service'),
        });
      const service = new EkycService({
        store: ctx.store,
        outbox: ctx.outbox,
        clock: ctx.clock,
        link: ctx.link,
        kioskId: ctx.loaded.config.kiosk.id,
        config: cfg,
        rd,
        recordTransaction: record,
        rateOf: (s) => rates[s],
        ...(deps.printer ? { printer: deps.printer } : {}),
        logger: log,
        onChange: () => ctx.reporter.stateChanged(),
      });
      // Expires what aged while the agent was down before the link can send it (DESIGN §6).
      await service.start();
      ctx.router.add(...captureRoutes(service, cfg.apiRole));
      // Applied in the transaction that takes the result out of the link's inbox: exactly once.
      ctx.link.onMessageInTx('capture-results', async (tx, payload) => (await service.applyResult(tx, payload)).after);
      ctx.reporter.addStateSection('captures', () => service.summary());
      ctx.reporter.addSummary(() => (service.queued > 0 ? `ekyc:q${service.queued}` : undefined));
      return { stop: () => service.stop() };
    },
  };
}
