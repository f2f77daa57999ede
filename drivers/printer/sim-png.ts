/**
 * Paints what the simulator decoded onto a paper-wide PNG, the way the demo kiosks keep their
 * "printouts": raster images dot for dot (MSB = leftmost dot, 1 = black, reference B3), text in
 * the bundled font at Font A cell height (24 dots) times the size multiplier. Symbols the
 * printer would draw itself (QR, barcode) are drawn as labelled boxes carrying their payload,
 * since no symbol generator is bundled; tests check those payloads from the decoded ops.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { EscposOp, ImageLike } from '../../protocols/escpos/index.js';
import { ensureFonts, font } from './render/fonts.js';

/** RGBA pixels of a GS v 0 raster (1 = black). */
export function rasterToImage(op: Extract<EscposOp, { kind: 'raster' }>): ImageLike {
  const { width, height, data } = op;
  const out = new Uint8ClampedArray(width * height * 4).fill(255);
  const rowBytes = width / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[y * rowBytes + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) out.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return { width, height, data: out };
}

/** Stacks every raster of a page into one image (what the golden tests compare). */
export function rastersOf(ops: readonly EscposOp[], width: number): ImageLike {
  const rs = ops.filter((o): o is Extract<EscposOp, { kind: 'raster' }> => o.kind === 'raster');
  const height = rs.reduce((s, r) => s + r.height, 0);
  const data = new Uint8ClampedArray(width * Math.max(height, 1) * 4).fill(255);
  let y0 = 0;
  for (const r of rs) {
    const img = rasterToImage(r);
    const w = Math.min(width, img.width);
    for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 4, (y * img.width + w) * 4), ((y0 + y) * width) * 4);
    y0 += r.height;
  }
  return { width, height: Math.max(height, 1), data };
}

export function imageToPng(img: ImageLike): Buffer {
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  const id = ctx.createImageData(img.width, img.height);
  id.data.set(img.data);
  ctx.putImageData(id, 0, 0);
  return c.toBuffer('image/png');
}

interface Item {
  h: number;
  draw: (ctx: SKRSContext2D, y: number) => void;
}

/** A whole page (text, rasters, symbols, feeds, cut) as a PNG `width` dots wide. */
export function pageToPng(ops: readonly EscposOp[], width: number): Buffer {
  ensureFonts();
  const items: Item[] = [];
  let line: Extract<EscposOp, { kind: 'text' }>[] = [];
  const flush = (): void => {
    const parts = line;
    line = [];
    const h = 24 * Math.max(1, ...parts.map((p) => p.style.height)) + 6;
    items.push({
      h,
      draw: (c, y) => {
        let x = 0;
        const total = parts.reduce((s, p) => s + 12 * p.style.width * p.text.length, 0);
        const align = parts[0]?.style.align ?? 'left';
        if (align === 'center') x = Math.max(0, (width - total) / 2);
        if (align === 'right') x = Math.max(0, width - total);
        for (const p of parts) {
          c.fillStyle = '#000';
          c.font = font(20 * p.style.height, p.style.bold);
          c.fillText(p.text, x, y + h - 8);
          x += 12 * p.style.width * p.text.length;
        }
      },
    });
  };
  const box = (label: string, size: number): Item => ({
    h: size + 28,
    draw: (c, y) => {
      const x = (width - size) / 2;
      c.strokeStyle = '#000';
      c.lineWidth = 3;
      c.strokeRect(x, y + 4, size, size);
      c.fillStyle = '#000';
      c.font = font(14);
      c.fillText(label.slice(0, 60), 4, y + size + 24);
    },
  });
  for (const op of ops) {
    if (op.kind === 'text') line.push(op);
    else if (op.kind === 'newline') flush();
    else if (op.kind === 'raster') {
      const img = rasterToImage(op);
      items.push({
        h: op.height,
        draw: (c, y) => {
          const id = c.createImageData(img.width, img.height);
          id.data.set(img.data);
          c.putImageData(id, 0, y);
        },
      });
    } else if (op.kind === 'qr') items.push(box(`QR ${op.text}`, Math.min(width - 40, 160)));
    else if (op.kind === 'barcode') items.push(box(`${op.symbology} ${op.text}`, 60));
    else if (op.kind === 'feed') items.push({ h: op.dots ?? (op.lines ?? 1) * 30, draw: () => undefined });
    else if (op.kind === 'cut') {
      items.push({
        h: 12,
        draw: (c, y) => {
          c.fillStyle = '#888';
          for (let x = 0; x < width; x += 10) c.fillRect(x, y + 6, 5, 1);
        },
      });
    }
  }
  if (line.length) flush();
  const height = Math.max(1, items.reduce((s, i) => s + i.h, 0));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const it of items) {
    it.draw(ctx, y);
    y += it.h;
  }
  return canvas.toBuffer('image/png');
}

/**
 * Writes each page the simulator cuts to `<dir>/<prefix>-<n>.png` (the demo kiosks keep their
 * printouts this way). Returns an unsubscribe.
 */
export function keepPngs(
  sim: { on(ev: 'page', cb: (p: { ops: EscposOp[] }) => void): unknown; off(ev: 'page', cb: (p: { ops: EscposOp[] }) => void): unknown },
  dir: string,
  width: number,
  prefix = 'receipt',
): () => void {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const onPage = (p: { ops: EscposOp[] }): void => {
    n++;
    writeFileSync(join(dir, `${prefix}-${String(n).padStart(4, '0')}.png`), pageToPng(p.ops, width));
  };
  sim.on('page', onPage);
  return () => sim.off('page', onPage);
}
