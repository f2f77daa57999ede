/**
 * The operations half of the fleet store (issue 10): ledger entries, per-channel sequence marks,
 * jobs with one row per targeted kiosk, and alerts with their history. Part of FleetRepository;
 * kept apart so each file stays readable.
 */

export interface StoredTransaction {
  kioskId: string;
  seq: number;
  entry: 'transaction' | 'wallet';
  ts: number;
  synced: boolean;
  /** For a service transaction: its code on the rate list (EKYC…); null for a wallet movement. */
  serviceCode: string | null;
  /** success / failed for a transaction; the movement kind for a wallet entry. */
  status: string | null;
  /** What it did to the wallet, paise (walletDeltaPaise or amountPaise). */
  amountPaise: number;
  balancePaise: number;
  data: Record<string, unknown>;
  receivedAt: number;
}

/** The outcome of noting a sequence number: how many messages were skipped before it. */
export interface SeqMark {
  /** Messages missing between the last seq seen and this one (0: none, or not newer). */
  gap: number;
  lastSeq: number;
  /** Holes still open on this kiosk's channel, after this message (a straggler closes one). */
  missed: number;
}

export type JobTargetStatus = 'pending' | 'sent' | 'accepted' | 'succeeded' | 'failed' | 'rejected' | 'expired';
export const JOB_FINAL: readonly JobTargetStatus[] = ['succeeded', 'failed', 'rejected', 'expired'];

export interface JobRecord {
  jobId: string;
  type: string;
  params: Record<string, unknown>;
  /** `kiosk:<id>`, `district:<name>` or `fleet`. */
  target: string;
  createdAt: number;
  expiresTs: number;
  createdBy: string;
}

export interface JobTarget {
  jobId: string;
  kioskId: string;
  status: JobTargetStatus;
  code: string | null;
  reason: string | null;
  result: Record<string, unknown> | null;
  updatedAt: number;
}

export interface JobStatusPatch {
  status: JobTargetStatus;
  code?: string | undefined;
  reason?: string | undefined;
  result?: Record<string, unknown> | undefined;
  at: number;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface OpenAlert {
  kioskId: string;
  kind: string;
  severity: AlertSeverity;
  detail: string;
  openedAt: number;
  updatedAt: number;
}

export type AlertAction = 'open' | 'update' | 'clear';

export interface AlertChange {
  kioskId: string;
  kind: string;
  action: AlertAction;
  severity: AlertSeverity;
  detail: string;
  at: number;
  /** When the alert opened (for a clear: how long it lasted). */
  openedAt: number;
}

export interface AlertHistoryEntry extends Omit<AlertChange, 'openedAt'> {
  id: number;
}

export interface OperationsRepository {
  /** Stores a ledger entry; `false` when (kiosk, seq) is already stored. */
  addTransaction(t: StoredTransaction): Promise<boolean>;
  /** Stores a ledger entry and notes its seq (noteSeq) in one transaction; undefined when already stored. */
  addTransactionMarked(t: StoredTransaction): Promise<SeqMark | undefined>;
  listTransactions(kioskId: string, limit?: number): Promise<StoredTransaction[]>;
  /** Successful transactions of these service codes since `sinceTs` (kiosk clock), with each kiosk's district. */
  listServiceTransactions(codes: readonly string[], sinceTs: number): Promise<{ kioskId: string; district: string | null; ts: number }[]>;
  /**
   * Notes the newest seq of a kiosk's channel, atomically; returns the gap before it. A seq not
   * above the mark is a late straggler newly stored (callers pass no redeliveries): it fills one
   * counted hole, so `missed` counts only holes that stay open.
   */
  noteSeq(kioskId: string, channel: string, seq: number): Promise<SeqMark>;
  /** Gaps and missed messages (holes still open) per kiosk, over all channels or one. */
  seqGaps(kioskId: string, channel?: string): Promise<{ gaps: number; missed: number }>;
  createJob(job: JobRecord, kioskIds: readonly string[]): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  listJobs(limit?: number): Promise<JobRecord[]>;
  listJobTargets(jobId: string): Promise<JobTarget[]>;
  listKioskJobs(kioskId: string, limit?: number): Promise<(JobTarget & { type: string })[]>;
  /**
   * Applies a status a kiosk reported (or the fleet decided) to its row of the job; `false` when
   * the job was not sent to that kiosk. A final status is never replaced by a non-final one.
   */
  updateJobTarget(jobId: string, kioskId: string, patch: JobStatusPatch): Promise<boolean>;
  /** Marks every unanswered target of a job past its expiry `expired`; returns them. */
  expireJobTargets(now: number): Promise<{ jobId: string; kioskId: string }[]>;
  /**
   * One kiosk's open alerts, read and replaced atomically: `fn` gets them and returns the changes
   * (opened, updated, cleared), which are applied and written to the history.
   */
  updateAlerts(kioskId: string, fn: (open: OpenAlert[]) => AlertChange[]): Promise<AlertChange[]>;
  listOpenAlerts(kioskId?: string): Promise<OpenAlert[]>;
  listAlertHistory(kioskId?: string, limit?: number): Promise<AlertHistoryEntry[]>;
}
