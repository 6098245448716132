/**
 * Every error fork-stack expects to happen is a ForkStackError with an exit code: 2 for usage and
 * configuration mistakes (the user must change what they typed or wrote), 1 for operations that failed
 * (a provider said no, a file could not be written). Only the CLI entry point turns these into
 * `process.exit`; library code throws.
 */
export type ExitCode = 1 | 2;

/**
 * A provider package bundles its own copy of these classes (through @fork-stack/provider-kit), so an
 * error it throws is not on this copy's prototype chain. Every instance carries its class's kind under a
 * global symbol, and `instanceof ForkStackError`/`UsageError`/`OperationError` accept either: a package's
 * UsageError still exits 2 with its hint (docs/architecture.md, "Providers from packages").
 */
const KIND = Symbol.for('fork-stack.error-kind');
type ErrorKind = 'error' | 'usage' | 'operation';
const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

export interface ErrorOptions {
  /** What the user can do about it: one or two lines. */
  hint?: string;
  /** Lines of detail printed under the message (each resource's failure, each config problem). */
  details?: string[];
  cause?: unknown;
}

export class ForkStackError extends Error {
  /** Same class, or the same kind of error from another copy of this module (see KIND). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (ordinaryInstanceOf.call(this, value)) return true;
    const accepts = ACCEPTS.get(this);
    const kind = typeof value === 'object' && value !== null ? (value as { [KIND]?: unknown })[KIND] : undefined;
    return accepts !== undefined && typeof kind === 'string' && accepts.includes(kind as ErrorKind);
  }

  declare readonly [KIND]: ErrorKind;
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly details: string[];

  constructor(exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForkStackError';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details ?? [];
    brand(this, 'error');
  }
}

function brand(error: ForkStackError, kind: ErrorKind): void {
  Object.defineProperty(error, KIND, { value: kind, enumerable: false, configurable: true });
}

/** The user asked for something that cannot work as asked (bad name, bad flag, bad config): exit 2. */
export class UsageError extends ForkStackError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(2, message, options);
    this.name = 'UsageError';
    brand(this, 'usage');
  }
}

/** Something went wrong while doing what was asked (provider failure, I/O error): exit 1. */
export class OperationError extends ForkStackError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(1, message, options);
    this.name = 'OperationError';
    brand(this, 'operation');
  }
}

/** Which kinds each base class accepts from another copy; subclasses (ProviderHttpError) stay strict. */
const ACCEPTS = new Map<unknown, readonly ErrorKind[]>([
  [ForkStackError, ['error', 'usage', 'operation']],
  [UsageError, ['usage']],
  [OperationError, ['operation']],
]);

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
