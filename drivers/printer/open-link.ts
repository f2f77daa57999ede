/**
 * The link opener for a configured transport. Kept apart from the schema (config.ts) so that
 * validating a configuration does not load serialport and usb.
 */
import type { PrinterTransportConfig } from './config.js';
import { lpLink } from './link-lp.js';
import { serialLink } from './link-serial.js';
import { tcpLink } from './link-tcp.js';
import { usbLink } from './link-usb.js';
import type { OpenLink } from './link.js';

export function openLinkFor(t: PrinterTransportConfig): OpenLink {
  switch (t.type) {
    case 'tcp':
      return tcpLink({ host: t.host, port: t.port });
    case 'serial':
      return serialLink({ path: t.path, baudRate: t.baudRate, rtscts: t.rtscts });
    case 'lp':
      return lpLink({ path: t.path, bidirectional: t.bidirectional });
    case 'usb':
      return usbLink({ vendorId: t.vendorId, productId: t.productId });
  }
}
