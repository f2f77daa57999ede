/**
 * What the capture endpoints return for a capture (issue 7): the row as the API shows it. Kept
 * apart from the service so the routes and the console read one shape without pulling in the
 * sealing and queueing. Only ids, states, codes and flags: never the citizen reference, the
 * PidData or a key (reference rd-service-ekyc.md §2.6).
 */
import type { Modality } from '../../protocols/telemetry/captures.js';
import type { CaptureRow, CaptureState } from './store.js';

export interface CaptureView {
  id: string;
  state: CaptureState;
  service: string;
  modality: Modality;
  createdAt: number;
  ageSec: number;
  ttlSec: number;
  code?: string;
  reason?: string;
  authRef?: string;
  transactionRecorded: boolean;
  receiptPrinted: boolean;
  /** Central's answer came after the capture had expired `unanswered`. */
  answeredLate?: true;
}

export function view(r: CaptureRow): CaptureView {
  return {
    id: r.id,
    state: r.state,
    service: r.service,
    modality: r.modality,
    createdAt: r.created_ts,
    ageSec: Math.floor(r.age_ms / 1000),
    ttlSec: r.ttl_sec,
    ...(r.code ? { code: r.code } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.auth_ref ? { authRef: r.auth_ref } : {}),
    transactionRecorded: r.txn_recorded === 1,
    receiptPrinted: r.printed === 1,
    ...(r.answered_late === 1 ? { answeredLate: true as const } : {}),
  };
}
