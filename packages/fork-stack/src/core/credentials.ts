/**
 * Credentials come only from the process environment (docs/architecture.md, "Configuration and slots"). A missing one is a configuration
 * error (exit 2) naming the variable and where to get its value.
 */
import { UsageError } from './errors.js';
import { registerSecret } from './scrub.js';
import type { ProviderContext } from '../providers/types.js';

export function requireEnv(ctx: Pick<ProviderContext<unknown>, 'env' | 'slot'>, name: string, howToGet: string): string {
  const value = ctx.env[name];
  if (value === undefined || value.trim() === '') {
    // No slot prefix here: the engine prefixes every provider error with "<slot> (<provider>):".
    throw new UsageError(`${name} is not set`, { hint: `${howToGet} Then: export ${name}=…` });
  }
  registerSecret(value);
  return value;
}

/** An optional base-URL override (FORK_STACK_<PROVIDER>_API_URL), for proxies and for tests against fakes. */
export function apiBaseUrl(ctx: Pick<ProviderContext<unknown>, 'env'>, variable: string, fallback: string): string {
  const value = ctx.env[variable]?.trim();
  return value ? value.replace(/\/$/, '') : fallback;
}
