/**
 * Reaching a Redis-protocol server (Redis, Valkey, KeyDB, Dragonfly…) for the cache and queue providers
 * that isolate environments inside one server. The server URL comes either from `url` in the config —
 * never with a password, which stays in the environment (`password_env`) — or from the environment
 * variable named by `url_env` (default REDIS_URL), which may carry the password.
 *
 * The client never reconnects or queues commands while offline: a CLI wants a clear error now, not an
 * endless retry loop. Errors name the provider, the server (without its password) and the fix.
 */
import { z } from 'zod';
import type { Redis as RedisClient } from 'ioredis';
import { OperationError, UsageError } from '../../core/errors.js';
import { withRetry } from '../../core/retry.js';
import { registerSecret, scrub } from '../../core/scrub.js';
import type { ProviderContext } from '../types.js';

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

function urlProblem(value: string, allowPassword: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `must start with redis:// or rediss:// (not ${url.protocol}//)`;
  if (!url.hostname) return 'has no host';
  if (!/^\/?(\d+)?$/.test(url.pathname)) return `has the path "${url.pathname}"; only a database number (/0, /1…) may follow the host`;
  if (url.password && !allowPassword) {
    return 'must not contain a password: keep it out of the config file and export it in the variable named by password_env (default REDIS_PASSWORD)';
  }
  return undefined;
}

