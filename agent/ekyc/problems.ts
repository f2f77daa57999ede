/** Errors of the capture endpoints, in English and Hindi for the operator console. */
import { ApiError } from '../api/problem.js';

export const ekycProblems = {
  queueFull: () =>
    new ApiError(
      503,
      'queue-full',
      'The capture queue is full',
      'कैप्चर कतार भरी हुई है',
      'No new capture can be taken until queued captures are uploaded; nothing already queued is lost. Try again once the link is back.',
      'कतार में रखे कैप्चर अपलोड होने तक नया कैप्चर नहीं लिया जा सकता; पहले से रखे कैप्चर सुरक्षित हैं। लिंक लौटने पर फिर से प्रयास करें।',
    ),
  otpNeedsLink: () =>
    new ApiError(
      503,
      'otp-needs-link',
      'OTP e-KYC needs a live connection',
      'ओटीपी ई-केवाईसी के लिए चालू इंटरनेट कनेक्शन आवश्यक है',
      'An OTP cannot be queued offline. Use fingerprint e-KYC, or try again when the kiosk is online.',
      'ओटीपी को ऑफ़लाइन कतार में नहीं रखा जा सकता। फिंगरप्रिंट ई-केवाईसी करें, या ऑनलाइन होने पर फिर से प्रयास करें।',
    ),
  otpMissing: () =>
    new ApiError(400, 'otp-missing', 'The OTP is missing', 'ओटीपी नहीं दिया गया', 'An OTP e-KYC needs the 6-digit OTP the citizen received.', 'नागरिक को मिला 6 अंकों का ओटीपी दर्ज करें।'),
  unknownService: (services: string[]) =>
    new ApiError(
      422,
      'unknown-service',
      'This service is not an e-KYC service of this kiosk',
      'यह सेवा इस कियोस्क की ई-केवाईसी सेवा नहीं है',
      `services: ${services.join(', ')}`,
    ),
  readerBusy: () =>
    new ApiError(409, 'reader-busy', 'The fingerprint reader is in use by another application', 'फिंगरप्रिंट रीडर किसी अन्य एप्लिकेशन द्वारा उपयोग में है', 'Close the other application and try again.', 'दूसरा एप्लिकेशन बंद करके फिर से प्रयास करें।'),
  readerUnavailable: (detail: string) =>
    new ApiError(503, 'reader-unavailable', 'The fingerprint reader is not available', 'फिंगरप्रिंट रीडर उपलब्ध नहीं है', detail, 'रीडर को दोबारा लगाएँ या उसका ड्राइवर फिर से चालू करें।'),
  captureFailed: (detail: string, detailHi: string, errCode: string) =>
    new ApiError(
      422,
      'capture-failed',
      'The fingerprint was not captured',
      'फिंगरप्रिंट नहीं लिया जा सका',
      errCode ? `${detail} (RD error ${errCode})` : detail,
      detailHi || 'उंगली ठीक से रखकर फिर से प्रयास करें।',
    ),
};
