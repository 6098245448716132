/**
 * Admin sessions on the server: one connection per operation, retried with backoff while the server is
 * unreachable, starting up, out of connection slots or drops the connection (every operation is
 * idempotent, so it is simply run again). Everything else fails at once, explained: bad credentials,
 * missing privileges, unknown database.
 */
import pg from 'pg';
import { ForkStackError, OperationError, UsageError } from '../../../core/errors.js';
import { withRetry, type RetryDecision } from '../../../core/retry.js';
import { scrub } from '../../../core/scrub.js';
import type { ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';
import { adminUrl, serverLabel, urlFor, type AdminUrl } from './urls.js';

type Ctx = ProviderContext<PostgresOptions>;

export interface ServerInfo {
  /** server_version_num, e.g. 150018. */
  versionNum: number;
  /** server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  version: string;
  major: number;
  /** The role the admin URL logs in as. */
  user: string;
  superuser: boolean;
  createdb: boolean;
}

export interface AdminSession {
  client: pg.Client;
  url: AdminUrl;
  server: ServerInfo;
  /** Backend pid of this session (excluded from "who is connected"). */
  pid: number;
  /** "127.0.0.1:5432" for messages. */
  where: string;
}

const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
// 08: connection exception; 57P01/02/03: shutting down, crashed, starting up; 53300: too many connections;
// 40001/40P01: serialization failure and deadlock, which succeed when run again.
const RETRYABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isConnectionProblem(error: unknown): boolean {
  const code = codeOf(error);
  if (code && (RETRYABLE_NODE_CODES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

export function classifyPgError(error: unknown): RetryDecision {
  if (error instanceof ForkStackError) return { retry: false, reason: 'not retryable' };
  const code = codeOf(error);
  if (isConnectionProblem(error)) return { retry: true, reason: `connection problem (${code ?? (error as Error).message})` };
  if (code && RETRYABLE_SQLSTATES.has(code)) return { retry: true, reason: `server busy (${code})` };
  return { retry: false, reason: 'not retryable' };
}

/** Turn a driver error into a message naming the provider, the server and the fix. */
export function explainPgError(ctx: Ctx, url: AdminUrl, error: unknown, what: string): ForkStackError {
  if (error instanceof ForkStackError) return error;
  const code = codeOf(error);
  const message = scrub(error instanceof Error ? error.message : String(error));
  const where = serverLabel(url);
  const variable = ctx.options.url_env;
  const head = `${ctx.slot} (postgres): ${what}`;
  if (code === 'ENOTFOUND') {
    return new UsageError(`${head}: host not found (${where})`, { hint: `Check the host in ${variable}.`, cause: error });
  }
  if (isConnectionProblem(error) || code === '57P03') {
    return new OperationError(`${head}: cannot reach the PostgreSQL server at ${where} (${message})`, {
      hint: `Start the server, or fix the host and port in ${variable}; fork-stack retried with backoff before giving up.`,
      cause: error,
    });
  }
  if (code === '28P01' || code === '28000') {
    return new UsageError(`${head}: the server at ${where} rejected the login of role "${url.user ?? '(default)'}": ${message}`, {
      hint: `Fix the user and password in ${variable} (percent-encode special characters), or the server's pg_hba.conf.`,
      cause: error,
    });
  }
  if (code === '3D000') {
    return new UsageError(`${head}: ${message} on ${where}`, {
      hint: `Point ${variable} at a database that exists, such as postgres (postgres://USER:PASSWORD@HOST:5432/postgres).`,
      cause: error,
    });
  }
  if (code === '53300') {
    return new OperationError(`${head}: the server at ${where} has no free connection slots`, { hint: 'Close idle sessions or raise max_connections.', cause: error });
  }
  if (/SSL/i.test(message)) {
    return new UsageError(`${head}: ${message} (${where})`, { hint: `Set sslmode in ${variable} to what the server supports, e.g. ?sslmode=disable for a local server.`, cause: error });
  }
  if (code === '42501') {
    return new OperationError(`${head}: permission denied on ${where}: ${message}`, {
      hint: 'Use an admin role with CREATEDB that owns (or is a member of the owner of) the databases involved; run "fork-stack doctor".',
      cause: error,
    });
  }
  return new OperationError(`${head}: ${message}${code ? ` (SQLSTATE ${code})` : ''}`, { cause: error });
}

function maintenanceDatabase(url: AdminUrl, avoid: readonly string[]): string {
  // A database cannot be dropped (or renamed) from a session connected to it.
  for (const candidate of [url.database, 'postgres', 'template1']) {
    if (candidate && !avoid.includes(candidate)) return candidate;
  }
  return 'template1';
}

export async function connect(ctx: Ctx, url: AdminUrl, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: urlFor(url, database),
    connectionTimeoutMillis: ctx.options.connect_timeout_ms,
    application_name: 'fork-stack',
  });
  // A session killed by the server emits 'error' outside any query; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

async function serverInfo(client: pg.Client): Promise<{ server: ServerInfo; pid: number }> {
  const { rows } = await client.query<{ num: string; version: string; user: string; superuser: boolean; createdb: boolean; pid: number }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version, current_user AS user,
            r.rolsuper AS superuser, r.rolcreatedb AS createdb, pg_backend_pid() AS pid
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  if (!row) throw new OperationError('the server did not report the current role');
  const versionNum = Number(row.num);
  return {
    server: { versionNum, version: row.version, major: Math.floor(versionNum / 10_000), user: row.user, superuser: row.superuser, createdb: row.createdb },
    pid: row.pid,
  };
}

export interface AdminOptions {
  /** What is being done, for error messages: 'forking "dev" into "alice"'. */
  what: string;
  /** Databases the session must not be connected to (the one being dropped or renamed). */
  avoid?: readonly string[];
  /** Override of the retry attempts (doctor tries once). */
  attempts?: number;
}

/** Run `work` in an admin session, retried as a whole on connection problems; errors come out explained. */
export async function withAdmin<T>(ctx: Ctx, options: AdminOptions, work: (session: AdminSession) => Promise<T>): Promise<T> {
  const url = adminUrl(ctx);
  const database = maintenanceDatabase(url, options.avoid ?? []);
  try {
    return await withRetry(
      async () => {
        const client = await connect(ctx, url, database);
        try {
          const { server, pid } = await serverInfo(client);
          return await work({ client, url, server, pid, where: serverLabel(url) });
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      classifyPgError,
      {
        signal: ctx.signal,
        attempts: options.attempts,
        onRetry: ({ delayMs, reason }) => ctx.progress({ message: `${reason}; retrying in ${Math.round(delayMs / 100) / 10}s` }),
      },
    );
  } catch (error) {
    throw explainPgError(ctx, url, error, options.what);
  }
}

/**
 * While `work` runs, an abort of ctx.signal cancels the session's running statement (a CREATE DATABASE
 * copying gigabytes) from a second connection, the way psql's Ctrl-C does; the server then removes what
 * the statement had copied.
 */
export async function cancellable<T>(ctx: Ctx, session: AdminSession, work: () => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const onAbort = () => {
    void (async () => {
      const client = await connect(ctx, session.url, maintenanceDatabase(session.url, [])).catch(() => undefined);
      if (!client) return;
      await client.query('SELECT pg_cancel_backend($1)', [session.pid]).catch(() => undefined);
      await client.end().catch(() => undefined);
    })();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work();
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
