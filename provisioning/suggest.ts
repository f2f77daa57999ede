/**
 * Device sections for the agent configuration, suggested from what discovery found: the
 * technician's defaults in interactive provisioning, and `devicesFromDiscovery: true` in an
 * answers file. One device of each kind: the first found, preferring NUT for the UPS (it owns the
 * port and serves other clients) and the serial R30x for operator logins.
 */
import type { InventoryItem } from '../protocols/telemetry/claim.js';

function parseUsbId(id: string): { vendorId: number; productId: number } | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(id);
  return m ? { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) } : undefined;
}

export function devicesFromInventory(items: readonly InventoryItem[]): Record<string, unknown> {
  const devices: Record<string, unknown> = {};
  const r30x = items.find((i) => i.kind === 'fingerprint' && i.via === 'serial');
  if (r30x) devices['fingerprint'] = { r30x: { path: r30x.id, baudRate: typeof r30x['baudRate'] === 'number' ? r30x['baudRate'] : 57_600 } };
  const nut = items.find((i) => i.kind === 'ups' && i.via === 'nut');
  const q1 = items.find((i) => i.kind === 'ups' && i.via === 'serial');
  const hid = items.find((i) => i.kind === 'ups' && i.via === 'usb');
  if (nut) devices['ups'] = { backend: 'nut', nut: { target: nut.id } };
  else if (q1) devices['ups'] = { backend: 'megatec-serial', serial: { path: q1.id } };
  else if (hid && parseUsbId(hid.id)) devices['ups'] = { backend: 'megatec-hid', hid: parseUsbId(hid.id) };
  const usbPrinter = items.find((i) => i.kind === 'printer' && i.via === 'usb');
  if (usbPrinter && parseUsbId(usbPrinter.id)) devices['printer'] = { transport: { type: 'usb', ...parseUsbId(usbPrinter.id) } };
  return devices;
}
