/**
 * The AWS Secrets Manager client fork-stack uses: the official SDK, configured from the provider
 * context's environment (region, credentials, AWS_ENDPOINT_URL_SECRETS_MANAGER — the same variables the
 * SDK reads itself), with its own retries turned off so that core/retry.ts decides (429/throttling, 5xx,
 * dropped connections), a timeout on every request, and errors turned into messages that say what
 * failed and how to fix it — scrubbed of secrets.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OperationError, UsageError, isForkStackError } from '../../core/errors.js';
import { DEFAULT_TIMEOUT_MS } from '../../core/http.js';
import { isTransientHttpStatus, withRetry, type RetryDecision } from '../../core/retry.js';
import { registerSecret, scrub } from '../../core/scrub.js';
import type { ProviderContext } from '../types.js';
import type { AwsSecretsOptions } from './aws-secrets.schema.js';

type Ctx = ProviderContext<AwsSecretsOptions>;
type Sdk = typeof import('@aws-sdk/client-secrets-manager');

export interface AwsError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

export function awsErrorName(error: unknown): string | undefined {
  return error && typeof error === 'object' && typeof (error as AwsError).name === 'string' ? (error as AwsError).name : undefined;
}

export function isAwsError(error: unknown, name: string, message?: RegExp): boolean {
  return awsErrorName(error) === name && (message === undefined || message.test((error as AwsError).message ?? ''));
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'Throttling', 'SlowDown']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);

export function classifyAwsError(error: unknown): RetryDecision {
  const e = error as AwsError;
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(e?.name) || status === 429) return { retry: true, reason: 'throttled' };
  // A server fault is transient only with a transient status (501 Not Implemented will not change).
  if (e?.name === 'InternalServiceError' || (status !== undefined ? isTransientHttpStatus(status) : e?.$fault === 'server')) return { retry: true, reason: `server error (${status ?? e.name})` };
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout' || NETWORK.has(e?.code ?? '')) return { retry: true, reason: 'network error' };
  return { retry: false, reason: 'not retryable' };
}

let sdk: Promise<Sdk> | undefined;
export function loadSdk(): Promise<Sdk> {
  sdk ??= import('@aws-sdk/client-secrets-manager');
  return sdk;
}

function region(ctx: Ctx): string {
  const value = ctx.options.region ?? ctx.env.AWS_REGION?.trim() ?? ctx.env.AWS_DEFAULT_REGION?.trim();
  if (!value) {
    throw new UsageError(`${ctx.slot}: no AWS region`, { hint: 'Set region = "eu-west-1" in [secrets], or export AWS_REGION=eu-west-1.' });
  }
  return value;
}

/** The endpoint override, read the way the SDK reads it, but from the context's environment. */
export function endpointOverride(env: Ctx['env']): string | undefined {
  if (/^(1|true)$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return undefined;
  return env.AWS_ENDPOINT_URL_SECRETS_MANAGER?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}

export class AwsSecretsClient {
  private constructor(
    private readonly ctx: Ctx,
    readonly sdk: Sdk,
    private readonly client: SecretsManagerClient,
    readonly region: string,
  ) {}

  static async create(ctx: Ctx): Promise<AwsSecretsClient> {
    const theRegion = region(ctx);
    const mod = await loadSdk();
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = ctx.env;
    registerSecret(secretAccessKey);
    registerSecret(sessionToken);
    const client = new mod.SecretsManagerClient({
      region: theRegion,
      endpoint: endpointOverride(ctx.env),
      // Explicit keys from the context's environment; otherwise the SDK's chain (profiles, SSO, IMDS).
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined } : undefined,
      maxAttempts: 1,
      requestHandler: { requestTimeout: DEFAULT_TIMEOUT_MS, connectionTimeout: Math.min(DEFAULT_TIMEOUT_MS, 10_000) },
    });
    return new AwsSecretsClient(ctx, mod, client, theRegion);
  }

  /**
   * Send a command with retries. Errors named in `expected` are rethrown as the SDK raised them, for the
   * caller to handle (ResourceNotFoundException on a lookup); every other error becomes a ForkStackError.
   */
  async send<T>(command: { readonly input: object }, what: string, expected: readonly string[] = []): Promise<T> {
    try {
      return (await withRetry(() => this.client.send(command as never, { abortSignal: this.ctx.signal }), classifyAwsError, { signal: this.ctx.signal })) as T;
    } catch (error) {
      if (expected.includes(awsErrorName(error) ?? '')) throw error;
      if (this.ctx.signal.aborted) throw error;
      throw describeAwsError(error, what);
    }
  }
}

export function describeAwsError(error: unknown, what: string): Error {
  if (isForkStackError(error)) return error;
  const e = error as AwsError;
  const name = awsErrorName(error) ?? 'Error';
  const detail = scrub(e?.message || name);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return new UsageError(`aws-secrets: ${what}: no AWS credentials found`, {
      hint: 'Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, or run where an IAM role is available.',
    });
  }
  if (BAD_CREDENTIALS.has(name) || e?.$metadata?.httpStatusCode === 401) {
    return new OperationError(`aws-secrets: ${what} failed: AWS rejected the credentials (${name}: ${detail})`, {
      hint: 'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (or AWS_PROFILE); temporary credentials may have expired.',
    });
  }
  if (name === 'AccessDeniedException' || e?.$metadata?.httpStatusCode === 403) {
    return new OperationError(`aws-secrets: ${what} failed: access denied (${detail})`, {
      hint: 'The credentials are valid but their IAM policy does not allow this secretsmanager action on this secret (see docs/backends/secrets.md for the policy fork-stack needs).',
    });
  }
  if (NETWORK.has(e?.code ?? '') || e?.name === 'TimeoutError') {
    return new OperationError(`aws-secrets: ${what} failed: Secrets Manager could not be reached (${e.code ?? e.name})`, {
      hint: 'Check the network, the region, and AWS_ENDPOINT_URL_SECRETS_MANAGER if you set it.',
    });
  }
  const status = e?.$metadata?.httpStatusCode;
  return new OperationError(`aws-secrets: ${what} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${detail}`);
}
