/**
 * Waiting for a provider's asynchronous work (a Neon operation, a PlanetScale branch becoming ready, a
 * Supabase branch reaching ACTIVE_HEALTHY): poll with a growing, jittered interval until the check says
 * done or failed, the deadline passes, or the operation is cancelled. Each poll is itself an HTTP call
 * with its own timeout and retries.
 */
import { OperationError } from '../../core/errors.js';
import { sleep } from '../../core/retry.js';
import type { ProviderContext } from '../types.js';

export type PollResult<T> = { done: true; value: T } | { done: false; state?: string } | { failed: string };

export interface PollOptions {
  /** What is being waited for, for messages: 'branch "alice" to become ready'. */
  what: string;
  timeoutMs: number;
  /** First interval; grows ×1.5 up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** How to fix a timeout, e.g. raise wait_timeout_seconds. */
  hint?: string;
}

export const POLL_INTERVAL_MS = Number(process.env.FORK_STACK_POLL_INTERVAL_MS ?? 250);

export async function pollUntil<T>(ctx: ProviderContext<unknown>, options: PollOptions, check: () => Promise<PollResult<T>>): Promise<T> {
  const started = Date.now();
  let interval = options.intervalMs ?? POLL_INTERVAL_MS;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  let last: string | undefined;
  for (;;) {
    const result = await check();
    if ('failed' in result) throw new OperationError(result.failed);
    if (result.done) return result.value;
    last = result.state ?? last;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new OperationError(`timed out after ${Math.round(elapsed / 1000)} s waiting for ${options.what}${last ? ` (last state: ${last})` : ''}`, {
        hint: options.hint,
      });
    }
    ctx.progress({ message: `waiting for ${options.what}${last ? ` (${last})` : ''}` });
    // Jitter keeps parallel creates from polling in lock-step against a per-route rate limit.
    const delay = Math.min(interval * (0.75 + Math.random() * 0.5), options.timeoutMs - elapsed);
    await sleep(Math.max(0, delay), ctx.signal);
    interval = Math.min(maxInterval, interval * 1.5);
  }
}
