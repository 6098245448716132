/**
 * HTTP for providers without a well-kept SDK (and a fallback for SDK calls that need it): JSON in and
 * out, a timeout on every call, retries per core/retry.ts, and errors that say which provider, which
 * operation, the HTTP status and the provider's own message — scrubbed of secrets.
 */
import { OperationError, UsageError } from './errors.js';
import { isTransientHttpStatus, retryAfterMs, withRetry, type RetryDecision, type RetryOptions } from './retry.js';
import { scrub } from './scrub.js';

export interface HttpClientOptions {
  /** Provider name for messages: "neon". */
  provider: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  retry?: RetryOptions;
}

export interface RequestOptions {
  method?: string;
  /** Path appended to the base URL (with its own query string if any). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** What this call does, for error messages: "create branch alice". */
  what: string;
  /** Statuses that are expected outcomes, returned instead of thrown (e.g. 404 on find, 409 on create). */
  expect?: number[];
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * The answers to this request carry secret values (a secrets download). Its error answers are not
   * quoted: a provider that echoes the data into an error body would print values fork-stack never saw
   * and so cannot scrub. The error still names the operation, the status and what to check.
   */
  answersHoldSecrets?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** An HTTP error from a provider. `status` 0 means no response (network error or timeout). */
export class ProviderHttpError extends OperationError {
  constructor(
    readonly provider: string,
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
    hint?: string,
  ) {
    super(message, { hint });
    this.name = 'ProviderHttpError';
  }
}

export const DEFAULT_TIMEOUT_MS = Number(process.env.FORK_STACK_HTTP_TIMEOUT_MS ?? 30_000);

export function classifyHttpError(error: unknown): RetryDecision {
  if (error instanceof ProviderHttpError) {
    if (error.status === 0) return { retry: true, reason: 'network error' };
    if (error.status === 429) return { retry: true, afterMs: error.retryAfter, reason: 'rate limited (429)' };
    if (error.status === 408) return { retry: true, afterMs: error.retryAfter, reason: 'request timeout (408)' };
    if (isTransientHttpStatus(error.status)) return { retry: true, afterMs: error.retryAfter, reason: `server error (${error.status})` };
  }
  return { retry: false, reason: 'not retryable' };
}

function providerMessage(body: unknown, text: string): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const key of ['message', 'error', 'messages', 'errors', 'detail']) {
      const v = b[key];
      if (typeof v === 'string' && v) return v;
      if (Array.isArray(v) && v.length) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ');
      if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string') return (v as Record<string, string>).message as string;
    }
    // A JSON answer without a message field is data, possibly secret values (a download that failed
    // half-way): never print it.
    return '';
  }
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

const WITHHELD = "the provider's message is not shown: answers to this request carry secret values";

function authHint(provider: string, status: number): string | undefined {
  if (status === 401) return `Check the ${provider} credentials in your environment (see "fork-stack doctor").`;
  if (status === 403) return `The ${provider} token lacks permission for this operation; use a token with write access to the project.`;
  return undefined;
}

export class HttpClient {
  constructor(readonly options: HttpClientOptions) {}

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const { provider } = this.options;
    return withRetry(
      () => this.once<T>(req),
      classifyHttpError,
      { ...this.options.retry, signal: req.signal ?? this.options.retry?.signal },
    ).catch((error: unknown) => {
      if (error instanceof ProviderHttpError || error instanceof UsageError) throw error;
      if (req.signal?.aborted) throw error;
      throw new OperationError(`${provider}: ${req.what} failed: ${scrub((error as Error).message)}`);
    });
  }

  private async once<T>(req: RequestOptions): Promise<HttpResponse<T>> {
    const { provider } = this.options;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(this.url(req.path, req.query), {
        method: req.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...this.options.headers,
          ...req.headers,
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeFetchError(error);
      throw new ProviderHttpError(provider, 0, `${provider}: ${req.what} failed: ${reason}`);
    }
    const text = await response.text().catch(() => '');
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (response.ok || req.expect?.includes(response.status)) return { status: response.status, headers: response.headers, body: body as T };
    const message = req.answersHoldSecrets ? WITHHELD : scrub(providerMessage(body, text));
    throw new ProviderHttpError(
      provider,
      response.status,
      `${provider}: ${req.what} failed: HTTP ${response.status}${message ? ` — ${message}` : ''}`,
      retryAfterMs(response.headers.get('retry-after')),
      authHint(provider, response.status),
    );
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the API reachable?)';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return (error as Error).message;
}
