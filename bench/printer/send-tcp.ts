/**
 * Time to send the typical Hindi receipt (58 mm) to the printer simulator over a real loopback
 * TCP socket, until the printer confirms it (status pre-check, job bytes, GS r barrier).
 */
import { silentLogger } from '../../drivers/common/logger.js';
import { tcpLink } from '../../drivers/printer/link-tcp.js';
import { PrinterDriver } from '../../drivers/printer/printer.js';
import { receiptJob } from '../../drivers/printer/receipts.js';
import { serveTcp } from '../../drivers/printer/sim-server.js';
import { PrinterSimulator } from '../../drivers/printer/simulator.js';
import type { BenchResult } from '../run.js';
import { RECEIPT, SEED, median } from './_fixture.js';

export async function run(): Promise<BenchResult[]> {
  const sim = new PrinterSimulator();
  const server = await serveTcp(sim, { port: 0 });
  const driver = new PrinterDriver({ openLink: tcpLink({ host: '127.0.0.1', port: server.port }), logger: silentLogger, pollIntervalMs: 3_600_000 });
  try {
    await driver.start();
    const out: BenchResult[] = [];
    for (const paper of [58, 80] as const) {
      const { bytes } = receiptJob(RECEIPT, { paper, privateKey: SEED });
      const times: number[] = [];
      let outcome = '';
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        outcome = await driver.send(bytes);
        times.push(performance.now() - t0);
      }
      out.push({ name: `send receipt to TCP simulator, ${paper} mm`, value: median(times), unit: 'ms', note: `median of 20, ${bytes.length} bytes, outcome ${outcome}; includes the simulator decoding it` });
    }
    return out;
  } finally {
    await driver.stop();
    await server.close();
  }
}
