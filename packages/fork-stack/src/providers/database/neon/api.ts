/**
 * The Neon API through its official SDK (@neondatabase/api-client, axios underneath), loaded lazily.
 * The SDK gives typed calls; this module adds what it lacks: a timeout and the context's abort signal on
 * every call, retries with backoff (core/retry.ts) on 429/423/5xx/network errors, and errors converted to
 * ProviderHttpError so that messages, hints and retry decisions are the same as for every other provider.
 */
import type { Api } from '@neondatabase/api-client';
import { apiBaseUrl, requireEnv } from '../../../core/credentials.js';
import { classifyHttpError, DEFAULT_TIMEOUT_MS, ProviderHttpError } from '../../../core/http.js';
import { retryAfterMs, withRetry, type RetryDecision } from '../../../core/retry.js';
import { scrub } from '../../../core/scrub.js';
import type { ProviderContext } from '../../types.js';
import { API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, type NeonOptions } from '../neon.schema.js';

export type NeonSdk = Api<unknown>;

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message: string;
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
}

export interface CallOptions {
  /** Statuses that are expected outcomes (404 on a lookup): returned as `{ status }` without data. */
  expect?: number[];
}

export interface CallResult<T> {
  status: number;
  data?: T;
}

function neonMessage(data: unknown): string {
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') return (data as { message: string }).message;
  if (typeof data === 'string') return (data.split('\n')[0] ?? '').slice(0, 200);
  return '';
}

function authHint(status: number): string | undefined {
  if (status === 401) return `${API_KEY_ENV} was rejected: create a new API key in the Neon Console (Account settings → API keys) and export ${API_KEY_ENV}.`;
  if (status === 403) return `The key behind ${API_KEY_ENV} has no access to this project: use a personal or organization key of the project's organization.`;
  return undefined;
}

/** An SDK (axios) error as the ProviderHttpError every provider throws; status 0 when there was no response. */
export function toProviderError(error: unknown, what: string, timeoutMs: number): unknown {
  const e = error as AxiosLikeError;
  if (!e || typeof e !== 'object' || !e.isAxiosError) return error;
  if (e.response) {
    const { status, data, headers } = e.response;
    const message = scrub(neonMessage(data));
    const retryAfter = retryAfterMs(typeof headers?.['retry-after'] === 'string' ? (headers['retry-after'] as string) : undefined);
    return new ProviderHttpError('neon', status, `neon: ${what} failed: HTTP ${status}${message ? ` — ${message}` : ''}`, retryAfter, authHint(status));
  }
  if (e.code === 'ERR_CANCELED') return error;
  const reason =
    e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT'
      ? `no answer within ${timeoutMs} ms`
      : e.code === 'ECONNREFUSED'
        ? 'connection refused (is the API reachable?)'
        : scrub(e.message);
  return new ProviderHttpError('neon', 0, `neon: ${what} failed: ${reason}`);
}

/** 423 Locked means "another operation is running on this branch": Neon documents it as safe to retry. */
function classify(error: unknown): RetryDecision {
  if (error instanceof ProviderHttpError && error.status === 423) return { retry: true, afterMs: error.retryAfter, reason: 'branch busy (423)' };
  return classifyHttpError(error);
}

export interface NeonClient {
  sdk: NeonSdk;
  projectId: string;
  baseUrl: string;
  call<T>(what: string, run: (params: { signal: AbortSignal; timeout: number }) => Promise<{ status: number; data: T }>, options?: CallOptions): Promise<CallResult<T>>;
}

/** One client per provider call, reading the key and base URL from the context's environment. */
export async function neonClient(ctx: ProviderContext<NeonOptions>): Promise<NeonClient> {
  const apiKey = requireEnv(ctx, API_KEY_ENV, 'Create an API key in the Neon Console (Account settings → API keys).');
  const baseURL = apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL);
  const { createApiClient } = await import('@neondatabase/api-client');
  const timeout = DEFAULT_TIMEOUT_MS;
  const sdk = createApiClient({ apiKey, baseURL, timeout });
  return {
    sdk,
    projectId: ctx.options.project_id,
    baseUrl: baseURL,
    async call(what, run, options = {}) {
      return withRetry(
        async () => {
          try {
            const response = await run({ signal: ctx.signal, timeout });
            return { status: response.status, data: response.data };
          } catch (error) {
            const converted = toProviderError(error, what, timeout);
            if (converted instanceof ProviderHttpError && options.expect?.includes(converted.status)) return { status: converted.status };
            throw converted;
          }
        },
        classify,
        {
          signal: ctx.signal,
          onRetry: ({ delayMs, reason }) => ctx.progress({ message: `neon: ${reason}, retrying in ${(delayMs / 1000).toFixed(1)} s` }),
        },
      );
    },
  };
}
