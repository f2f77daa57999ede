/**
 * USB ids kioskctl recognises. Vendor-wide entries (no product id) are for vendors that make
 * nothing else a kiosk would carry. Printers are also recognised by USB class 7 whatever their id.
 * UPS ids are those NUT's blazer_usb/nutdrv_qx and usbhid-ups match (reference/ups-megatec-nut.md).
 */
export type DeviceKind = 'printer' | 'fingerprint' | 'ups' | 'serial-bridge';

export interface KnownUsb {
  vendorId: number;
  productId?: number;
  kind: DeviceKind;
  model: string;
}

export const KNOWN_USB: readonly KnownUsb[] = [
  // Thermal receipt printers that show up under a bridge chip's id instead of the printer class.
  { vendorId: 0x0416, productId: 0x5011, kind: 'printer', model: 'POS-80 / Xprinter (Winbond id)' },
  { vendorId: 0x0483, productId: 0x5720, kind: 'printer', model: 'POS-58 thermal (STM id)' },
  { vendorId: 0x0fe6, productId: 0x811e, kind: 'printer', model: 'ICS thermal printer' },
  { vendorId: 0x04b8, kind: 'printer', model: 'Epson TM series' },
  { vendorId: 0x1fc9, productId: 0x2016, kind: 'printer', model: 'NXP-based thermal printer' },
  // UIDAI registered fingerprint devices.
  { vendorId: 0x2c0f, kind: 'fingerprint', model: 'Mantra MFS100/MFS110' },
  { vendorId: 0x079b, kind: 'fingerprint', model: 'Morpho (Sagem) MSO 1300' },
  { vendorId: 0x225d, kind: 'fingerprint', model: 'IDEMIA/Morpho MSO' },
  { vendorId: 0x1162, kind: 'fingerprint', model: 'SecuGen Hamster' },
  { vendorId: 0x0bca, kind: 'fingerprint', model: 'Startek FM220' },
  // UPS interfaces.
  { vendorId: 0x0665, productId: 0x5161, kind: 'ups', model: 'Megatec/Voltronic (cypress)' },
  { vendorId: 0x06da, kind: 'ups', model: 'Phoenixtec / Megatec family' },
  { vendorId: 0x0001, productId: 0x0000, kind: 'ups', model: 'Megatec (fuji, unregistered id)' },
  { vendorId: 0x051d, kind: 'ups', model: 'APC (USB HID)' },
  // USB-serial bridges behind R30x readers, serial printers and Megatec cables.
  { vendorId: 0x1a86, kind: 'serial-bridge', model: 'WCH CH340/CH341' },
  { vendorId: 0x10c4, kind: 'serial-bridge', model: 'Silicon Labs CP210x' },
  { vendorId: 0x0403, kind: 'serial-bridge', model: 'FTDI' },
  { vendorId: 0x067b, kind: 'serial-bridge', model: 'Prolific PL2303' },
];

export const USB_CLASS_PRINTER = 7;

export function lookupUsb(vendorId: number, productId: number): KnownUsb | undefined {
  return (
    KNOWN_USB.find((k) => k.vendorId === vendorId && k.productId === productId) ??
    KNOWN_USB.find((k) => k.vendorId === vendorId && k.productId === undefined)
  );
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
