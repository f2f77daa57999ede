/**
 * Jobs end to end with a real `kiosk-agent` process (the built bin): the fleet sends print.test,
 * state.republish, diagnostics and wallet.credit to one kiosk, a district and the whole fleet,
 * tracks the kiosk's job-status for each, and stores the ledger entry the credit makes. With a
 * simulated receipt printer, print.test succeeds and paper out opens (and clears) the alert.
 */
import t from 'tap';
import { requireBuild } from '../../helpers/agent-process.js';
import { simulatedPrinter, startFleetAgent, startTestFleet } from '../fixtures/fleet.js';
import { waitFor } from '../fixtures/helpers.js';

t.test('jobs reach a real agent and their outcomes are tracked', async (t) => {
  requireBuild();
  const fleet = await startTestFleet(t, { operations: { sweepEveryMs: 500 } });
  const K = 'RJ-JAI-0301';
  const agent = startFleetAgent(t, fleet, { id: K, heartbeatSec: 5 });
  const diag = (what: string) => (err: Error) => {
    throw new Error(`${err.message} (${what}); agent output: ${agent.output().slice(-1500)}`);
  };
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.liveness === 'online', 'agent online', 30_000).catch(diag('online'));
  // The agent subscribes to its jobs right after its birth, on the same connection, before its
  // first state snapshot: once that snapshot is here, a job cannot overtake the subscription.
  await waitFor(async () => (await fleet.repo.getKiosk(K))?.stateAt, 'first state snapshot', 20_000).catch(diag('state'));
  const outcome = (jobId: string) =>
    waitFor(async () => {
      const [row] = await fleet.repo.listJobTargets(jobId);
      return row && ['succeeded', 'failed', 'rejected', 'expired'].includes(row.status) ? row : undefined;
    }, `outcome of ${jobId}`, 20_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await fleet.repo.listJobTargets(jobId))} ${JSON.stringify(fleet.ingest.stats)}; agent: ${agent.output().slice(-1500)}`);
    });

  // This agent has no receipt printer configured: print.test reaches it and comes back failed,
  // with the agent's reason.
  const print = await fleet.ops.jobs.create({ type: 'print.test', target: { kind: 'kiosk', kioskId: K }, expiresInSec: 120, createdBy: 'ops' });
  t.match(await outcome(print.job.jobId), { kioskId: K, status: 'failed', code: 'error', reason: /printer/ });

  const stateAt = (await fleet.repo.getKiosk(K))?.stateAt ?? 0;
  const republish = await fleet.ops.jobs.create({ type: 'state.republish', target: { kind: 'kiosk', kioskId: K }, expiresInSec: 120, createdBy: 'ops' });
  t.match(await outcome(republish.job.jobId), { status: 'succeeded' });
  await waitFor(async () => ((await fleet.repo.getKiosk(K))?.stateAt ?? 0) > stateAt, 'a fresh state snapshot', 10_000);

  const diagnostics = await fleet.ops.jobs.create({ type: 'diagnostics', target: { kind: 'district', district: 'Jaipur' }, expiresInSec: 120, createdBy: 'ops' });
  t.same(diagnostics.kiosks, [K]);
  const d = await outcome(diagnostics.job.jobId);
  t.equal(d.status, 'succeeded');
  t.ok(d.result && Object.keys(d.result).length > 0, 'the health snapshot is kept as the result');

  const credit = await fleet.ops.jobs.create({ type: 'wallet.credit', params: { amountPaise: 25_000_00, reference: 'UTR-9' }, target: { kind: 'fleet' }, expiresInSec: 120, createdBy: 'ops' });
  t.match(await outcome(credit.job.jobId), { status: 'succeeded', result: { amountPaise: 25_000_00 } });
  const [entry] = await waitFor(async () => {
    const l = await fleet.repo.listTransactions(K);
    return l.length ? l : undefined;
  }, 'the credit in the fleet ledger', 10_000);
  t.match(entry, { entry: 'wallet', status: 'credit', amountPaise: 25_000_00 });
  t.same((await fleet.repo.listKioskJobs(K)).map((j) => j.type), ['wallet.credit', 'diagnostics', 'state.republish', 'print.test'], 'the kiosk page lists its jobs');

  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
});

t.test('with a (simulated) receipt printer: print.test succeeds and paper out raises the alert', async (t) => {
  requireBuild();
  const { startSimulatedPrinter } = await import('../../../drivers/printer/sim-server.js');
  const fleet = await startTestFleet(t);
  const printer = await startSimulatedPrinter({ port: 0 });
  t.teardown(() => printer.close());
  const K = 'RJ-JAI-0302';
  const agent = startFleetAgent(t, fleet, { id: K, extra: simulatedPrinter(printer.server.port) });
  const printerState = async () => (await fleet.repo.getKiosk(K))?.state?.devices.printer;
  await waitFor(async () => (await printerState())?.state === 'ok', 'printer ready in the state snapshot', 30_000).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(await printerState())}; agent: ${agent.output().slice(-1500)}`);
  });
  const pages = printer.sim.pages.length;
  const { job } = await fleet.ops.jobs.create({ type: 'print.test', target: { kind: 'kiosk', kioskId: K }, expiresInSec: 120, createdBy: 'ops' });
  const row = await waitFor(async () => {
    const [r] = await fleet.repo.listJobTargets(job.jobId);
    return r && ['succeeded', 'failed', 'rejected', 'expired'].includes(r.status) ? r : undefined;
  }, 'print.test outcome', 20_000);
  t.match(row, { status: 'succeeded' });
  t.ok(printer.sim.pages.length > pages, 'the test page came out');

  printer.sim.set({ paperEnd: true });
  await waitFor(async () => (await fleet.repo.listOpenAlerts(K)).some((a) => a.kind === 'printer-paper-out'), 'paper-out alert', 20_000);
  printer.sim.set({ paperEnd: false });
  await waitFor(async () => !(await fleet.repo.listOpenAlerts(K)).some((a) => a.kind === 'printer-paper-out'), 'paper-out cleared', 20_000);
  t.pass('paper out opened the alert and paper back cleared it');
  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0);
});
