/**
 * drivers/printer's PrintJobStore over the agent's SQLite store (migration 4). Each call is one
 * statement on the agent's single connection (WAL, synchronous=FULL), so it is durable when its
 * promise resolves — which is what the queue's crash guarantees rest on.
 */
import type { JobPatch, JobState, NewJob, PrintJob, PrintJobStore } from '../../drivers/printer/queue.js';
import type { SendOutcome } from '../../drivers/printer/printer.js';
import type { Param, Queries } from '../store/db.js';

interface JobRow {
  seq: number;
  id: string;
  key: string;
  doc: string;
  duplicate: number;
  reprint_of: string | null;
  state: JobState;
  attempts: number;
  created_ts: number;
  updated_ts: number;
  outcome: string | null;
  error: string | null;
}

const COLUMNS: Record<keyof JobPatch, string> = { state: 'state', attempts: 'attempts', updatedAt: 'updated_ts', outcome: 'outcome', error: 'error' };

function toJob(r: JobRow): PrintJob {
  const j: PrintJob = {
    id: r.id, key: r.key, doc: JSON.parse(r.doc) as unknown, duplicate: r.duplicate === 1, state: r.state,
    attempts: r.attempts, seq: r.seq, createdAt: r.created_ts, updatedAt: r.updated_ts,
  };
  if (r.reprint_of !== null) j.reprintOf = r.reprint_of;
  if (r.outcome !== null) j.outcome = r.outcome as SendOutcome;
  if (r.error !== null) j.error = r.error;
  return j;
}

export class SqlitePrintJobStore implements PrintJobStore {
  constructor(private readonly db: Queries) {}

  async insert(job: NewJob): Promise<number> {
    const r = await this.db.run(
      'INSERT INTO print_jobs (id, key, doc, duplicate, reprint_of, state, attempts, created_ts, updated_ts, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [job.id, job.key, JSON.stringify(job.doc), job.duplicate ? 1 : 0, job.reprintOf ?? null, job.state, job.attempts, job.createdAt, job.updatedAt, job.outcome ?? null, job.error ?? null],
    );
    return Number(r.lastID);
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const sets: string[] = [];
    const params: Param[] = [];
    for (const [k, col] of Object.entries(COLUMNS) as [keyof JobPatch, string][]) {
      if (!(k in patch)) continue;
      sets.push(`${col} = ?`);
      params.push(patch[k] ?? null);
    }
    if (sets.length === 0) return;
    const r = await this.db.run(`UPDATE print_jobs SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    if (r.changes === 0) throw new Error(`no print job ${id}`);
  }

  async get(id: string): Promise<PrintJob | undefined> {
    const r = await this.db.get<JobRow>('SELECT * FROM print_jobs WHERE id = ?', [id]);
    return r && toJob(r);
  }

  async list(states: readonly JobState[]): Promise<PrintJob[]> {
    if (states.length === 0) return [];
    const rows = await this.db.all<JobRow>(`SELECT * FROM print_jobs WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY seq`, [...states]);
    return rows.map(toJob);
  }

  /** The latest jobs, newest first, for the operator's and technician's view. */
  async recent(limit: number): Promise<PrintJob[]> {
    const rows = await this.db.all<JobRow>('SELECT * FROM print_jobs ORDER BY seq DESC LIMIT ?', [limit]);
    return rows.map(toJob);
  }
}
