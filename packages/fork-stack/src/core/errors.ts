/**
 * Every error fork-stack expects to happen is a ForkStackError with an exit code: 2 for usage and
 * configuration mistakes (the user must change what they typed or wrote), 1 for operations that failed
 * (a provider said no, a file could not be written). Only the CLI entry point turns these into
 * `process.exit`; library code throws.
 */
export type ExitCode = 1 | 2;

export interface ErrorOptions {
  /** What the user can do about it: one or two lines. */
  hint?: string;
  /** Lines of detail printed under the message (each resource's failure, each config problem). */
  details?: string[];
  cause?: unknown;
}

export class ForkStackError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly details: string[];

  constructor(exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForkStackError';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** The user asked for something that cannot work as asked (bad name, bad flag, bad config): exit 2. */
export class UsageError extends ForkStackError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(2, message, options);
    this.name = 'UsageError';
  }
}

/** Something went wrong while doing what was asked (provider failure, I/O error): exit 1. */
export class OperationError extends ForkStackError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(1, message, options);
    this.name = 'OperationError';
  }
}

export function isForkStackError(error: unknown): error is ForkStackError {
  return error instanceof ForkStackError;
}

/** A readable one-line description of any thrown value, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
