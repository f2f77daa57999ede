/** The central e-KYC capture receiver (issue 7): what `kiosk-fleet serve --capture-key` runs. */
export { CaptureReceiver, CAPTURES_FILTER, type ReceiverOptions } from './receiver.js';
export { CaptureDesk, type Decision, type DeskStats } from './desk.js';
export { SimulatedAuthenticator, type Authenticator, type AuthInput, type AuthOutcome } from './authenticator.js';
export { MemoryOutcomeStore, SqliteOutcomeStore, type DecidedCapture, type OutcomeStore } from './outcomes.js';
export { kioskPublishAcl, mayPublish } from './acl.js';

/** The outcome database beside the fleet database: `fleet.db` → `fleet-captures.db`. */
export function captureDbBeside(fleetDb: string): string | undefined {
  if (fleetDb === ':memory:') return undefined;
  return fleetDb.replace(/(\.db)?$/, '-captures.db');
}
