/**
 * An error the user can act on: bad input, a missing file, a tool that is not installed, an AWS or
 * GitHub refusal. It is shown as one message (never a stack trace) and makes the run exit with 2.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** What the user should do about it, shown on its own line. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** One line for the user from anything thrown: our own errors verbatim, others by their message. */
export function describeError(error: unknown): string {
  if (error instanceof UserError)
    return error.hint ? `${error.message}\n${error.hint}` : error.message;
  if (error instanceof Error)
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
