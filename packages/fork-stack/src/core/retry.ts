/**
 * Retries with exponential backoff and full jitter, for every call to a remote provider: only transient
 * answers are retried — 408, 429 (honouring Retry-After), 500, 502, 503, 504, timeouts and dropped
 * connections. Other 4xx and other 5xx (501 Not Implemented, 505, …) are not: they will not change by
 * asking again. Mutations are only safe to retry because every provider operation is
 * idempotent (a create that already happened is found, a delete of something gone succeeds).
 */
export interface RetryOptions {
  /** Attempts in all, including the first. */
  attempts?: number;
  /** First backoff delay; doubled each attempt, capped at maxDelayMs, then jittered. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to show "rate limited, retrying in 2s". */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Test hook: the random source for jitter. */
  random?: () => number;
}

export interface RetryDecision {
  retry: boolean;
  /** Server-requested delay (Retry-After), overrides backoff when longer. */
  afterMs?: number;
  reason: string;
}

/** HTTP statuses worth asking again: the server (or a proxy before it) says the failure is temporary. */
export const TRANSIENT_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export function isTransientHttpStatus(status: number): boolean {
  return TRANSIENT_HTTP_STATUSES.has(status);
}

export const DEFAULT_ATTEMPTS = Number(process.env.FORK_STACK_RETRY_ATTEMPTS ?? 6);
export const DEFAULT_BASE_DELAY_MS = Number(process.env.FORK_STACK_RETRY_BASE_MS ?? 250);

export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? 20_000;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round((options.random ?? Math.random)() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parse Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function withRetry<T>(run: (attempt: number) => Promise<T>, classify: (error: unknown) => RetryDecision, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const decision = classify(error);
      if (!decision.retry || attempt >= attempts) throw error;
      const delayMs = Math.max(backoffDelay(attempt, options), decision.afterMs ?? 0);
      options.onRetry?.({ attempt, delayMs, reason: decision.reason });
      await sleep(delayMs, options.signal);
    }
  }
}
