// A minimal AgentContext for the fingerprint capability: a real registry and router, and an
// event log that records what would be written to the outbox.
import { Router } from '../../../agent/api/router.js';
import type { AgentContext } from '../../../agent/context.js';
import { DeviceRegistry } from '../../../agent/devices/registry.js';
import { FingerprintConfig } from '../../../agent/fingerprint/config.js';
import { silentLogger } from '../../../drivers/common/logger.js';

export interface RecordedEvent {
  type: string;
  severity: string;
  data: Record<string, unknown>;
}

export function fakeContext(fingerprint: unknown, ekyc?: unknown): { ctx: AgentContext; events: RecordedEvent[]; devices: DeviceRegistry; router: Router } {
  const events: RecordedEvent[] = [];
  const devices = new DeviceRegistry();
  const router = new Router();
  const config = { devices: fingerprint === undefined ? {} : { fingerprint: FingerprintConfig.parse(fingerprint) }, ekyc };
  const ctx = {
    loaded: { config },
    devices,
    router,
    events: {
      emit: (type: string, severity: string, data: Record<string, unknown>) => {
        events.push({ type, severity, data });
        return Promise.resolve({ seq: events.length, type, severity });
      },
    },
    logger: () => silentLogger,
    track: () => undefined,
  } as unknown as AgentContext;
  return { ctx, events, devices, router };
}

/** Polls `cond` every 20 ms (a real pty runs on real time) until true or `ms` pass. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Timers whose callbacks run only when the test says so. */
export class ManualTimers {
  pending: { id: number; ms: number; fn: () => void }[] = [];
  #seq = 0;
  now = (): number => 0;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.#seq;
    this.pending.push({ id, ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.pending = this.pending.filter((p) => p.id !== h);
  };
  /** Runs the pending timers once. */
  fire(): void {
    const due = this.pending;
    this.pending = [];
    for (const p of due) p.fn();
  }
}
