/**
 * Building print jobs. Command bytes come from @point-of-sale/receipt-printer-encoder
 * (reference B6 and Recommendation 2: pure, profiled, dithering); this module only fixes the
 * choices that matter for kiosks:
 * - images go in as plain `{width, height, data}` RGBA objects, never a canvas: the encoder
 *   detects input by constructor name and treats @napi-rs/canvas' `CanvasElement` as a DOM
 *   element (reference B5, last bullet);
 * - tall images are sent as several GS v 0 bands, because some models cap the row count and
 *   cheap USB units time out on one huge command (reference B3, B9);
 * - the encoder's initialize emits ESC @ + FS . so clones booted in a Chinese double-byte mode
 *   read our bytes as single-byte text (reference B2, B9);
 * - no line feed after blocks (images, QR): an LF after GS v 0 with an empty line buffer feeds
 *   a blank line, which would cut a gap through text that spans two bands;
 * - the job always feeds before cutting (reference B9; encoder issue #18).
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { EscposError, EscposErrorCode } from './errors.js';

/** RGBA pixels, row-major, as `ctx.getImageData()` returns them. */
export interface ImageLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export type PaperWidth = 58 | 80;

/** Printable dots per paper width at 203 dpi (reference B1). */
export const PAPER_DOTS: Record<PaperWidth, number> = { 58: 384, 80: 576 };
/** Font A columns per paper width (reference B1). */
export const PAPER_COLUMNS: Record<PaperWidth, number> = { 58: 32, 80: 48 };

export type JobBlock =
  | { type: 'image'; image: ImageLike }
  | { type: 'text'; text: string; bold?: boolean; align?: 'left' | 'center' | 'right'; size?: 1 | 2 }
  | { type: 'qr'; data: string; size?: number; errorLevel?: 'l' | 'm' | 'q' | 'h' }
  | { type: 'barcode'; data: string; height?: number }
  | { type: 'feed'; lines: number }
  | { type: 'cut'; partial?: boolean };

export interface EncodeOptions {
  paper: PaperWidth;
  /** Rows per GS v 0 band. Default 256 (a multiple of 8, within every limit seen in ref B3). */
  bandRows?: number;
  /** Lines fed before a cut. Default 4 (clears the tear bar on 58/80 mm heads). */
  feedBeforeCut?: number;
}

/** Splits an image into horizontal bands of at most `rows` rows (copies, plain objects). */
export function imageBands(img: ImageLike, rows: number): ImageLike[] {
  const out: ImageLike[] = [];
  const stride = img.width * 4;
  for (let y = 0; y < img.height; y += rows) {
    const h = Math.min(rows, img.height - y);
    out.push({ width: img.width, height: h, data: img.data.slice(y * stride, (y + h) * stride) });
  }
  return out;
}

function checkImage(img: ImageLike, maxWidth: number): void {
  const ok =
    Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0 &&
    img.width <= maxWidth && img.data.length === img.width * img.height * 4;
  if (!ok) {
    throw new EscposError(EscposErrorCode.ImageInvalid, `image ${img.width}×${img.height} does not fit ${maxWidth} dots or has ${img.data.length} bytes`, {
      width: img.width,
      height: img.height,
      maxWidth,
    });
  }
}

/** Encodes a job. Throws EscposError(ImageInvalid | EncodeFailed). */
export function encodeJob(blocks: readonly JobBlock[], opts: EncodeOptions): Uint8Array {
  const dots = PAPER_DOTS[opts.paper];
  const bandRows = opts.bandRows ?? 256;
  const enc = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: PAPER_COLUMNS[opts.paper],
    imageMode: 'raster',
    feedBeforeCut: opts.feedBeforeCut ?? 4,
    // Raster bands must abut: an LF after GS v 0 feeds a blank text line between them.
    feedAfterBlock: false,
  });
  try {
    enc.initialize();
    for (const b of blocks) {
      switch (b.type) {
        case 'image':
          checkImage(b.image, dots);
          for (const band of imageBands(b.image, bandRows)) {
            // A fresh object literal: the encoder recognises it by constructor name 'Object'.
            enc.image({ width: band.width, height: band.height, data: band.data }, band.width, band.height, 'threshold', 128);
          }
          break;
        case 'text':
          enc.align(b.align ?? 'left').bold(b.bold ?? false).size(b.size ?? 1, b.size ?? 1).line(b.text);
          enc.size(1, 1).bold(false).align('left');
          break;
        case 'qr':
          enc.align('center').qrcode(b.data, { model: 2, size: b.size ?? 5, errorlevel: b.errorLevel ?? 'm' }).align('left');
          break;
        case 'barcode':
          enc.align('center').barcode(b.data, 'code128', b.height ?? 60).align('left');
          break;
        case 'feed':
          enc.newline(b.lines);
          break;
        case 'cut':
          enc.cut(b.partial === false ? 'full' : 'partial');
          break;
      }
    }
    return enc.encode();
  } catch (e) {
    if (e instanceof EscposError) throw e;
    throw new EscposError(EscposErrorCode.EncodeFailed, `encoder refused the job: ${(e as Error).message}`);
  }
}