/** The options every Redis-server provider shares. Spread into each provider's strictObject. */
export const connectionShape = {
  url: z
    .string()
    .superRefine((value, issue) => {
      const problem = urlProblem(value, false);
      if (problem) issue.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .meta({
      description:
        'Server URL without a password, e.g. "redis://127.0.0.1:6379" or "rediss://user@cache.internal:6380". When unset, the URL is read from the variable named by url_env.',
      examples: ['redis://127.0.0.1:6379'],
    }),
  url_env: z
    .string()
    .regex(ENV_VAR, 'must be an environment variable name')
    .default('REDIS_URL')
    .meta({ description: 'Environment variable holding the server URL (with its password) when url is not set.' }),
  password_env: z
    .string()
    .regex(ENV_VAR, 'must be an environment variable name')
    .default('REDIS_PASSWORD')
    .meta({ description: 'Environment variable holding the password for url (ignored when the URL comes from url_env).' }),
};

export interface ConnectionOptions {
  url?: string;
  url_env: string;
  password_env: string;
}

/** Where the server is: the URL with its credentials (for clients and variables) and a printable form. */
export interface RedisTarget {
  /** The full URL with credentials and without a database path. */
  url: URL;
  /** `redis://host:port`, never a password: for messages and resource details. */
  display: string;
  /** Where the URL came from, for hints: `url in [cache]` or `REDIS_URL`. */
  source: string;
  /** True when the variable in the process environment supplied the URL. */
  fromEnv: boolean;
  /** The database number in the URL's path (0 when none): where prefix isolation keeps its keys. */
  db: number;
}

export function redisTarget(ctx: ProviderContext<ConnectionOptions>): RedisTarget {
  const { options } = ctx;
  let url: URL;
  let source: string;
  if (options.url) {
    url = new URL(options.url);
    source = `url in [${ctx.slot}]`;
    const password = ctx.env[options.password_env];
    if (password) {
      registerSecret(password);
      url.password = encodeURIComponent(password);
    }
  } else {
    const raw = ctx.env[options.url_env]?.trim();
    if (!raw) {
      throw new UsageError(`${options.url_env} is not set, and [${ctx.slot}] has no url`, {
        hint: `Export ${options.url_env}=redis://[:password@]host:port (the server every environment shares), or set url = "redis://host:port" in [${ctx.slot}] and the password in ${options.password_env}.`,
      });
    }
    const problem = urlProblem(raw, true);
    if (problem) throw new UsageError(`${options.url_env} ${problem}`, { hint: `Set ${options.url_env} to a URL like redis://:password@host:6379.` });
    url = new URL(raw);
    source = options.url_env;
    registerSecret(url.password);
    registerSecret(safeDecode(url.password));
  }
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  url.pathname = '';
  url.search = '';
  url.hash = '';
  return { url, display: `${url.protocol}//${url.host}${db ? `/${db}` : ''}`, source, fromEnv: !options.url, db };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The URL an app uses: the server URL with its credentials and the database number when not 0. */
export function clientUrl(target: RedisTarget, db = target.db): string {
  const url = new URL(target.url.toString());
  if (db !== 0) url.pathname = `/${db}`;
  return url.toString().replace(/\/$/, '');
}

export const CONNECT_TIMEOUT_MS = Number(process.env.FORK_STACK_REDIS_TIMEOUT_MS ?? 10_000);

const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Connect (retrying only transient network failures) and run `use`; the connection is closed after. */
export async function withRedis<T>(
  ctx: ProviderContext<ConnectionOptions>,
  provider: string,
  use: (client: RedisClient, target: RedisTarget) => Promise<T>,
  options: { db?: number; target?: RedisTarget } = {},
): Promise<T> {
  const target = options.target ?? redisTarget(ctx);
  const client = await withRetry(
    () => connect(target, options.db ?? target.db),
    (error) => ({ retry: TRANSIENT.has(errorCode(error) ?? ''), reason: 'network error' }),
    { attempts: 3, signal: ctx.signal },
  ).catch((error: unknown) => {
    throw redisError(provider, target, 'connecting', error);
  });
  try {
    return await use(client, target);
  } catch (error) {
    if (error instanceof UsageError || error instanceof OperationError) throw error;
    throw redisError(provider, target, 'a command', error);
  } finally {
    client.disconnect();
  }
}

async function connect(target: RedisTarget, db: number): Promise<RedisClient> {
  const { Redis } = await import('ioredis');
  const client = new Redis(target.url.toString(), {
    db,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // ioredis reports the real cause (ECONNREFUSED, WRONGPASS…) as an event and rejects connect() with
  // "Connection is closed."; keep the event so the error says what went wrong.
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw cause ?? error;
  }
  return client;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A Redis failure as an OperationError that names the server (without password) and the fix. */
export function redisError(provider: string, target: RedisTarget, what: string, error: unknown): OperationError {
  const message = scrub(error instanceof Error ? error.message : String(error));
  const code = errorCode(error);
  const where = target.display;
  const fixUrl = `Check ${target.source}.`;
  if (code === 'ECONNREFUSED') {
    return new OperationError(`${provider}: cannot reach the server at ${where}: connection refused`, {
      hint: `Start the server, or point ${target.source} at a running one.`,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new OperationError(`${provider}: cannot reach the server at ${where}: host not found`, { hint: fixUrl });
  }
  if (code === 'ETIMEDOUT') {
    return new OperationError(`${provider}: cannot reach the server at ${where}: no answer within ${CONNECT_TIMEOUT_MS} ms`, {
      hint: `${fixUrl} A TLS server needs rediss://, a plain one redis://; a firewall may also drop the connection.`,
    });
  }
  if (/^(WRONGPASS|NOAUTH)|invalid password|without any password configured|invalid username-password/i.test(message)) {
    const missing = /^NOAUTH/.test(message);
    return new OperationError(`${provider}: the server at ${where} ${missing ? 'requires a password and none was given' : 'rejected the username or password'}`, {
      hint: target.fromEnv
        ? `Put the right credentials in ${target.source}: redis://[user]:password@host:port.`
        : `Export the password in the variable named by password_env (default REDIS_PASSWORD); a username goes in url (redis://user@host:port).`,
    });
  }
  if (/^NOPERM/.test(message)) {
    return new OperationError(`${provider}: the server at ${where} denied a command: ${message}`, {
      hint: 'Grant the ACL user the commands fork-stack needs (docs/backends/cache.md, "What it needs from the server").',
    });
  }
  if (/^OOM/.test(message)) {
    return new OperationError(`${provider}: the server at ${where} is out of memory (${what}): ${message}`, {
      hint: 'Free memory (delete unused environments) or raise maxmemory.',
    });
  }
  if (/^READONLY/.test(message)) {
    return new OperationError(`${provider}: the server at ${where} is a read-only replica`, { hint: `Point ${target.source} at the primary.` });
  }
  return new OperationError(`${provider}: ${what} on ${where} failed: ${message}`);
}
