/**
 * DeviceInfo (reply to `DEVICEINFO`, also inside PidData; reference §1.3):
 *   <DeviceInfo dpId rdsId rdsVer dc mi mc><additional_info><Param name value/>…</additional_info></DeviceInfo>
 * `additional_info` is optional (Morpho L0 has none) and its Param names vary by vendor.
 */
import { z } from 'zod';
import { RdServiceError } from './errors.js';
import { parseRoot, type XmlNode } from './xml.js';

export interface DeviceInfo {
  dpId: string;
  rdsId: string;
  rdsVer: string;
  /** Device code, a 36-character UUID on real devices. */
  dc: string;
  mi: string;
  /** Base64 DER device certificate (short-lived: 20–90 days; §1.3). */
  mc: string;
  /** additional_info Params by name: srno, sysid, ts, modality_type, device_type, … */
  additional: Record<string, string>;
}

const str = z.string().default('').transform((s) => s.trim());
const schema = z.object({
  dpId: str,
  rdsId: str,
  rdsVer: str,
  dc: str,
  mi: str,
  mc: str,
  additional_info: z.union([
    z.object({ Param: z.array(z.object({ name: z.string(), value: z.string().default('') }).loose()).default([]) }).loose(),
    z.literal(''),
  ]).optional(),
}).loose();

export function deviceInfoFromNode(node: XmlNode): DeviceInfo {
  const parsed = schema.safeParse(node);
  if (!parsed.success) {
    throw new RdServiceError('RD_SCHEMA', 'DeviceInfo does not have the expected shape', { path: parsed.error.issues[0]?.path.join('.') ?? '' });
  }
  const { additional_info, ...rest } = parsed.data;
  const additional: Record<string, string> = {};
  if (additional_info && typeof additional_info === 'object') for (const p of additional_info.Param) additional[p.name] = p.value.trim();
  const { dpId, rdsId, rdsVer, dc, mi, mc } = rest;
  return { dpId, rdsId, rdsVer, dc, mi, mc, additional };
}

export function parseDeviceInfo(xml: string): DeviceInfo {
  return deviceInfoFromNode(parseRoot(xml, 'DeviceInfo'));
}

/**
 * Why a DeviceInfo does not describe a usable scanner, or undefined if it does. Mantra's L1
 * service answers DEVICEINFO with HTTP 200 even with the scanner unplugged; presence shows only
 * in a non-empty serial number, device code and certificate (§1.3, §5).
 */
export function deviceInfoProblem(di: DeviceInfo): string | undefined {
  if (!di.dc) return 'no device code';
  if (!di.mc) return 'no device certificate';
  if (!(di.additional['srno'] ?? '')) return 'no serial number';
  return undefined;
}
