/**
 * CPU time per UPS poll, per back-end: the figure that matters on a Raspberry Pi polling every 2 s.
 * - nut: LIST VAR against a real upsd + dummy-ups (skipped with a note when nut-server is absent);
 * - megatec-hid: the whole shim path (drain, 8-byte reports, reassembly, parse, estimate) on a fake device;
 * - megatec parse: Q1 parse + normalisation alone.
 */
import { silentLogger } from '../../drivers/common/logger.js';
import { openHidLink } from '../../drivers/ups/megatec-hid.js';
import { MegatecSimulator } from '../../drivers/ups/megatec-sim.js';
import { MegatecSource } from '../../drivers/ups/megatec-source.js';
import { NutSource } from '../../drivers/ups/nut-source.js';
import { stateFromQ1 } from '../../drivers/ups/state.js';
import { parseQ1 } from '../../protocols/megatec/index.js';
import { getVar } from '../../protocols/nut/index.js';
import { FakeHidDevice } from '../../test/fixtures/ups/fake-hid.js';
import { UpsdHarness, upsdInstalled, waitFor } from '../../test/fixtures/ups/upsd.js';

interface Result {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** CPU µs (user+system of this process) and wall ms per call of `fn`, over `n` calls. */
async function measure(n: number, fn: () => unknown): Promise<{ cpuUs: number; wallMs: number }> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / n, wallMs: (performance.now() - t0) / n };
}

export async function run(): Promise<Result[]> {
  const out: Result[] = [];

  const line = '(242.6 242.4 239.7 018 50.0 2.26 28.8 00000001';
  const parse = await measure(100_000, () => {
    const q = parseQ1(line);
    if (q.ok) stateFromQ1(q.value, { backend: 'megatec-serial', battery: { voltageNominal: 12 } }, 0);
  });
  out.push({ name: 'megatec Q1 parse + normalise', value: parse.cpuUs, unit: 'µs CPU/poll', note: '100k iterations' });

  const sim = new MegatecSimulator({ rawQ1: line });
  const hid = new MegatecSource({ backend: 'megatec-hid', open: () => openHidLink({ open: () => Promise.resolve(new FakeHidDevice(sim)) }), logger: silentLogger });
  await hid.start();
  const h = await measure(20_000, () => hid.read());
  await hid.stop();
  out.push({ name: 'megatec-hid poll (fake device)', value: h.cpuUs, unit: 'µs CPU/poll', note: 'drain + 8-byte reports + parse; no USB time' });

  if (!upsdInstalled()) {
    out.push({ name: 'nut poll (LIST VAR, real upsd)', value: Number.NaN, unit: 'µs CPU/poll', note: 'skipped: nut-server not installed' });
    return out;
  }
  const harness = new UpsdHarness();
  await harness.setup();
  harness.startDriver();
  harness.startUpsd();
  try {
    const src = new NutSource({ port: harness.port, ups: 'dummy', reconnectBaseMs: 100, reconnectCapMs: 200 });
    await src.start();
    await waitFor(async () => (src.client.state === 'ready' ? await src.client.request(getVar('dummy', 'ups.status')).then((v) => (v === 'OL' ? v : undefined), () => undefined) : undefined), 15_000, 'upsd data');
    const n = await measure(200, () => src.read());
    await src.stop();
    out.push({ name: 'nut poll (LIST VAR, real upsd)', value: n.cpuUs, unit: 'µs CPU/poll', note: `agent process only; 11 variables; ${n.wallMs.toFixed(1)} ms wall per poll (upsd writes one line per send: Nagle + delayed ACK, harmless at 2 s)` });
    out.push({ name: 'nut poll CPU share at 2 s interval', value: (n.cpuUs / 2_000_000) * 100, unit: '% of one core' });
  } finally {
    await harness.teardown();
  }
  return out;
}
