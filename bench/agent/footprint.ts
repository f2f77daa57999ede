/**
 * Idle footprint: the agent with default settings (60 s heartbeats) left alone for
 * BENCH_IDLE_SEC (default 600 s), beside a bare `node` process started at the same moment;
 * RSS and CPU time of both at the end. The same run counts the MQTT bytes on the wire at the
 * broker (both directions, CONNECT included) and extrapolates them to a day.
 */
import { spawn } from 'node:child_process';
import type { BenchResult } from '../run.js';
import { countingBroker, procUsage, sleep, spawnAgent, stop, tempDir, writeConfig } from './_support.js';

export async function run(): Promise<BenchResult[]> {
  const idleSec = Number(process.env['BENCH_IDLE_SEC'] ?? 600);
  const broker = await countingBroker();
  const config = writeConfig(tempDir('bench-idle-'), 'RJ-JAI-0100', broker.url);
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  const agent = spawnAgent(config);
  try {
    await sleep(idleSec * 1000);
    const a = procUsage(agent.pid!);
    const b = procUsage(bare.pid!);
    const bytes = broker.bytes();
    const perDay = (bytes * 86_400) / idleSec;
    return [
      { name: 'agent RSS after idle', value: a.rssKb / 1024, unit: 'MiB', note: `${idleSec} s idle, heartbeat 60 s` },
      { name: 'bare node RSS', value: b.rssKb / 1024, unit: 'MiB', note: 'same run' },
      { name: 'RSS ratio agent / bare node', value: a.rssKb / b.rssKb, unit: '×', note: 'bar ≤ 2' },
      { name: 'agent CPU time', value: a.cpuMs, unit: 'ms', note: `over ${idleSec} s, start-up included` },
      { name: 'bare node CPU time', value: b.cpuMs, unit: 'ms' },
      { name: 'agent CPU share while idle', value: (a.cpuMs / (idleSec * 1000)) * 100, unit: '% of one core' },
      { name: 'MQTT bytes on the wire', value: bytes, unit: 'bytes', note: `${idleSec} s, both directions, counted at the broker` },
      { name: 'bytes per kiosk per day', value: perDay / 1_000_000, unit: 'MB/day', note: 'extrapolated; bar ≤ 1 MB' },
    ];
  } finally {
    await stop(agent);
    bare.kill('SIGKILL');
    await broker.close();
  }
}
