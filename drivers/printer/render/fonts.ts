/**
 * The bundled fonts: Noto Sans Devanagari from the @fontsource package (OFL-1.1), loaded from
 * node_modules at run time — no download. Fontsource ships only woff/woff2; @napi-rs/canvas
 * (Skia) loads woff2 directly, so no TTF package is needed. Fontsource splits the family into
 * unicode subsets, so the Devanagari and Latin subsets are registered as two families and every
 * font string lists both: Skia's paragraph shaper falls back per character, and HarfBuzz shapes
 * conjuncts, reph and pre-base matras correctly (reference B5).
 */
import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';
import { PrinterError, PrinterErrorCode } from '../errors.js';

export const FONT_STACK = 'KioskLatin, KioskDeva';

const require = createRequire(import.meta.url);
let loaded = false;

/** Registers the fonts once per process. Throws RenderFailed if the package is missing. */
export function ensureFonts(): void {
  if (loaded) return;
  for (const weight of [400, 700]) {
    for (const [subset, family] of [['devanagari', 'KioskDeva'], ['latin', 'KioskLatin']] as const) {
      const spec = `@fontsource/noto-sans-devanagari/files/noto-sans-devanagari-${subset}-${weight}-normal.woff2`;
      let path: string;
      try {
        path = require.resolve(spec);
      } catch (err) {
        throw new PrinterError(PrinterErrorCode.RenderFailed, `font ${spec} not installed`, { spec }, { cause: err });
      }
      if (!GlobalFonts.registerFromPath(path, family)) {
        throw new PrinterError(PrinterErrorCode.RenderFailed, `font ${path} could not be loaded`, { path });
      }
    }
  }
  loaded = true;
}

/** A CSS font string over the bundled families. */
export function font(sizePx: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${sizePx}px ${FONT_STACK}`;
}
