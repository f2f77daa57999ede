/**
 * Errors of the printer driver layer. Stable codes; tests and the agent branch on `code`
 * (codebase-conventions §3.9). Transport 200–299 in spirit: open/write/close problems;
 * device 100–199: what the printer reported; queue: job bookkeeping.
 */
import { CodedError, codedGuard } from '../../protocols/common/errors.js';

export const PrinterErrorCode = {
  OpenFailed: 'PRINTER_OPEN_FAILED',
  NotFound: 'PRINTER_NOT_FOUND',
  Closed: 'PRINTER_LINK_CLOSED',
  WriteFailed: 'PRINTER_WRITE_FAILED',
  WriteTimeout: 'PRINTER_WRITE_TIMEOUT',
  StatusTimeout: 'PRINTER_STATUS_TIMEOUT',
  NotReady: 'PRINTER_NOT_READY',
  Stopped: 'PRINTER_STOPPED',
  JobNotFound: 'PRINTER_JOB_NOT_FOUND',
  JobState: 'PRINTER_JOB_STATE',
  RenderFailed: 'PRINTER_RENDER_FAILED',
} as const;
export type PrinterErrorCode = (typeof PrinterErrorCode)[keyof typeof PrinterErrorCode];

export class PrinterError extends CodedError<PrinterErrorCode, Record<string, unknown>> {
  override readonly name = 'PrinterError';
  constructor(code: PrinterErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

export const isPrinterError = codedGuard(PrinterError);
