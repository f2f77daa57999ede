/**
 * Reader health from what the RD service says (reference §1.2, §1.3, §5):
 * - READY only when the service says READY *and* DeviceInfo names a real scanner: some drivers
 *   answer READY (or HTTP 200 DEVICEINFO) with the scanner unplugged and an empty serial number.
 * - USED: present but held by another application (BioEnable even uses USED for its ready state),
 *   so it is "maybe busy", not fatal.
 * - NOTREADY: service up, no usable scanner.  ABSENT: no RD service answered on 11100–11120.
 */
import { deviceInfoProblem, type DeviceInfo } from './device-info.js';
import type { RdServiceInfo } from './rdservice-info.js';

export type RdHealthState = 'READY' | 'NOTREADY' | 'USED' | 'ABSENT';

export interface RdHealth {
  state: RdHealthState;
  reason?: string;
}

export function rdHealth(info: RdServiceInfo | undefined, deviceInfo?: DeviceInfo): RdHealth {
  if (!info) return { state: 'ABSENT', reason: 'no RD service found' };
  if (info.status === 'NOTREADY') return { state: 'NOTREADY', reason: info.rawStatus === 'NOTREADY' ? 'service reports NOTREADY' : `service reports "${info.rawStatus.slice(0, 20)}"` };
  if (!info.capturePath) return { state: 'NOTREADY', reason: 'service has no CAPTURE interface' };
  const problem = deviceInfo ? deviceInfoProblem(deviceInfo) : undefined;
  if (problem) return { state: 'NOTREADY', reason: `service reports ${info.status} but DeviceInfo has ${problem}` };
  return { state: info.status };
}

/** Ranking used when several RD services answer: READY > USED > NOTREADY (Eko's rule, §1.1). */
export function rankStatus(s: RdHealthState): number {
  return s === 'READY' ? 3 : s === 'USED' ? 2 : s === 'NOTREADY' ? 1 : 0;
}
