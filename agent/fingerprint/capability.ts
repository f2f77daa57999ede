/**
 * The fingerprint capability (issue 4 §5): runs the R30x driver and the RD health poll
 * (agent/fingerprint/readers.ts), reports both into `state` and the reader events, and serves
 * the technician's endpoints. It always runs, so `kioskctl fingerprint info` can say that no
 * reader is configured rather than find no endpoint.
 */
import { FingerprintError, type Timers } from '../../drivers/fingerprint/errors.js';
import type { OpenPort } from '../../drivers/fingerprint/r30x/port.js';
import type { Capability } from '../context.js';
import { Sessions } from '../auth/sessions.js';
import type { CaptureSource } from '../ekyc/hooks.js';
import type { ReaderEvent } from './health.js';
import { FingerprintReaders, type RdHealthSource } from './readers.js';
import { fingerprintLoginRoutes } from './login.js';
import { fingerprintRoutes } from './routes.js';

export interface FingerprintDeps {
  timers?: Timers;
  now?: () => number;
  openPort?: OpenPort;
  rd?: RdHealthSource;
  /** Receives the readers once started (tests). */
  onStarted?: (readers: FingerprintReaders) => void;
}

export interface FingerprintCapability extends Capability {
  /** For the e-KYC capability: captures through this capability's RD client (start this one first). */
  rdCaptures: CaptureSource;
}

export function fingerprintCapability(deps: FingerprintDeps = {}): FingerprintCapability {
  let started: FingerprintReaders | undefined;
  return {
    name: 'fingerprint',
    rdCaptures: {
      capture: (input) =>
        started ? started.captureRd(input) : Promise.reject(new FingerprintError('RD_NOT_FOUND', 'The fingerprint readers are not running')),
    },
    async start(ctx) {
      const { config } = ctx.loaded;
      const readers = new FingerprintReaders({
        config: config.devices.fingerprint,
        ekyc: config.ekyc,
        devices: ctx.devices,
        // Narrowed per type so each event's data is checked against its contract schema.
        emit: (e: ReaderEvent) =>
          e.type === 'reader.connected'
            ? ctx.events.emit(e.type, e.severity, e.data)
            : e.type === 'reader.disconnected'
              ? ctx.events.emit(e.type, e.severity, e.data)
              : ctx.events.emit(e.type, e.severity, e.data),
        logger: ctx.logger('fingerprint'),
        ...(deps.timers ? { timers: deps.timers } : {}),
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.openPort ? { openPort: deps.openPort } : {}),
        ...(deps.rd ? { rd: deps.rd } : {}),
      });
      await readers.start();
      started = readers;
      ctx.router.add(...fingerprintRoutes(readers));
      // The operator console's login by finger (issue 11). Tokens and lockouts are the PIN
      // login's tables, so a Sessions over the same store is the same login, whichever made it.
      let sessions: Sessions | undefined;
      const r30x = config.devices.fingerprint?.r30x;
      ctx.router.add(
        ...fingerprintLoginRoutes({
          configured: () => readers.driver !== undefined,
          login: (deadlineMs) => {
            sessions ??= new Sessions(ctx.store, ctx.clock, config.auth, ctx.outbox);
            const driver = readers.driver!;
            const deadline = deadlineMs ?? r30x!.captureDeadlineMs;
            return sessions.loginWithFingerprint(async () => (await driver.ops.identify({ deadlineMs: deadline }))?.slot);
          },
          logger: ctx.logger('auth'),
        }),
      );
      deps.onStarted?.(readers);
      return {
        stop: async () => {
          started = undefined;
          await readers.stop();
        },
      };
    },
  };
}
