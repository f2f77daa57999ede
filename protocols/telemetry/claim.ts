/**
 * Enrollment by claim (issue 9), modelled on AWS IoT fleet provisioning by claim: a kiosk that
 * has no identity yet connects with the shared claim credentials under a throw-away client id,
 * publishes its CSR, its inventory and the technician's one-time claim code to
 * `provisioning/v1/<client id>/request`, and reads the fleet's answer on `.../response`. The
 * client id is one topic level, so a broker pattern ACL on `provisioning/v1/%c/#` keeps claimants
 * from reading each other's answers. The kiosk then reconnects with its own certificate.
 */
import { z } from 'zod';
import { KioskId } from './ids.js';

export const PROVISIONING_ROOT = 'provisioning/v1';
/** What the fleet subscribes to. */
export const PROVISIONING_REQUEST_FILTER = `${PROVISIONING_ROOT}/+/request`;
export const CLAIM_CLIENT_ID = /^claim-[a-z0-9]{8,32}$/;

export function requestTopic(clientId: string): string {
  return `${PROVISIONING_ROOT}/${clientId}/request`;
}
export function responseTopic(clientId: string): string {
  return `${PROVISIONING_ROOT}/${clientId}/response`;
}
/**
 * The two enrollment channels as the contract documents name them, with their QoS and retain
 * flags: the claimant publishes its request and subscribes to its response at QoS 1, neither
 * retained (a retained answer would outlive the throw-away client id it was meant for).
 */
export const CLAIM_CHANNELS = {
  'claim-request': { suffix: 'request', direction: 'up', qos: 1, retain: false },
  'claim-response': { suffix: 'response', direction: 'down', qos: 1, retain: false },
} as const;
export type ClaimChannel = keyof typeof CLAIM_CHANNELS;

/** The client id in a request topic, or undefined when the topic is not one. */
export function clientIdOfRequest(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== PROVISIONING_ROOT || parts[3] !== 'request') return undefined;
  return CLAIM_CLIENT_ID.test(parts[2] ?? '') ? parts[2] : undefined;
}

/** Claim codes are read out and typed by hand: groups of upper-case letters and digits. */
export const CLAIM_CODE_PATTERN = /^[A-Z0-9]{4}(?:-[A-Z0-9]{4}){2,3}$/;
export const ClaimCode = z.string().regex(CLAIM_CODE_PATTERN, 'claim code such as K7QM-2XPA-9RTD');

export const InventoryItem = z.looseObject({
  kind: z.enum(['printer', 'fingerprint', 'ups', 'other']),
  via: z.string().max(32),
  id: z.string().max(200),
  model: z.string().max(200).optional(),
});
export type InventoryItem = z.infer<typeof InventoryItem>;

export const ClaimRequest = z.strictObject({
  v: z.literal(1),
  claimCode: ClaimCode,
  kioskId: KioskId,
  district: z.string().min(1).max(64),
  lsp: z.string().min(1).max(64),
  csr: z.string().min(100).max(16_000).startsWith('-----BEGIN CERTIFICATE REQUEST-----'),
  inventory: z.array(InventoryItem).max(64),
  agentVersion: z.string().max(64).optional(),
}).meta({ id: 'ClaimRequest', title: 'Claim request' });
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const CLAIM_REFUSALS = [
  'bad_request',
  'claim_unknown',
  'claim_used',
  'claim_expired',
  'district_mismatch',
  'csr_invalid',
  'kiosk_taken',
  'internal',
] as const;
export type ClaimRefusal = (typeof CLAIM_REFUSALS)[number];

export const ClaimResponse = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    kioskId: KioskId,
    certificate: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
    /** The CA that signed it, for the kiosk's records (the broker's CA is configured separately). */
    issuer: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
    /** SHA-256 of the certificate's DER, hex. */
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(false),
    code: z.enum(CLAIM_REFUSALS),
    message: z.string().max(500),
  }),
]).meta({ id: 'ClaimResponse', title: 'Claim response' });
export type ClaimResponse = z.infer<typeof ClaimResponse>;
