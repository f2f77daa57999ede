/**
 * Errors of the local API as RFC 9457 problem details (`application/problem+json`), each with
 * an English and a Hindi message: the operator console shows whichever language is selected.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Hindi title and detail for the operator console. */
  title_hi: string;
  detail_hi?: string;
  /** Field errors of a request that failed validation. */
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly titleHi: string,
    readonly detail?: string,
    readonly detailHi?: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail ?? title);
  }

  toProblem(): Problem {
    return {
      type: `urn:kiosk-agent:problem:${this.code}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      title_hi: this.titleHi,
      ...(this.detailHi ? { detail_hi: this.detailHi } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const problems = {
  badRequest: (errors: { path: string; message: string }[]) =>
    new ApiError(400, 'invalid-request', 'The request is not valid', 'अनुरोध मान्य नहीं है', errors.map((e) => `${e.path}: ${e.message}`).join('; '), undefined, errors),
  notJson: () => new ApiError(400, 'not-json', 'The request body is not JSON', 'अनुरोध का मुख्य भाग JSON नहीं है'),
  tooLarge: (limit: number) =>
    new ApiError(413, 'too-large', 'The request body is too large', 'अनुरोध बहुत बड़ा है', `at most ${limit} bytes`),
  unauthorized: () => new ApiError(401, 'unauthorized', 'Log in first', 'पहले लॉग इन करें'),
  forbidden: (role: string) =>
    new ApiError(403, 'forbidden', 'Not allowed for your role', 'आपकी भूमिका के लिए अनुमति नहीं है', `needs the ${role} role`),
  notFound: (what = 'resource') => new ApiError(404, 'not-found', `No such ${what}`, 'नहीं मिला'),
  methodNotAllowed: () => new ApiError(405, 'method-not-allowed', 'Method not allowed', 'यह विधि अनुमत नहीं है'),
  internal: () => new ApiError(500, 'internal', 'Internal error; see the agent log', 'आंतरिक त्रुटि; एजेंट लॉग देखें'),
  unavailable: (detail: string, detailHi: string) =>
    new ApiError(503, 'unavailable', 'Temporarily unavailable', 'अस्थायी रूप से उपलब्ध नहीं', detail, detailHi),
};
