/**
 * Lays out receipt lines (Hindi and English) on a canvas one printer-width wide and returns the
 * RGBA pixels. ESC/POS code pages cannot print Devanagari, so everything that may contain Hindi
 * is printed as a raster image (reference B5). Line height leaves room above for matras and
 * reph and below for ु/ृ, which sit outside the Latin ascent/descent.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { ImageLike } from '../../../protocols/escpos/index.js';
import { ensureFonts, font } from './fonts.js';

export type Align = 'left' | 'center' | 'right';

export type Line =
  | { t: 'text'; text: string; size?: number; bold?: boolean; align?: Align }
  /** Label on the left, value on the right; wraps onto two lines when both do not fit. */
  | { t: 'kv'; label: string; value: string; bold?: boolean }
  | { t: 'rule'; dashed?: boolean }
  | { t: 'gap'; px: number }
  /** White text on a black bar, e.g. DUPLICATE. */
  | { t: 'banner'; text: string; size?: number };

export interface LayoutOptions {
  /** Canvas width in dots: 384 (58 mm) or 576 (80 mm). */
  width: number;
  /** Base font size, px (= dots). Default 22 at 384 dots, 24 wider. */
  size?: number;
  /** Side margin, dots. Default 4. */
  margin?: number;
}

interface Placed {
  h: number;
  draw: (ctx: SKRSContext2D, y: number) => void;
}

const lineHeight = (size: number): number => Math.round(size * 1.55);
const baseline = (size: number): number => Math.round(size * 1.12);

/** Greedy word wrap by measured width; a single over-long word is broken by characters. */
function wrap(ctx: SKRSContext2D, text: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word;
    if (ctx.measureText(next).width <= max) {
      cur = next;
      continue;
    }
    if (cur) out.push(cur);
    cur = word;
    while (ctx.measureText(cur).width > max && cur.length > 1) {
      // Break by grapheme-ish units: never split a combining mark from its base.
      const chars = [...new Intl.Segmenter('hi', { granularity: 'grapheme' }).segment(cur)].map((s) => s.segment);
      let k = chars.length - 1;
      while (k > 1 && ctx.measureText(chars.slice(0, k).join('')).width > max) k--;
      out.push(chars.slice(0, k).join(''));
      cur = chars.slice(k).join('');
    }
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

function place(ctx: SKRSContext2D, line: Line, o: Required<LayoutOptions>): Placed[] {
  const inner = o.width - 2 * o.margin;
  switch (line.t) {
    case 'gap':
      return [{ h: line.px, draw: () => undefined }];
    case 'rule':
      return [{
        h: 12,
        draw: (c, y) => {
          c.fillStyle = '#000';
          if (!line.dashed) return c.fillRect(o.margin, y + 5, inner, 2);
          for (let x = o.margin; x < o.width - o.margin; x += 12) c.fillRect(x, y + 5, 6, 2);
        },
      }];
    case 'banner': {
      const size = line.size ?? o.size;
      ctx.font = font(size, true);
      const h = lineHeight(size);
      const text = line.text;
      return [{
        h: h + 4,
        draw: (c, y) => {
          c.fillStyle = '#000';
          c.fillRect(o.margin, y, inner, h + 2);
          c.fillStyle = '#fff';
          c.font = font(size, true);
          c.fillText(text, o.margin + (inner - c.measureText(text).width) / 2, y + baseline(size));
        },
      }];
    }
    case 'text': {
      const size = line.size ?? o.size;
      ctx.font = font(size, line.bold);
      return wrap(ctx, line.text, inner).map((s) => ({
        h: lineHeight(size),
        draw: (c, y) => {
          c.font = font(size, line.bold);
          c.fillStyle = '#000';
          const w = c.measureText(s).width;
          const x = line.align === 'center' ? o.margin + (inner - w) / 2 : line.align === 'right' ? o.width - o.margin - w : o.margin;
          c.fillText(s, x, y + baseline(size));
        },
      }));
    }
    case 'kv': {
      const size = o.size;
      ctx.font = font(size);
      const lw = ctx.measureText(line.label).width;
      ctx.font = font(size, line.bold ?? true);
      const vw = ctx.measureText(line.value).width;
      if (lw + vw + 12 <= inner) {
        return [{
          h: lineHeight(size),
          draw: (c, y) => {
            c.fillStyle = '#000';
            c.font = font(size);
            c.fillText(line.label, o.margin, y + baseline(size));
            c.font = font(size, line.bold ?? true);
            c.fillText(line.value, o.width - o.margin - vw, y + baseline(size));
          },
        }];
      }
      return [
        ...place(ctx, { t: 'text', text: line.label }, o),
        ...place(ctx, { t: 'text', text: line.value, bold: line.bold ?? true, align: 'right' }, o),
      ];
    }
  }
}

/** Renders lines to RGBA pixels `width` dots wide (height rounded up to a multiple of 8). */
export function renderLines(lines: readonly Line[], opts: LayoutOptions): ImageLike {
  ensureFonts();
  const o: Required<LayoutOptions> = { size: opts.width <= 384 ? 22 : 24, margin: 4, ...opts };
  const probe = createCanvas(o.width, 8).getContext('2d');
  const placed = lines.flatMap((l) => place(probe, l, o));
  const height = Math.max(8, Math.ceil(placed.reduce((s, p) => s + p.h, 0) / 8) * 8);
  const canvas = createCanvas(o.width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, o.width, height);
  let y = 0;
  for (const p of placed) {
    p.draw(ctx, y);
    y += p.h;
  }
  const img = ctx.getImageData(0, 0, o.width, height);
  // A plain object, never the canvas: the encoder detects inputs by constructor name (ref B5).
  return { width: img.width, height: img.height, data: img.data };
}
