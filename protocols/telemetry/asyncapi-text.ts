/**
 * The prose of the contract documents (asyncapi.ts): what each channel is for, the meta fields
 * every upward message carries and the session rule of the status channel (DESIGN §5), kept
 * apart from the code that assembles the documents.
 */
import type { ClaimChannel } from './claim.js';
import { CONTRACT_VERSION } from './meta.js';
import type { Channel } from './topics.js';

export const META_DESCRIPTION = [
  'Every upward message carries the same meta fields:',
  '',
  '- `v`: contract version (this document describes version ' + String(CONTRACT_VERSION) + ').',
  '- `ts`: the kiosk\'s wall-clock time, ms since the Unix epoch.',
  '- `mono`: monotonic time, ms since the kiosk booted; never goes backwards within a boot.',
  '- `boot`: the boot id (`/proc/sys/kernel/random/boot_id`), new at every boot.',
  '- `synced`: whether the wall clock was trusted when `ts` was taken. A Raspberry Pi has no ' +
    'real-time clock, so after a boot without network `ts` may be hours or days off. Once a message ' +
    'with `synced: true` arrives from the same `boot`, earlier unsynced messages of that boot can be ' +
    're-dated as `ts_synced - (mono_synced - mono)`; otherwise use the time of receipt.',
  '- `seq`: a per-kiosk, per-channel sequence number that survives agent restarts.',
  '',
  'Delivery is at least once (QoS 1 from a durable outbox on the kiosk, replayed after reconnect ' +
    'and after restart), so a consumer will see duplicates: it must drop them by the triple ' +
    '(kiosk id, channel, seq). Within a channel a kiosk publishes in `seq` order.',
  '',
  'The kiosk id is the MQTT client id, the CN of the kiosk\'s client certificate and the third ' +
    'level of every topic, so a broker ACL pattern `kiosk/v1/%c/#` confines each kiosk to its own subtree.',
].join('\n');

const STATUS_DESCRIPTION = [
  'Birth and death of a kiosk\'s MQTT session, retained.',
  '',
  '- After every connect the agent publishes `state: online` (the birth) with `session`, a counter ' +
    'that grows by one per connection and survives restarts.',
  '- At connect it registers a last will on this same topic: `state: offline`, `reason: will`, carrying ' +
    'the same `session`. A clean shutdown publishes `state: offline`, `reason: shutdown` itself.',
  '- A consumer keeps the highest `session` seen per kiosk and ignores an `offline` whose `session` is ' +
    'lower than that of the latest `online`: a will the broker delivers late (after the kiosk has ' +
    'already reconnected) must never mark a live kiosk offline (the Sparkplug bdSeq rule).',
  '- The will, the birth and a shutdown notice of one session each take their own `seq`, so deduplicating ' +
    'by (kiosk id, channel, seq) never mistakes one for another; order them by `session`, not by `seq`: ' +
    'the will is numbered when it is registered, before the birth.',
  '- A will\'s `ts` and `mono` are those of the connect at which it was registered, not of the loss of the ' +
    'connection: take the time of receipt as the time the kiosk went offline (as Sparkplug does for its death certificate).',
].join('\n');

