/** An HttpClient (core/http.ts) bound to one provider call site: the context's abort signal, retries reported as progress. */
import { HttpClient } from '../../core/http.js';
import type { ProviderContext } from '../types.js';

export function providerHttp(ctx: ProviderContext<unknown>, provider: string, baseUrl: string, headers: Record<string, string>): HttpClient {
  return new HttpClient({
    provider,
    baseUrl,
    headers,
    retry: {
      signal: ctx.signal,
      onRetry: ({ delayMs, reason }) => ctx.progress({ message: `${provider}: ${reason}, retrying in ${(delayMs / 1000).toFixed(1)} s` }),
    },
  });
}
