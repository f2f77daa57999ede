/**
 * The broker rule that makes "a kiosk cannot submit under another kiosk's id" hold on the wire
 * (DESIGN §5: kiosk id = MQTT client id = certificate CN): a client may publish on a kiosk's upward
 * topics only when its client id is that kiosk id, and only central (ids starting with the
 * central prefix) may publish downward (`capture-results`, `jobs`). The same rule as the
 * Mosquitto/EMQX ACL pattern `kiosk/v1/%c/#`, in the form aedes' `authorizePublish` takes, for
 * the embedded broker. The receiver checks the envelope's kiosk against the topic besides.
 */
import { parseTopic } from '../../protocols/telemetry/index.js';

export function mayPublish(clientId: string, topic: string, centralPrefix = 'kiosk-fleet'): boolean {
  const t = parseTopic(topic);
  if (!t) return !topic.startsWith('kiosk/');
  if (t.direction === 'down') return clientId.startsWith(centralPrefix);
  return clientId === t.kioskId;
}

/** aedes `authorizePublish`. */
export function kioskPublishAcl(centralPrefix = 'kiosk-fleet') {
  return (client: { id: string } | null, packet: { topic: string }, callback: (err?: Error | null) => void): void => {
    if (!client || mayPublish(client.id, packet.topic, centralPrefix)) callback(null);
    else callback(new Error(`client ${client.id} may not publish on ${packet.topic}`));
  };
}
