/**
 * Errors of the RD-service protocol layer: one base class with stable codes, and the RD
 * `errCode` values (reference rd-service-ekyc.md §1.6) as a typed capture error carrying the code
 * and operator messages in English and Hindi. No message ever includes PidData content: only the
 * code, the driver's errInfo text (short, vendor-written, non-biometric) and sizes.
 */
import { CodedError, codedGuard, withCode } from '../common/errors.js';

export type RdServiceErrorCode =
  | 'RD_XML_INVALID'
  | 'RD_SCHEMA'
  | 'RD_NON_LOOPBACK'
  | 'RD_BAD_PATH'
  | 'RD_MISSING_INTERFACE'
  | 'RD_BAD_OPTIONS'
  | 'RD_CAPTURE_FAILED';

export class RdServiceError extends CodedError<RdServiceErrorCode, Record<string, string | number | boolean>> {
  override readonly name: string = 'RdServiceError';

  constructor(code: RdServiceErrorCode, message: string, context: Record<string, string | number | boolean> = {}) {
    super(code, withCode(message, code), context);
  }
}

export const isRdServiceError = codedGuard(RdServiceError);

export interface RdErrorText {
  en: string;
  hi: string;
  /** Health the kiosk should show after this error. */
  health?: 'NOTREADY' | 'USED';
}

/** RD errCode → operator text (§1.6 meanings; remediation after Eko's hints, §1.6). */
export const RD_ERROR_TEXT: Record<string, RdErrorText> = {
  '100': { en: 'Capture options were not accepted by the device driver', hi: 'डिवाइस ड्राइवर ने कैप्चर विकल्प स्वीकार नहीं किए' },
  '110': { en: 'Fingerprint type not supported by the device', hi: 'यह फिंगरप्रिंट प्रकार डिवाइस में समर्थित नहीं है' },
  '120': { en: 'Invalid number of fingers requested', hi: 'अंगुलियों की संख्या अमान्य है' },
  '130': { en: 'Invalid iris type', hi: 'आइरिस प्रकार अमान्य है' },
  '140': { en: 'Invalid iris count', hi: 'आइरिस संख्या अमान्य है' },
  '150': { en: 'Unsupported PID version', hi: 'PID संस्करण समर्थित नहीं है' },
  '160': { en: 'Invalid capture timeout', hi: 'कैप्चर समय-सीमा अमान्य है' },
  '170': { en: 'Invalid finger position', hi: 'अंगुली की स्थिति अमान्य है' },
  '180': { en: 'Face capture is not supported', hi: 'चेहरा कैप्चर समर्थित नहीं है' },
  '190': { en: 'Invalid PID format', hi: 'PID प्रारूप अमान्य है' },
  '200': { en: 'Invalid demographic data', hi: 'जनसांख्यिकीय डेटा अमान्य है' },
  '210': { en: 'The device does not support this PID format', hi: 'डिवाइस इस PID प्रारूप का समर्थन नहीं करता' },
  '700': { en: 'No finger was placed in time; ask the citizen to place the finger and try again', hi: 'समय पर अंगुली नहीं रखी गई; नागरिक से अंगुली रखवाकर पुनः प्रयास करें' },
  '710': { en: 'The fingerprint device is in use by another program; close it and try again', hi: 'फिंगरप्रिंट डिवाइस किसी अन्य प्रोग्राम द्वारा उपयोग में है; उसे बंद करके पुनः प्रयास करें', health: 'USED' },
  '720': { en: 'The fingerprint device is not ready; reconnect it and restart the RD service', hi: 'फिंगरप्रिंट डिवाइस तैयार नहीं है; डिवाइस दोबारा लगाएँ और RD सेवा पुनः आरंभ करें', health: 'NOTREADY' },
  '730': { en: 'Fingerprint capture failed; clean the sensor and try again', hi: 'फिंगरप्रिंट कैप्चर विफल; सेंसर साफ़ करके पुनः प्रयास करें' },
  '740': { en: 'The device needs re-initialisation; reconnect it and restart the RD service', hi: 'डिवाइस को पुनः आरंभ करना आवश्यक है; डिवाइस दोबारा लगाएँ और RD सेवा पुनः आरंभ करें', health: 'NOTREADY' },
  '750': { en: 'This RD service does not support fingerprints', hi: 'यह RD सेवा फिंगरप्रिंट का समर्थन नहीं करती' },
  '760': { en: 'This RD service does not support iris', hi: 'यह RD सेवा आइरिस का समर्थन नहीं करती' },
  '770': { en: 'Invalid RD service address', hi: 'RD सेवा का पता अमान्य है' },
  '999': { en: 'Internal error in the RD service; restart or reinstall it', hi: 'RD सेवा में आंतरिक त्रुटि; इसे पुनः आरंभ या पुनः स्थापित करें' },
};

export function rdErrorText(errCode: string): RdErrorText {
  return RD_ERROR_TEXT[errCode] ?? { en: `The fingerprint device reported error ${errCode}`, hi: `फिंगरप्रिंट डिवाइस ने त्रुटि ${errCode} बताई` };
}

/** A PidData whose Resp errCode is not 0. `errCode` stays a string: some vendors send non-numeric codes (§1.5). */
export class RdCaptureError extends RdServiceError {
  override readonly name: string = 'RdCaptureError';
  readonly errCode: string;
  readonly errInfo: string;
  readonly text: RdErrorText;

  constructor(errCode: string, errInfo: string) {
    const text = rdErrorText(errCode);
    super('RD_CAPTURE_FAILED', `RD error ${errCode}: ${text.en}`, { errCode, errInfo: errInfo.slice(0, 120) });
    this.errCode = errCode;
    this.errInfo = errInfo.slice(0, 120);
    this.text = text;
  }
}

export function isRdCaptureError(e: unknown, errCode?: string): e is RdCaptureError {
  return e instanceof RdCaptureError && (errCode === undefined || e.errCode === errCode);
}
