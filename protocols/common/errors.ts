/**
 * The one shape of every protocol and driver error (codebase-conventions §3.9): a stable `code`
 * that callers and tests branch on (never the wording), a `context` of small facts for logs, and
 * an optional `cause` (the lower layer's error). Each layer extends it with its own `name`, code
 * union and context type, and decides whether its message ends with ` [CODE]` (`withCode`).
 * Here, not in drivers/, because protocols/ imports nothing of ours but itself (DESIGN §3).
 */
export class CodedError<Code extends string, Context> extends Error {
  readonly code: Code;
  readonly context: Context;

  constructor(code: Code, message: string, context: Context, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.context = context;
  }
}

/** `message [CODE]`: the code stays in a log line that shows only the message. */
export function withCode(message: string, code: string): string {
  return `${message} [${code}]`;
}

/** `{ cause }` only when there is one, so an error without a cause has no `cause` property. */
export function causeOption(cause: unknown): ErrorOptions | undefined {
  return cause === undefined ? undefined : { cause };
}

/** The `isXError(e, code?)` guard of one error class: an instance of it, with `code` when given. */
export function codedGuard<E extends CodedError<string, unknown>>(
  cls: abstract new (...args: never[]) => E,
): (e: unknown, code?: E['code']) => e is E {
  return (e: unknown, code?: E['code']): e is E => e instanceof cls && (code === undefined || e.code === code);
}