export const CHANNEL_TEXT: Record<Channel, { title: string; description: string }> = {
  status: { title: 'Status (birth and last will)', description: STATUS_DESCRIPTION },
  heartbeat: {
    title: 'Heartbeat',
    description:
      'Sent every `heartbeatSec` seconds (announced in the birth; 60 s by default): uptime, outbox depth ' +
      'and a one-line device summary. A kiosk that misses several heartbeats in a row is presumed offline ' +
      'even without a will (the fleet monitor uses three intervals by default).',
  },
  state: {
    title: 'State snapshot',
    description:
      'The full picture of the kiosk, retained, sent whenever anything in it changes: agent, configuration ' +
      'version, clock quality, outbox, device health. Sections are open objects: later contract versions add ' +
      'fields, and a consumer must ignore fields it does not know.',
  },
  events: {
    title: 'Events',
    description:
      'Typed events (`type` is dotted lower-case, e.g. `power.lost`). The union is open: an event of a type ' +
      'this contract version defines must carry the data of that type; an event of another well-formed type ' +
      'is valid with free-form `data`, so a consumer built against this version still stores the events of ' +
      'a newer agent. Events are never dropped by the kiosk, even when its outbox is full.',
  },
  transactions: {
    title: 'Transactions',
    description:
      'Each ledger entry, for reconciliation: `entry` `transaction` (a service at the counter: charge, official ' +
      'rate, commission, operator, receipt number, status and its effect on the e-wallet) or `wallet` (a top-up, ' +
      'a credit from central, an adjustment to central\'s balance). Money is integer paise; every entry carries the ' +
      'balance after it. Never dropped by the kiosk; deduplicate by `txnId` / `movementId`.',
  },
  captures: {
    title: 'Captures',
    description:
      'Sealed e-KYC captures (envelope version `env` 1). In clear: capture id (a UUID kept across resends: the ' +
      'idempotency key), kiosk, capture time, modality and service code. `seal` holds the citizen reference, ' +
      'the consent record and the RD service PidData, sealed to central\'s X25519 key (`kid`): an ephemeral ' +
      'X25519 key `epk`, HKDF-SHA256 (salt = epk ‖ central public key, info "kiosk-agent capture seal v1"), ' +
      'AES-256-GCM with the associated data `["kiosk-agent/capture/v1", kid, kiosk, captureId, capturedAt]` as JSON. ' +
      'The receiver refuses an envelope whose `kiosk` differs from the topic kiosk id or whose associated data ' +
      'does not authenticate. A capture older than the kiosk\'s time to live (6 h by default) is deleted and ' +
      'reported as a `capture.expired` event: `unsent` if it never left the kiosk, `unanswered` if it was sent ' +
      'and no result came in time (a result published for it later is still applied by the kiosk).',
  },
  'job-status': {
    title: 'Job status',
    description:
      'Per job id: `accepted` when recorded, then `succeeded` or `failed` (with `result` or `code`/`reason`); ' +
      '`rejected` for an unknown type, invalid parameters, a key outside the config allow-list or a second copy ' +
      'of a job (code `duplicate`, with `previous`), `expired` for a job that arrived after its `expiresTs`.',
  },
  'capture-results': {
    title: 'Capture results',
    description:
      'Central\'s answer per capture id: `accepted`, `rejected` (with `code` and `reason`) or `duplicate` (a ' +
      'resend of a capture already decided; `original` carries the first outcome). The kiosk applies each result ' +
      'once: an accepted capture records the e-KYC transaction and prints the acknowledgement.',
  },
  jobs: {
    title: 'Jobs',
    description:
      'Commands from central: id (the idempotency key), type, params, expiresTs. Types: wallet.credit, ' +
      'wallet.sync, print.test, diagnostics, config.set, state.republish. A job runs at most once per id; ' +
      'each gets its statuses on job-status. Expiry is judged on the kiosk clock when it is trusted, otherwise ' +
      'against the job\'s own `ts`.',
  },
};

export const CLAIM_TEXT: Record<ClaimChannel, { title: string; description: string; message: string }> = {
  'claim-request': {
    title: 'Claim request (enrollment)',
    description:
      'Enrollment by claim (issue 9). A kiosk with no identity yet connects with the shared claim certificate under a ' +
      'throw-away client id `claim-<8 to 32 lower-case letters or digits>` and publishes here its CSR, its hardware ' +
      'inventory, the kiosk id and district it asks for and the technician\'s one-time claim code. Central checks the ' +
      'CSR before it spends the code (single use, expiry, district) and answers on the claim-response channel of the ' +
      'same client id. The client id is one topic level, so a broker ACL pattern `provisioning/v1/%c/#` keeps ' +
      'claimants from reading each other\'s answers.',
    message: 'Sent once per claimant client id; a redelivery gets the same answer.',
  },
  'claim-response': {
    title: 'Claim response (enrollment)',
    description:
      'Central\'s answer to one claim request: `ok: true` with the kiosk\'s client certificate (CN = kiosk id), ' +
      'the issuing CA and the certificate\'s SHA-256 fingerprint, or `ok: false` with a refusal `code` and a ' +
      'message for the technician. After a certificate the kiosk disconnects and reconnects as itself under ' +
      '`kiosk/v1/{kioskId}`.',
    message: 'Sent by central to one claimant.',
  },
};
