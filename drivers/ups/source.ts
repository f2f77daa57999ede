/** What the monitor needs from a back-end: open, one fresh reading on demand, close. */
import type { UpsBackend, UpsState } from './state.js';

export interface UpsSource {
  readonly backend: UpsBackend;
  /** Opens the connection/port; resolves after the first attempt, reconnects on its own afterwards. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One fresh reading; rejects with a `UpsError` when there is none (timeout, closed, stale, garbage). */
  read(): Promise<UpsState>;
}
