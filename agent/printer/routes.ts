/**
 * The printer's endpoints of the local API (issue 5): the operator sees the printer's condition
 * and every receipt that may or may not be on paper, and decides — confirm it printed, or
 * reprint it marked DUPLICATE; the technician (`kioskctl printer status|test`) reads the status
 * and prints the test page; `kioskctl receipt verify` fetches the public key.
 *   GET  /v1/printer                     health, link, status bits, queue counts, uncertain jobs
 *   POST /v1/printer/test                the test page (admin)
 *   GET  /v1/printer/jobs                the latest jobs
 *   POST /v1/printer/jobs/:id/reprint    print again, marked DUPLICATE
 *   POST /v1/printer/jobs/:id/confirm    an uncertain receipt did come out whole
 *   GET  /v1/printer/key                 the kiosk's receipt-signing public key (PEM)
 */
import { z } from 'zod';
import { ApiError } from '../api/problem.js';
import { route } from '../api/router.js';
import { isPrinterError, PrinterErrorCode } from '../../drivers/printer/errors.js';
import type { PrintJob } from '../../drivers/printer/queue.js';

export const JobView = z.object({
  id: z.string(),
  receiptNo: z.string(),
  state: z.enum(['queued', 'sending', 'printed', 'uncertain', 'reprinted', 'failed']),
  duplicate: z.boolean(),
  reprintOf: z.string().optional(),
  attempts: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  outcome: z.string().optional(),
  error: z.string().optional(),
});
export type JobView = z.infer<typeof JobView>;

export const PrinterInfo = z.object({
  configured: z.boolean(),
  enabled: z.boolean(),
  transport: z.string().optional().describe('tcp host:port, serial or lp path, usb vid:pid'),
  paper: z.number().int().optional().describe('Paper width, mm'),
  lifecycle: z.enum(['stopped', 'opening', 'ready', 'reconnecting']).optional(),
  health: z.looseObject({ state: z.string(), detail: z.string().optional(), paper: z.string().optional() }).optional(),
  status: z.record(z.string(), z.boolean().optional()).optional().describe('The status bits last read (DLE EOT 1–4)'),
  statusSupported: z.boolean().optional(),
  lastError: z.string().optional(),
  queued: z.number().int(),
  uncertain: z.array(JobView).describe('Receipts that may or may not be on paper: confirm or reprint each'),
});
export type PrinterInfo = z.infer<typeof PrinterInfo>;

export const TestResult = z.object({ ok: z.boolean(), detail: z.string().optional() });

export function jobView(j: PrintJob): JobView {
  return {
    id: j.id, receiptNo: j.key, state: j.state, duplicate: j.duplicate, attempts: j.attempts, createdAt: j.createdAt, updatedAt: j.updatedAt,
    ...(j.reprintOf !== undefined ? { reprintOf: j.reprintOf } : {}),
    ...(j.outcome !== undefined ? { outcome: j.outcome } : {}),
    ...(j.error !== undefined ? { error: j.error } : {}),
  };
}

export interface PrinterApi {
  info(): Promise<PrinterInfo>;
  test(): Promise<z.infer<typeof TestResult>>;
  jobs(limit: number): Promise<JobView[]>;
  reprint(id: string): Promise<JobView>;
  confirm(id: string): Promise<JobView>;
  publicKeyPem(): string | undefined;
}

export const printerProblems = {
  notConfigured: () =>
    new ApiError(
      503,
      'printer-not-configured',
      'No receipt printer is configured',
      'कोई रसीद प्रिंटर कॉन्फ़िगर नहीं है',
      'Set devices.printer in the agent configuration.',
      'एजेंट कॉन्फ़िगरेशन में devices.printer सेट करें।',
    ),
};

function jobProblem(err: unknown): never {
  if (isPrinterError(err, PrinterErrorCode.JobNotFound)) throw new ApiError(404, 'print-job-not-found', 'No such print job', 'ऐसा कोई प्रिंट कार्य नहीं है', err.message);
  if (isPrinterError(err, PrinterErrorCode.JobState)) throw new ApiError(409, 'print-job-state', 'The print job is not in a state that allows this', 'इस प्रिंट कार्य पर यह संभव नहीं है', err.message);
  throw err;
}

const JobId = z.object({ id: z.string().min(1).max(64) });

export function printerRoutes(api: PrinterApi) {
  return [
    route({
      method: 'GET',
      path: '/v1/printer',
      summary: 'Receipt printer: health, link, status bits, queued jobs and the receipts awaiting an operator decision',
      role: 'operator',
      response: PrinterInfo,
      handler: () => api.info(),
    }),
    route({
      method: 'POST',
      path: '/v1/printer/test',
      summary: 'Print the technician test page (Hindi and English text, a QR code, a barcode and a cut)',
      role: 'admin',
      response: TestResult,
      handler: () => api.test(),
    }),
    route({
      method: 'GET',
      path: '/v1/printer/jobs',
      summary: 'The latest print jobs, newest first',
      role: 'operator',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: z.object({ jobs: z.array(JobView) }),
      handler: async ({ query }) => ({ jobs: await api.jobs(query.limit) }),
    }),
    route({
      method: 'POST',
      path: '/v1/printer/jobs/:id/reprint',
      summary: 'Print a printed or uncertain receipt again, marked DUPLICATE',
      role: 'operator',
      params: JobId,
      response: JobView,
      status: 201,
      handler: ({ params }) => api.reprint(params.id).catch(jobProblem),
    }),
    route({
      method: 'POST',
      path: '/v1/printer/jobs/:id/confirm',
      summary: 'An uncertain receipt did come out whole: mark it printed, no reprint',
      role: 'operator',
      params: JobId,
      response: JobView,
      handler: ({ params }) => api.confirm(params.id).catch(jobProblem),
    }),
    route({
      method: 'GET',
      path: '/v1/printer/key',
      summary: "The kiosk's Ed25519 public key that verifies its receipt QRs (SPKI PEM)",
      role: 'public',
      response: z.object({ publicKeyPem: z.string() }),
      handler: () => {
        const pem = api.publicKeyPem();
        if (!pem) return Promise.reject(printerProblems.notConfigured());
        return Promise.resolve({ publicKeyPem: pem });
      },
    }),
  ];
}
