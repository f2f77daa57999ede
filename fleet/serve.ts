/** `kiosk-fleet serve`: wires the store, ingest, the liveness monitor and the MQTT source together. */
import { type Clock, systemClock } from './clock.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { Ingestor } from './ingest.js';
import { child, type Logger } from './log.js';
import { LivenessMonitor } from './monitor.js';
import { MqttSource, redact } from './source.js';
import { type Operations, type OperationsOptions, startOperations } from './operations.js';
import { type ProvisioningOptions, type RunningProvisioning, startProvisioning } from './enrollment/start.js';
import type { FleetRepository } from './store/repository.js';
import { openRepository } from './store/open.js';
import { CaptureReceiver, captureDbBeside } from './captures/index.js';

export interface ServeOptions {
  mqttUrl: string;
  /** Run an in-process aedes broker on this address and read from it. */
  embeddedBroker?: { host: string; port: number };
  db: string;
  shareGroup: string;
  /** This instance's name among those sharing the group: a persistent MQTT 5 session (source.ts). */
  instance?: string;
  /** How long the broker keeps that session while the instance is gone (default 3600). */
  sessionExpirySec?: number;
  heartbeatMisses: number;
  log: Logger;
  clock?: Clock;
  checkEveryMs?: number;
  retryMs?: number;
  catchupMs?: number;
  statsEveryMs?: number;
  /** How long an apparent sequence gap waits for stragglers before it asks for a republish (see Ingestor). */
  gapGraceMs?: number;
  /** With a kiosk CA: enrollment by claim (issue 9). */
  provisioning?: ProvisioningOptions;
  /** Alerts, webhook and jobs (issue 10). */
  operations?: OperationsOptions;
  /** PEM file of central's X25519 capture key: runs the e-KYC capture receiver (issue 7). */
  captureKey?: string;
}

export interface FleetServer {
  /** The broker URL the fleet reads from. */
  url: string;
  broker?: EmbeddedBroker;
  repo: FleetRepository;
  ingest: Ingestor;
  monitor: LivenessMonitor;
  source: MqttSource;
  ops: Operations;
  captures?: CaptureReceiver;
  /** Resolves once connected and subscribed; rejects only if closed before that. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function startFleet(opts: ServeOptions): Promise<FleetServer> {
  const clock = opts.clock ?? systemClock;
  const repo = await openRepository(opts.db);
  child(opts.log, 'store').info({ db: redact(opts.db) }, 'fleet database open');
  let broker: EmbeddedBroker | undefined;
  try {
    if (opts.embeddedBroker) broker = await startEmbeddedBroker({ ...opts.embeddedBroker, log: child(opts.log, 'broker') });
  } catch (err) {
    await repo.close();
    throw err;
  }
  const url = broker?.url ?? opts.mqttUrl;
  let provisioning: RunningProvisioning | undefined;
  try {
    if (opts.provisioning) provisioning = await startProvisioning({ ...opts.provisioning, url, db: opts.db, clock, log: opts.log });
  } catch (err) {
    await broker?.close();
    await repo.close();
    throw err;
  }
  // e-KYC captures (issue 7): the receiver keeps its own persistent sessions on the same broker.
  let captures: CaptureReceiver | undefined;
  try {
    const outcomesDb = opts.captureKey ? captureDbBeside(opts.db) : undefined;
    if (opts.captureKey) captures = await CaptureReceiver.start({ url, privateKeyPath: opts.captureKey, ...(outcomesDb ? { outcomesDb } : {}), log: child(opts.log, 'captures') });
  } catch (err) {
    await provisioning?.close();
    await broker?.close();
    await repo.close();
    throw err;
  }
  const ops = startOperations({
    repo,
    clock,
    log: opts.log,
    url,
    stats: () => ({ ingest: ingest.stats, listening: source.listeningSince !== undefined }),
    ...opts.operations,
  });
  const ingest = new Ingestor({
    repo,
    clock,
    log: child(opts.log, 'ingest'),
    onGap: ops.onGap,
    onChange: ops.onChange,
    onLiveness: ops.onLiveness,
    gapGraceMs: opts.gapGraceMs ?? 5000,
  });
  const source = new MqttSource({
    url,
    shareGroup: opts.shareGroup,
    ingest,
    log: child(opts.log, 'mqtt'),
    now: () => clock.now(),
    onListening: () => monitor.poke(),
    ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
    ...(opts.catchupMs !== undefined ? { catchupMs: opts.catchupMs } : {}),
    ...(opts.instance !== undefined ? { instance: opts.instance } : {}),
    ...(opts.sessionExpirySec !== undefined ? { sessionExpirySec: opts.sessionExpirySec } : {}),
  });
  const monitor = new LivenessMonitor({
    repo,
    clock,
    log: child(opts.log, 'liveness'),
    heartbeatMisses: opts.heartbeatMisses,
    listeningSince: () => source.listeningSince,
    onLiveness: ops.onLiveness,
    ...(opts.checkEveryMs !== undefined ? { checkEveryMs: opts.checkEveryMs } : {}),
  });
  monitor.start();
  // A periodic account of what ingest did, so a silent flood of invalid messages shows in the log.
  const statsLog = child(opts.log, 'ingest');
  const brokerLog = child(opts.log, 'broker');
  const statsTimer = clock.setInterval(() => {
    statsLog.info({ ...ingest.stats }, 'ingest totals since start');
    // The embedded broker's kiosk ACL refusals: a kiosk publishing under another id shows here too.
    if (broker && broker.refused.publish + broker.refused.subscribe > 0) brokerLog.warn({ ...broker.refused }, 'kiosk ACL refusals since start');
  }, opts.statsEveryMs ?? 300_000);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clock.clearInterval(statsTimer);
      await source.stop();
      await captures?.stop();
      await provisioning?.close();
      await monitor.stop();
      await ingest.idle();
      ingest.close();
      await ops.close();
      await broker?.close();
      await repo.close();
      child(opts.log, 'serve').info('stopped');
    })());
  // Connecting waits for the broker as long as it takes; `ready` says when the fleet is reading.
  const ready = provisioning ? Promise.all([source.start(), provisioning.ready]).then(() => undefined) : source.start();
  ready.catch(() => undefined);
  return { url, ...(broker ? { broker } : {}), repo, ingest, monitor, source, ops, ...(captures ? { captures } : {}), ready, close };
}
