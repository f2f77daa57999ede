/** Time from spawning `kiosk-agent` to its birth message at the broker (median of 7). */
import type { BenchResult } from '../run.js';
import { countingBroker, spawnAgent, stop, tempDir, writeConfig } from './_support.js';

export async function run(): Promise<BenchResult[]> {
  const broker = await countingBroker();
  const times: number[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      const id = `RJ-JAI-02${String(i).padStart(2, '0')}`;
      const config = writeConfig(tempDir('bench-start-'), id, broker.url);
      const birth = new Promise<number>((resolve) => {
        const onPublish = (packet: { topic: string; payload: Buffer | string }) => {
          if (packet.topic === `kiosk/v1/${id}/status` && String(packet.payload).includes('"online"')) {
            broker.broker.off('publish', onPublish);
            resolve(performance.now());
          }
        };
        broker.broker.on('publish', onPublish);
      });
      const t0 = performance.now();
      const agent = spawnAgent(config);
      times.push((await birth) - t0);
      await stop(agent);
    }
  } finally {
    await broker.close();
  }
  times.sort((a, b) => a - b);
  return [
    { name: 'start to birth, median', value: times[3]!, unit: 'ms', note: 'fresh database, loopback broker, 7 runs' },
    { name: 'start to birth, fastest', value: times[0]!, unit: 'ms' },
    { name: 'start to birth, slowest', value: times[6]!, unit: 'ms' },
  ];
}
