/**
 * How many bytes each ESC/POS command occupies, so the decoder can step over commands it does
 * not model and wait for the rest of one that is split across chunks. Parameter counts are
 * from the Epson ESC/POS reference as summarised in reference B2/B3 and escpos-tools'
 * Printout.php command table (reference B8). An unknown ESC/GS/FS second byte is taken as a
 * two-byte command: the decoder then reads what follows as text, which is what a printer that
 * ignores the command would print as well.
 */
export type Need = { kind: 'ok'; total: number } | { kind: 'more'; total?: number };

const ok = (total: number): Need => ({ kind: 'ok', total });

/** Fixed parameter counts after ESC x (x = key). */
const ESC_FIXED: Record<number, number> = {
  0x40: 0, 0x21: 1, 0x45: 1, 0x47: 1, 0x2d: 1, 0x4d: 1, 0x61: 1, 0x74: 1, 0x64: 1, 0x4a: 1,
  0x65: 1, 0x32: 0, 0x33: 1, 0x70: 3, 0x42: 2, 0x56: 1, 0x7b: 1, 0x20: 1, 0x52: 1, 0x63: 2,
  0x55: 1, 0x53: 0, 0x4c: 0, 0x69: 0, 0x6d: 0, 0x24: 2, 0x5c: 2, 0x25: 1, 0x3d: 1, 0x72: 1,
  0x54: 1, 0x57: 8, 0x0c: 0, 0x3f: 1, 0x26: 3,
};

/** Fixed parameter counts after GS x. */
const GS_FIXED: Record<number, number> = {
  0x21: 1, 0x42: 1, 0x68: 1, 0x77: 1, 0x48: 1, 0x66: 1, 0x72: 1, 0x61: 1, 0x49: 1, 0x4c: 2,
  0x57: 2, 0x50: 2, 0x24: 2, 0x5c: 2, 0x62: 1, 0x54: 1, 0x2f: 1, 0x3a: 0, 0x45: 1, 0x5e: 3,
  0x7c: 1,
};

/** Fixed parameter counts after FS x. */
const FS_FIXED: Record<number, number> = { 0x2e: 0, 0x26: 0, 0x21: 1, 0x2d: 1, 0x43: 1, 0x70: 2, 0x53: 2, 0x57: 1 };

/** `have` bytes are available from `start`; the command needs `total`. */
function fixed(have: number, total: number): Need {
  return have >= total ? ok(total) : { kind: 'more', total };
}

/** Length of a command whose total is known once its header (of `hdr` bytes) has arrived. */
function declared(have: number, hdr: number, total: () => number): Need {
  if (have < hdr) return { kind: 'more' };
  return fixed(have, total());
}

export function commandLength(buf: Uint8Array, start: number): Need {
  const have = buf.length - start;
  const at = (k: number): number => buf[start + k] ?? 0;
  const b0 = at(0);
  if (b0 !== 0x1b && b0 !== 0x1d && b0 !== 0x1c && b0 !== 0x10) return ok(1); // LF, CR, other C0
  if (have < 2) return { kind: 'more' };
  const b1 = at(1);
  if (b0 === 0x10) {
    // DLE EOT n / DLE ENQ n: 3 bytes; DLE DC4 fn a b: 5 bytes (fn 1 pulse, fn 2 power off…).
    if (b1 === 0x04 || b1 === 0x05) return fixed(have, 3);
    if (b1 === 0x14) return fixed(have, 5);
    return ok(1); // a lone DLE: step over it
  }
  if (b0 === 0x1c) {
    const n = FS_FIXED[b1];
    return n === undefined ? ok(2) : fixed(have, 2 + n);
  }
  if (b0 === 0x1b) {
    if (b1 === 0x2a) {
      // ESC * m nL nH d…: 8-dot modes (0, 1) take n bytes, 24-dot modes (32, 33) 3n.
      return declared(have, 5, () => {
        const n = at(3) + at(4) * 256;
        return 5 + (at(2) >= 32 ? 3 * n : n);
      });
    }
    if (b1 === 0x28) return declared(have, 5, () => 5 + at(3) + at(4) * 256); // ESC ( x pL pH …
    if (b1 === 0x44) {
      // ESC D n1 … NUL: horizontal tabs, at most 32 positions.
      for (let k = 2; k < Math.min(have, 35); k++) if (at(k) === 0) return ok(k + 1);
      return have >= 35 ? ok(35) : { kind: 'more' };
    }
    const n = ESC_FIXED[b1];
    return n === undefined ? ok(2) : fixed(have, 2 + n);
  }
  // GS
  switch (b1) {
    case 0x56: // GS V m [n]: function B (m 65/66, 97/98, 103/104) carries a feed amount.
      if (have < 3) return { kind: 'more' };
      return [65, 66, 97, 98, 103, 104].includes(at(2)) ? fixed(have, 4) : ok(3);
    case 0x6b: {
      // GS k m d… NUL (m 0–6) or GS k m n d1…dn (m 65–79).
      if (have < 3) return { kind: 'more' };
      if (at(2) <= 6) {
        for (let k = 3; k < Math.min(have, 3 + 255); k++) if (at(k) === 0) return ok(k + 1);
        return have >= 3 + 255 ? ok(3 + 255) : { kind: 'more' };
      }
      return declared(have, 4, () => 4 + at(3));
    }
    case 0x76: // GS v 0 m xL xH yL yH d…: (xL + xH·256)·(yL + yH·256) data bytes (ref B3).
      if (have >= 3 && at(2) !== 0x30) return ok(3);
      return declared(have, 8, () => 8 + (at(4) + at(5) * 256) * (at(6) + at(7) * 256));
    case 0x28: // GS ( x pL pH …
      return declared(have, 5, () => 5 + at(3) + at(4) * 256);
    case 0x38: // GS 8 L p1 p2 p3 p4 …: 32-bit length (large graphics)
      if (have >= 3 && at(2) !== 0x4c) return ok(3);
      return declared(have, 7, () => 7 + at(3) + at(4) * 0x100 + at(5) * 0x10000 + at(6) * 0x1000000);
    case 0x2a: // GS * x y d…: x·y·8 bytes of downloaded bit image
      return declared(have, 4, () => 4 + at(2) * at(3) * 8);
  }
  const n = GS_FIXED[b1];
  return n === undefined ? ok(2) : fixed(have, 2 + n);
}

const SPECIAL_ESC = new Set([0x2a, 0x28, 0x44]);
const SPECIAL_GS = new Set([0x56, 0x6b, 0x76, 0x28, 0x38, 0x2a]);

/** Whether `prefix x` is a command this table knows (an unknown one is reported as such). */
export function isKnownCommand(prefix: number, x: number): boolean {
  if (prefix === 0x1b) return ESC_FIXED[x] !== undefined || SPECIAL_ESC.has(x);
  if (prefix === 0x1d) return GS_FIXED[x] !== undefined || SPECIAL_GS.has(x);
  if (prefix === 0x1c) return FS_FIXED[x] !== undefined;
  return false;
}
