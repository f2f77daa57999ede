/**
 * Jobs from central (DESIGN §5, issue 8 §5; reference/fleet-telemetry.md §0.4): each job is
 * validated, recorded under its id and answered on `job-status`; unknown types, invalid
 * parameters, keys outside the config allow-list and expired jobs are refused with a status.
 *
 * Run once per id: the job's row is written (with its `accepted` status) before it runs and the
 * MQTT PUBACK goes only after the handler settles (agent/mqtt/link.ts), so a crash mid-job makes
 * the broker redeliver it and the redelivery resumes the recorded job instead of starting a new
 * one; a wallet job's movement, its terminal row and its status commit together, so its money
 * moves exactly once. A copy of a finished job is answered `rejected` / `duplicate` with the first
 * outcome.
 */
import type { Logger } from '../../drivers/common/logger.js';
import { JOB_PARAMS, JobEnvelope, JobId, type JobState, type JobType } from '../../protocols/telemetry/jobs.js';
import type { Added, Outbox } from '../outbox/outbox.js';
import type { EventLog } from '../outbox/events.js';
import type { Queries, Store } from '../store/db.js';
import { isSettingKey, SETTINGS, writeSetting, type SettingKey } from '../ledger/settings.js';
import { recordMovement, type LedgerEnv } from '../ledger/ledger.js';
import { currentBalance } from '../ledger/queries.js';

type Code = 'unknown-type' | 'invalid' | 'duplicate' | 'expired' | 'not-allowed' | 'error';

export interface JobClock {
  now(): { ts: number; mono: number; boot: string; synced: boolean };
  hintFromCentral?(centralTs: number): boolean;
}

export interface JobDeps {
  store: Store;
  outbox: Outbox;
  events: Pick<EventLog, 'emit'>;
  clock: JobClock;
  ledger: LedgerEnv;
  printTest(): Promise<{ ok: boolean; detail?: string }>;
  diagnostics(): Promise<Record<string, unknown>>;
  republish(): Promise<void>;
  /** After a wallet job or a setting changed: state snapshot, minimum and inactivity re-checks. */
  afterChange(what: 'wallet' | SettingKey): Promise<void>;
  logger: Logger;
}

interface Job {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

const TERMINAL = new Set<JobState>(['succeeded', 'failed', 'rejected', 'expired']);

export class JobRunner {
  constructor(private readonly d: JobDeps) {}

