import t from 'tap';
import { parseTopic, topicFor, FLEET_UP_FILTER } from '../../../protocols/telemetry/topics.js';

t.test('topicFor and parseTopic round-trip every channel', (t) => {
  for (const ch of ['status', 'heartbeat', 'state', 'events', 'jobs'] as const) {
    const topic = topicFor('RJ-JAI-0001', ch);
    t.same(parseTopic(topic)?.channel, ch);
    t.equal(parseTopic(topic)?.kioskId, 'RJ-JAI-0001');
  }
  t.end();
});

t.test('topics outside the contract are refused', (t) => {
  for (const bad of ['kiosk/v1/RJ-1/nope', 'kiosk/v2/RJ-JAI-1/status', 'kiosk/v1/rj-lower/status', 'kiosk/v1/A/B/status', 'kiosk/v1//status', 'x']) {
    t.equal(parseTopic(bad), undefined, bad);
  }
  t.equal(FLEET_UP_FILTER, 'kiosk/v1/+/+');
  t.end();
});
