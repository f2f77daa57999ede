/**
 * A kiosk's upward path without the daemon around it: store, outbox, event log, publisher and
 * the MQTT link to `url`, with the short reconnect backoff the tests want.
 */
import { join } from 'node:path';
import { EventLog } from '../../../agent/outbox/events.js';
import { Outbox } from '../../../agent/outbox/outbox.js';
import { MqttLink } from '../../../agent/mqtt/link.js';
import { Publisher } from '../../../agent/mqtt/publisher.js';
import { Store } from '../../../agent/store/db.js';
import { silentLogger } from '../../../drivers/common/logger.js';

export const time = { now: () => ({ ts: Date.now(), mono: Math.round(performance.now()), boot: 'b', synced: true }) };

export async function kioskLink(url: string, dir: string, o: { kioskId: string; window: number }) {
  const store = await Store.open(join(dir, 'a.db'), { logger: silentLogger });
  const outbox = await Outbox.open(store, o.kioskId, time, { maxRows: 100_000, maxBytes: 1e9 }, silentLogger);
  const events = new EventLog(store, outbox, silentLogger);
  const publisher = new Publisher(outbox, o.window, silentLogger);
  const link = new MqttLink({
    config: { url, keepaliveSec: 5, connectTimeoutSec: 5, backoff: { baseMs: 20, capMs: 200, stableMs: 1000 }, inflight: o.window },
    kioskId: o.kioskId,
    store,
    time,
    logger: silentLogger,
    birth: () => ({ agent: '0.1.0', district: 'Jaipur', lsp: 'L', heartbeatSec: 60, keepaliveSec: 5 }),
    onUp: (c) => publisher.attach(c),
    onDown: () => publisher.detach(),
  });
  return { store, outbox, events, publisher, link };
}
