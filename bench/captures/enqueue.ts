/**
 * Capture enqueue latency (issue 7): from a PidData in hand to the capture row and its sealed
 * envelope committed (X25519 + HKDF + AES-256-GCM, then one SQLite transaction with
 * synchronous=FULL), through EkycService.take with an RD service that answers at once with a
 * PidData prepared beforehand (parsing it is included). The
 * seal alone is timed too, to show where the time goes.
 */
import { randomUUID } from 'node:crypto';
import { keyIdOf, seal } from '../../protocols/seal/seal.js';
import { tempDir } from '../agent/_support.js';
import type { BenchResult } from '../run.js';
import { captureBody, central, instantRd, openQueue, preparedRd } from './_queue.js';

const N = Number(process.env['BENCH_ENQUEUE_N'] ?? 1000);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<BenchResult[]> {
  const { store, service } = await openQueue(tempDir('bench-enqueue-'), 'RJ-JAI-0400', N * 2, preparedRd(Math.min(N, 200)));
  try {
    const total: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await service.take(captureBody(i));
      total.push(performance.now() - t0);
    }
    const pid = (await instantRd.capture({})).pid.reveal().xml;
    const plain = Buffer.from(JSON.stringify({ v: 1, citizenRef: 'samagra:700001391', consent: { given: true, at: Date.now() }, pidData: pid }));
    const sealOnly: number[] = [];
    const to = { publicKey: central.publicKey, keyId: keyIdOf(central.publicKey) };
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      seal(plain, to, { kioskId: 'RJ-JAI-0400', captureId: randomUUID(), capturedAt: Date.now() });
      sealOnly.push(performance.now() - t0);
    }
    total.sort((a, b) => a - b);
    sealOnly.sort((a, b) => a - b);
    const note = `${N} captures, PidData ${plain.length} bytes, SQLite WAL synchronous=FULL on the bench machine's disk`;
    return [
      { name: 'capture enqueue p50 (seal + durable write)', value: pct(total, 50), unit: 'ms', note },
      { name: 'capture enqueue p99 (seal + durable write)', value: pct(total, 99), unit: 'ms' },
      { name: 'seal alone p50', value: pct(sealOnly, 50), unit: 'ms', note: 'ephemeral X25519 key, ECDH, HKDF-SHA256, AES-256-GCM' },
      { name: 'seal alone p99', value: pct(sealOnly, 99), unit: 'ms' },
    ];
  } finally {
    await service.stop();
    await store.close();
  }
}
