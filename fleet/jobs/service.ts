/**
 * Jobs from central (issue 10 §3): one job for one kiosk, a district or the whole fleet, with an
 * expiry. The job id is the kiosk's idempotency key, so one id serves every targeted kiosk and a
 * resend never runs twice. Each targeted kiosk gets a row that follows its job-status replies
 * (ingest), or turns `expired` when none came before the expiry.
 */
import { randomBytes } from 'node:crypto';
import { JOB_TYPES, JobMessage, type JobType, topicFor } from '../../protocols/telemetry/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { RateLimiter } from '../queue.js';
import type { FleetRepository, JobRecord } from '../store/repository.js';
import type { JobPublisher } from './publisher.js';

export type JobTargetSpec = { kind: 'kiosk'; kioskId: string } | { kind: 'district'; district: string } | { kind: 'fleet' };

export interface NewJob {
  type: string;
  params?: Record<string, unknown>;
  target: JobTargetSpec;
  /** Time to live from now, s. */
  expiresInSec: number;
  createdBy: string;
}

export class JobError extends Error {}

export interface JobServiceOptions {
  repo: FleetRepository;
  clock: Clock;
  publisher: JobPublisher;
  log: Logger;
  /** Minimum time between two automatic `state.republish` jobs to one kiosk. */
  republishIntervalMs?: number;
  republishTtlSec?: number;
  onChange?: (jobId: string) => void;
}

export const MAX_TTL_SEC = 30 * 86_400;

export function newJobId(now: number): string {
  return `j-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

function targetText(t: JobTargetSpec): string {
  return t.kind === 'kiosk' ? `kiosk:${t.kioskId}` : t.kind === 'district' ? `district:${t.district}` : 'fleet';
}

export class JobService {
  private readonly republishGate: RateLimiter;
  private sending = new Set<Promise<unknown>>();

  constructor(private readonly opts: JobServiceOptions) {
    this.republishGate = new RateLimiter(opts.republishIntervalMs ?? 600_000, () => opts.clock.now());
  }

  /** Validates, stores and sends a job; resolves with the job and the kiosks it went to. */
  async create(spec: NewJob): Promise<{ job: JobRecord; kiosks: string[] }> {
    const now = this.opts.clock.now();
    if (!(JOB_TYPES as string[]).includes(spec.type)) throw new JobError(`unknown job type '${spec.type}' (types: ${JOB_TYPES.join(', ')})`);
    if (!Number.isInteger(spec.expiresInSec) || spec.expiresInSec < 1 || spec.expiresInSec > MAX_TTL_SEC) {
      throw new JobError(`expiry must be 1 s to ${MAX_TTL_SEC} s`);
    }
    const jobId = newJobId(now);
    const message = { v: 1, ts: now, id: jobId, type: spec.type as JobType, params: spec.params ?? {}, expiresTs: now + spec.expiresInSec * 1000 };
    const checked = JobMessage.safeParse(message);
    if (!checked.success) {
      const first = checked.error.issues[0];
      throw new JobError(`invalid parameters for ${spec.type}: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
    }
    const kiosks = await this.resolve(spec.target);
    if (kiosks.length === 0) throw new JobError(`no kiosk matches ${targetText(spec.target)}`);
    const job: JobRecord = {
      jobId,
      type: spec.type,
      params: message.params,
      target: targetText(spec.target),
      createdAt: now,
      expiresTs: message.expiresTs,
      createdBy: spec.createdBy,
    };
    await this.opts.repo.createJob(job, kiosks);
    this.opts.log.info({ job: jobId, type: spec.type, target: job.target, kiosks: kiosks.length, by: spec.createdBy }, 'job created');
    const payload = JSON.stringify(message);
    for (const kioskId of kiosks) this.send(jobId, kioskId, payload);
    this.opts.onChange?.(jobId);
    return { job, kiosks };
  }

  /** Asks one kiosk for a fresh state snapshot, at most once per interval (a burst of gaps makes one). */
  requestRepublish(kioskId: string, why: string): Promise<string | undefined> {
    if (!this.republishGate.take(kioskId).pass) return Promise.resolve(undefined);
    const p = this.create({
      type: 'state.republish',
      target: { kind: 'kiosk', kioskId },
      expiresInSec: this.opts.republishTtlSec ?? 3600,
      createdBy: `fleet:${why}`,
    }).then(
      ({ job }) => job.jobId,
      (err: unknown) => {
        this.opts.log.error({ err, kiosk: kioskId }, 'state.republish not sent');
        return undefined;
      },
    );
    this.track(p);
    return p;
  }

  /** Turns unanswered targets past their expiry `expired`; run from the periodic check. */
  async expire(): Promise<number> {
    const expired = await this.opts.repo.expireJobTargets(this.opts.clock.now());
    for (const jobId of new Set(expired.map((e) => e.jobId))) this.opts.onChange?.(jobId);
    return expired.length;
  }

  /** Resolves once every publish started so far has been acknowledged or has failed. */
  async idle(): Promise<void> {
    while (this.sending.size) await Promise.allSettled([...this.sending]);
  }

  private async resolve(t: JobTargetSpec): Promise<string[]> {
    if (t.kind === 'kiosk') {
      const k = await this.opts.repo.getKiosk(t.kioskId);
      return k ? [k.kioskId] : [];
    }
    const all = await this.opts.repo.listKiosks();
    return all.filter((k) => t.kind === 'fleet' || k.district === t.district).map((k) => k.kioskId);
  }

  /** Publishes without holding the caller: a kiosk offline now gets its job when the broker has it. */
  private send(jobId: string, kioskId: string, payload: string): void {
    const p = this.opts.publisher
      .publish(topicFor(kioskId, 'jobs'), payload)
      .then(() => this.opts.repo.updateJobTarget(jobId, kioskId, { status: 'sent', at: this.opts.clock.now() }))
      .then(() => this.opts.onChange?.(jobId))
      .catch((err: unknown) => this.opts.log.error({ err, job: jobId, kiosk: kioskId }, 'job not sent'));
    this.track(p);
  }

  private track(p: Promise<unknown>): void {
    this.sending.add(p);
    void p.finally(() => this.sending.delete(p));
  }
}
