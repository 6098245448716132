/**
 * S3 errors, classified once: which ones mean "not there" (expected outcomes, returned as values by the
 * callers), which ones a server without a feature returns (NotImplemented), and a message for the rest
 * that names the provider, the operation, the S3 error code and what to do about it.
 */
import { OperationError, UsageError, type ForkStackError } from '../../../core/errors.js';
import { scrub } from '../../../core/scrub.js';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
}

export function errorCode(error: unknown): string | undefined {
  const e = error as SdkError | undefined;
  return e?.Code ?? (typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined) ?? e?.code;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** The bucket does not exist (HeadBucket answers a bare 404 "NotFound"). */
export function isMissingBucket(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchBucket' || ((code === 'NotFound' || code === 'Unknown') && httpStatus(error) === 404);
}

export function isMissingKey(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchKey' || ((code === 'NotFound' || code === 'Unknown') && httpStatus(error) === 404);
}

/** The server does not implement this S3 feature (bucket tagging, versioning on a small server…). */
export function isUnsupported(error: unknown): boolean {
  const code = errorCode(error);
  const status = httpStatus(error);
  return code === 'NotImplemented' || code === 'MethodNotAllowed' || status === 501 || status === 405;
}

export function isAccessDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'AccessDenied' || code === 'Forbidden' || (httpStatus(error) === 403 && !isCredentialError(error));
}

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Unauthorized', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired']);

export function isCredentialError(error: unknown): boolean {
  const code = errorCode(error);
  return CREDENTIAL_CODES.has(code ?? '') || httpStatus(error) === 401;
}

const THROTTLE_CODES = new Set(['SlowDown', 'TooManyRequests', 'TooManyRequestsException', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded']);

export function isThrottled(error: unknown): boolean {
  return THROTTLE_CODES.has(errorCode(error) ?? '') || httpStatus(error) === 429 || httpStatus(error) === 503;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'TimeoutError', 'RequestTimeout']);

export interface FailureContext {
  /** "s3", "r2", "tigris". */
  provider: string;
  /** "copy app-bucket-dev/a.txt to app-bucket-alice". */
  what: string;
  /** Where requests go, for "could not reach" messages. */
  endpoint?: string;
  /** The config slot, for "lower concurrency in [storage.uploads]". */
  slot?: string;
  /** Credential variables to name when none were found. */
  credentialVariables?: string;
  /** Permissions the operation needs, for AccessDenied. */
  permissions?: string;
}

/** A ForkStackError for an unexpected S3 failure: provider, operation, code, scrubbed message, fix. */
export function s3Failure(error: unknown, c: FailureContext): ForkStackError {
  if (error instanceof OperationError || error instanceof UsageError) return error;
  const e = error as SdkError;
  const code = errorCode(error);
  const status = httpStatus(error);
  const raw = scrub(e?.message ?? String(error));
  const detail = [code && !raw.includes(code) ? code : undefined, raw].filter(Boolean).join(': ');
  const head = `${c.provider}: ${c.what} failed: ${detail}${status ? ` (HTTP ${status})` : ''}`;
  if (e?.name === 'CredentialsProviderError' || /could not load credentials/i.test(raw)) {
    return new UsageError(`${c.provider}: no credentials found for ${c.what}`, {
      hint: `Set ${c.credentialVariables ?? 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)'} in the environment.`,
      cause: error,
    });
  }
  if (isCredentialError(error)) {
    return new UsageError(head, {
      hint: `The ${c.provider} credentials were refused: check ${c.credentialVariables ?? 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY'} (and that the key is not expired).`,
      cause: error,
    });
  }
  if (isAccessDenied(error)) {
    return new OperationError(head, {
      hint: `The ${c.provider} credentials lack permission for this${c.permissions ? ` (needs ${c.permissions})` : ''}. Grant it, or use a key that has it.`,
      cause: error,
    });
  }
  if (isThrottled(error)) {
    const attempts = e.$metadata?.attempts;
    return new OperationError(`${head}${attempts ? ` after ${attempts} attempts` : ''}`, {
      hint: `${c.provider} kept throttling the requests. Try again later${c.slot ? `, or lower concurrency in [${c.slot}]` : ''}.`,
      cause: error,
    });
  }
  if (NETWORK_CODES.has(code ?? '') || NETWORK_CODES.has((e as { code?: string }).code ?? '')) {
    return new OperationError(`${c.provider}: ${c.what} failed: could not reach ${c.endpoint ?? 'the S3 endpoint'} (${code ?? raw})`, {
      hint: 'Check the endpoint (endpoint option, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) and the network.',
      cause: error,
    });
  }
  if (code === 'TooManyBuckets') {
    return new OperationError(head, {
      hint: 'The account reached its bucket limit: delete unused environments, ask for a higher quota, or use mode = "prefix".',
      cause: error,
    });
  }
  return new OperationError(head, { cause: error });
}
