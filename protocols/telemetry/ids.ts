/**
 * Kiosk identity as it appears on the wire. The kiosk id is the MQTT client id, the CN of
 * the kiosk's client certificate and one topic level (DESIGN §5), so it must never contain
 * MQTT wildcards or a level separator. Upper-case letters, digits and single hyphens keep
 * it readable when read out over the phone by a field technician (e.g. `RJ-JAI-0001`).
 */
import { z } from 'zod';

export const KIOSK_ID_PATTERN = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

export const KioskId = z
  .string()
  .min(3)
  .max(32)
  .regex(KIOSK_ID_PATTERN, 'kiosk id: upper-case letters, digits and single hyphens, e.g. RJ-JAI-0001')
  .describe('Kiosk id: MQTT client id, certificate CN and topic level');
export type KioskId = z.infer<typeof KioskId>;

export function isKioskId(value: string): boolean {
  return KioskId.safeParse(value).success;
}
