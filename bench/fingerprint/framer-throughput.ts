/**
 * R30x framer throughput: a clean stream of 128-byte data packets (an image upload's shape) and a
 * hostile one (10 % of bytes garbage, flipped bits), pushed in 4 KiB chunks as a serial port delivers them.
 */
import { R30xFramer, splitData, encodeAck } from '../../protocols/r30x/index.js';
import { median, type Result } from './_rig.js';

function stream(bytes: number, hostile: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
  while (size < bytes) {
    const blob = Uint8Array.from({ length: 1280 }, rnd);
    for (const p of [encodeAck(0), ...splitData(blob, 128)]) {
      const q = p.slice();
      if (hostile && rnd() < 26) q[rnd() % q.length] = q[rnd() % q.length]! ^ 0x10;
      parts.push(q);
      size += q.length;
      if (hostile && rnd() < 26) {
        const g = Uint8Array.from({ length: 20 + (rnd() % 100) }, rnd);
        parts.push(g);
        size += g.length;
      }
    }
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function measure(data: Uint8Array): { mbps: number; pps: number } {
  const runs: number[] = [];
  let packets = 0;
  for (let r = 0; r < 5; r++) {
    const f = new R30xFramer({ address: 0xffffffff });
    packets = 0;
    const t0 = performance.now();
    for (let off = 0; off < data.length; off += 4096) {
      for (const item of f.push(data.subarray(off, off + 4096))) if (item.kind === 'packet') packets++;
    }
    runs.push(performance.now() - t0);
  }
  const ms = median(runs);
  return { mbps: data.length / 1e6 / (ms / 1000), pps: packets / (ms / 1000) };
}

export function run(): Promise<Result[]> {
  const clean = measure(stream(8e6, false));
  const hostile = measure(stream(8e6, true));
  // 57,600 baud carries 5,760 bytes/s: the framer's margin over the line is the ratio below.
  return Promise.resolve([
    { name: 'r30x framer throughput, clean stream', value: clean.mbps, unit: 'MB/s', note: `${Math.round(clean.pps)} packets/s; median of 5 over 8 MB in 4 KiB chunks` },
    { name: 'r30x framer throughput, hostile stream', value: hostile.mbps, unit: 'MB/s', note: 'bit flips and garbage runs in ~10 % of packets' },
    { name: 'r30x framer headroom over 57,600 baud', value: (clean.mbps * 1e6) / 5760, unit: 'x', note: 'clean throughput / line rate (5,760 B/s)' },
  ]);
}
