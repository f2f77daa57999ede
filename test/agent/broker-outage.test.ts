/**
 * Acceptance: against a real Mosquitto, the agent keeps emitting events while the broker is
 * stopped for a while and restarted (twice); a subscriber receives every event, in order,
 * none missing (at-least-once: duplicates are dropped by seq). The subscriber comes back only
 * seconds after each restart, long after the agent has sent its backlog: what it missed meanwhile
 * reaches it because the broker keeps its session on disk, as central's consumers rely on.
 */
import t from 'tap';
import { spawnAgent, writeAgentConfig } from '../helpers/agent-process.js';
import { Collector } from '../helpers/collector.js';
import { Mosquitto, mosquittoPath } from '../helpers/mosquitto.js';

const seqs = (c: Collector) => c.on('events').filter((r) => r.message['type'] === 'sim.tick').map((r) => r.message['seq'] as number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('broker stopped and restarted while events are emitted', { skip: mosquittoPath() ? false : 'mosquitto not installed' }, async (t) => {
  const broker = new Mosquitto();
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await Collector.start(broker.url, 'kiosk/v1/RJ-JAI-0020/events', 'outage-collector', 2500);
  t.teardown(() => sub.close());
  const config = writeAgentConfig({ id: 'RJ-JAI-0020', url: broker.url, dir: t.testdir({}), eventEveryMs: 20 });
  const agent = spawnAgent(config);
  t.teardown(() => agent.proc.kill('SIGKILL'));

  await sub.until(() => seqs(sub).length >= 20, 30_000, 'first events');
  for (let outage = 0; outage < 2; outage++) {
    // Real time here is the point: the agent must keep producing while the broker is away.
    await broker.stop();
    await sleep(1500);
    await broker.start();
    await sleep(800);
  }
  agent.proc.kill('SIGTERM');
  t.equal(await agent.exited, 0, 'clean stop drains the outbox');
  await sub.until(() => sub.on('events').some((r) => r.message['type'] === 'agent.stop'), 10_000, 'agent.stop');
  const all = sub.on('events').map((r) => r.message['seq'] as number);
  const last = all.at(-1)!;
  t.ok(last > 150, `events emitted across the outages (${last})`);
  t.same(all, Array.from({ length: last }, (_, i) => i + 1), 'every event from 1 to the last, in order, after dedupe');
  t.ok(sub.all.length >= sub.unique.length, `${sub.all.length - sub.unique.length} redelivered duplicates dropped`);
});