  /** The handler of the `jobs` topic. Never throws on bad input: it answers with a status. */
  async handle(payload: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      await this.d.events.emit('message.rejected', 'warning', { topic: 'jobs', error: 'not JSON' });
      return;
    }
    const parsed = JobEnvelope.safeParse(json);
    if (!parsed.success) {
      const id = JobId.safeParse((json as { id?: unknown } | null)?.id);
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 300);
      if (!id.success) {
        await this.d.events.emit('message.rejected', 'warning', { topic: 'jobs', error: why });
        return;
      }
      const rawType = (json as { type?: unknown }).type;
      const type = typeof rawType === 'string' ? rawType.slice(0, 64) : '';
      await this.#decide({ id: id.data, type, params: {} }, 'rejected', 'invalid', why);
      return;
    }
    const env = parsed.data;
    this.d.clock.hintFromCentral?.(env.ts);
    const job: Job = { id: env.id, type: env.type, params: env.params };
    const verdict = this.#validate(env);
    const state = await this.#decide(job, verdict ? verdict.status : 'accepted', verdict?.code, verdict?.reason);
    if (state === 'accepted') await this.#run(job);
  }

  /** Runs jobs recorded as accepted whose run a crash cut short (the broker may not redeliver them). */
  async resume(): Promise<void> {
    const rows = await this.d.store.all<{ id: string; type: string; body: string }>("SELECT id, type, body FROM jobs WHERE status = 'accepted' ORDER BY rowid");
    for (const r of rows) await this.#run({ id: r.id, type: r.type, params: (JSON.parse(r.body) as { params?: Record<string, unknown> }).params ?? {} });
  }

  #validate(env: JobEnvelope): { status: 'rejected' | 'expired'; code: Code; reason: string } | undefined {
    if (!Object.prototype.hasOwnProperty.call(JOB_PARAMS, env.type)) {
      return { status: 'rejected', code: 'unknown-type', reason: `unknown job type ${env.type.slice(0, 64)}` };
    }
    const p = JOB_PARAMS[env.type as JobType].safeParse(env.params);
    if (!p.success) {
      return { status: 'rejected', code: 'invalid', reason: p.error.issues.map((i) => `params.${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300) };
    }
    if (env.type === 'config.set') {
      const { key, value } = p.data as { key: string; value: unknown };
      if (!isSettingKey(key)) return { status: 'rejected', code: 'not-allowed', reason: `${key.slice(0, 64)} is not a setting central may change (allowed: ${Object.keys(SETTINGS).join(', ')})` };
      const v = SETTINGS[key].safeParse(value);
      if (!v.success) return { status: 'rejected', code: 'invalid', reason: `${key}: ${v.error.issues[0]?.message ?? 'invalid'}` };
    }
    // Expiry on our clock when it is trusted; otherwise only a job already expired when central
    // sent it can be told apart (a Pi without an RTC may be days off, reference §8).
    const now = this.d.clock.now();
    const reference = now.synced ? now.ts : env.ts;
    if (env.expiresTs <= reference) return { status: 'expired', code: 'expired', reason: `expired at ${new Date(env.expiresTs).toISOString()}` };
    return undefined;
  }

  async #status(tx: Queries, job: Job, status: JobState, extra: { code?: Code; reason?: string; previous?: JobState; result?: Record<string, unknown> } = {}): Promise<Added> {
    return this.d.outbox.add(tx, 'job-status', { jobId: job.id, type: job.type.slice(0, 64), status, ...extra });
  }

  /** Records a new job with its first status, or answers a copy of a known one. Returns the state to act on. */
  async #decide(job: Job, status: JobState, code?: Code, reason?: string): Promise<JobState | 'resume' | 'duplicate'> {
    const added: Added[] = [];
    const out = await this.d.store.transaction(async (tx) => {
      const row = await tx.get<{ status: JobState }>('SELECT status FROM jobs WHERE id = ?', [job.id]);
      if (row && TERMINAL.has(row.status)) {
        added.push(await this.#status(tx, job, 'rejected', { code: 'duplicate', reason: 'this job id was already handled', previous: row.status }));
        return 'duplicate' as const;
      }
      if (row) return 'resume' as const;
      const ts = this.d.clock.now().ts;
      await tx.run('INSERT INTO jobs (id, type, status, body, reason, received_ts, updated_ts) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        job.id, job.type.slice(0, 64), status, JSON.stringify({ params: job.params }), reason ?? null, ts, ts,
      ]);
      added.push(await this.#status(tx, job, status, { ...(code ? { code } : {}), ...(reason ? { reason } : {}) }));
      return status;
    });
    this.d.outbox.committed(...added);
    if (out !== 'accepted') this.d.logger.info({ job: job.id, type: job.type.slice(0, 64), outcome: out, code }, 'job answered');
    return out === 'resume' ? 'accepted' : out;
  }

  /** Finishes a job inside `tx`: its row and its terminal status. */
  async #finish(tx: Queries, job: Job, status: 'succeeded' | 'failed', extra: { code?: Code; reason?: string; result?: Record<string, unknown> }): Promise<Added> {
    await tx.run('UPDATE jobs SET status = ?, reason = ?, result = ?, updated_ts = ? WHERE id = ?', [
      status, extra.reason ?? null, extra.result ? JSON.stringify(extra.result) : null, this.d.clock.now().ts, job.id,
    ]);
    return this.#status(tx, job, status, extra);
  }

  async #commit(fn: (tx: Queries) => Promise<Added[]>): Promise<void> {
    const added = await this.d.store.transaction(fn);
    this.d.outbox.committed(...added);
  }

  async #run(job: Job): Promise<void> {
    const p = job.params;
    try {
      switch (job.type as JobType) {
        case 'wallet.credit': {
          const { amountPaise, reference } = JOB_PARAMS['wallet.credit'].parse(p);
          await this.#commit(async (tx) => {
            const m = await recordMovement(tx, this.d.ledger, { kind: 'credit', amountPaise, idemKey: `job:${job.id}`, jobId: job.id, ...(reference ? { note: reference } : {}) });
            return [...m.added, await this.#finish(tx, job, 'succeeded', { result: { movementId: m.movementId, amountPaise, balancePaise: m.balancePaise } })];
          });
          await this.d.afterChange('wallet');
          break;
        }
        case 'wallet.sync': {
          const { balancePaise } = JOB_PARAMS['wallet.sync'].parse(p);
          await this.#commit(async (tx) => {
            const before = await currentBalance(tx);
            const diff = balancePaise - before;
            const added: Added[] = [];
            let movementId: number | undefined;
            if (diff !== 0) {
              const m = await recordMovement(tx, this.d.ledger, { kind: 'adjustment', amountPaise: diff, idemKey: `job:${job.id}`, jobId: job.id, note: 'sync to central balance' });
              added.push(...m.added);
              movementId = m.movementId;
            }
            const result = { balancePaise, previousPaise: before, adjustmentPaise: diff, ...(movementId !== undefined ? { movementId } : {}) };
            return [...added, await this.#finish(tx, job, 'succeeded', { result })];
          });
          await this.d.afterChange('wallet');
          break;
        }
        case 'print.test': {
          const r = await this.d.printTest();
          await this.#commit(async (tx) => [
            await this.#finish(tx, job, r.ok ? 'succeeded' : 'failed', r.ok ? { result: { ...(r.detail ? { detail: r.detail } : {}) } } : { code: 'error', reason: (r.detail ?? 'printer failed').slice(0, 300) }),
          ]);
          break;
        }
        case 'diagnostics': {
          const snapshot = await this.d.diagnostics();
          await this.#commit(async (tx) => [await this.#finish(tx, job, 'succeeded', { result: snapshot })]);
          break;
        }
        case 'config.set': {
          const { key, value } = JOB_PARAMS['config.set'].parse(p) as { key: SettingKey; value: unknown };
          await this.#commit(async (tx) => {
            const stored = await writeSetting(tx, key, value);
            return [await this.#finish(tx, job, 'succeeded', { result: { key, value: stored } })];
          });
          await this.d.afterChange(key);
          break;
        }
        case 'state.republish': {
          await this.d.republish();
          await this.#commit(async (tx) => [await this.#finish(tx, job, 'succeeded', {})]);
          break;
        }
        default:
          throw new Error(`no runner for ${job.type}`);
      }
    } catch (err) {
      const reason = (err as Error).message.slice(0, 300);
      this.d.logger.warn({ job: job.id, type: job.type, err: reason }, 'job failed');
      await this.#commit(async (tx) => [await this.#finish(tx, job, 'failed', { code: 'error', reason })]);
    }
  }
}

/** For tests and tools: a job message as central sends it. */
export function jobMessage(id: string, type: string, params: Record<string, unknown>, ts: number, ttlMs = 3_600_000): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, ts, id, type, params, expiresTs: ts + ttlMs }));
}
