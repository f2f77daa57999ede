/**
 * udev rules for the kiosk's devices: group access for the agent (plugdev for raw USB and hidraw,
 * lp for usblp, dialout for serial) and stable names under /dev/kiosk/ for what discovery found.
 * The text depends only on the table and the inventory, so re-provisioning rewrites nothing.
 */
import { hex4, KNOWN_USB } from './usb-ids.js';

export interface UdevDevice {
  kind: 'printer' | 'fingerprint' | 'ups';
  vendorId: number;
  productId: number;
  /** For serial devices: the tty gets the stable name. */
  tty?: boolean;
}

export function udevRules(found: UdevDevice[]): string {
  const lines = [
    '# Installed by kioskctl provision. Re-provisioning rewrites this file; local rules belong in',
    '# another file under /etc/udev/rules.d.',
    '',
    '# Known kiosk devices: the agent (group plugdev) may open their USB and hidraw nodes.',
  ];
  for (const k of KNOWN_USB) {
    if (k.kind === 'serial-bridge') continue;
    const match = `ATTRS{idVendor}=="${hex4(k.vendorId)}"${k.productId !== undefined ? `, ATTRS{idProduct}=="${hex4(k.productId)}"` : ''}`;
    lines.push(`# ${k.kind}: ${k.model}`);
    lines.push(`SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ${match}, GROUP="plugdev", MODE="0660"`);
    if (k.kind === 'ups') lines.push(`SUBSYSTEM=="hidraw", ${match}, GROUP="plugdev", MODE="0660"`);
  }
  lines.push('', '# USB printer class (usblp): group lp.', 'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", GROUP="lp", MODE="0660"');
  const named = [...found].sort((a, b) => a.kind.localeCompare(b.kind) || a.vendorId - b.vendorId || a.productId - b.productId);
  if (named.length) lines.push('', '# Stable names for the devices found at provisioning.');
  const seen = new Set<string>();
  for (const d of named) {
    if (seen.has(d.kind)) continue;
    seen.add(d.kind);
    const match = `ATTRS{idVendor}=="${hex4(d.vendorId)}", ATTRS{idProduct}=="${hex4(d.productId)}"`;
    const subsystem = d.tty ? 'tty' : d.kind === 'printer' ? 'usbmisc' : d.kind === 'ups' ? 'hidraw' : 'usb';
    const group = d.tty ? 'dialout' : d.kind === 'printer' ? 'lp' : 'plugdev';
    lines.push(`SUBSYSTEM=="${subsystem}", ${match}, SYMLINK+="kiosk/${d.kind}", GROUP="${group}", MODE="0660"`);
  }
  lines.push('');
  return lines.join('\n');
}
