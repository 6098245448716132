/**
 * The admin connection URL and the URLs derived from it. A child's DATABASE_URL is the admin URL with
 * only the database (and, when configured, the role) replaced: host, port, query parameters (sslmode,
 * options, host=/socket/dir) and the password's exact percent-encoding are kept byte for byte. The URL
 * is split with a pattern rather than WHATWG `URL`, which rejects forms libpq accepts (a socket
 * directory with an empty host, several comma-separated hosts).
 */
import { UsageError } from '../../../core/errors.js';
import { registerSecret } from '../../../core/scrub.js';
import type { ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';

export interface AdminUrl {
  /** "postgres" or "postgresql", as written. */
  scheme: string;
  /** `user[:password]`, percent-encoded as written; undefined when the URL has no `@`. */
  userinfo?: string;
  /** `host[:port][,host[:port]…]`, possibly empty (socket directory in the query). */
  hosts: string;
  /** Database in the URL's path, decoded; undefined when the path is empty. */
  database?: string;
  /** `?…` including the question mark, or "". */
  query: string;
  /** Role name, decoded. */
  user?: string;
  password?: string;
}

const URL_PATTERN = /^(postgres(?:ql)?):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error(`its ${what} has a malformed %-escape`);
  }
}

/** Parse, or throw an Error whose message says what is wrong (never echoing the password). */
export function parseAdminUrl(raw: string): AdminUrl {
  const text = raw.trim();
  const match = URL_PATTERN.exec(text);
  if (!match) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error(`it must start with postgres:// or postgresql://, not ${text.split(':')[0]}://`);
    throw new Error('it is not a URL of the form postgres://user:password@host:port/database');
  }
  const [, scheme = 'postgres', authority = '', path = '', query = ''] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hosts = at === -1 ? authority : authority.slice(at + 1);
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'user name') || undefined;
    password = colon === -1 ? undefined : decode(userinfo.slice(colon + 1), 'password');
  }
  const dbPart = path.replace(/^\//, '');
  const database = dbPart === '' ? undefined : decode(dbPart, 'database name');
  if (hosts === '' && !/[?&]host=/.test(query)) throw new Error('it names no host (postgres://user:password@HOST:5432/postgres)');
  return { scheme, userinfo, hosts, database, query, user, password };
}

/** The same server and parameters, another database and optionally other credentials. */
export function urlFor(admin: AdminUrl, database: string, credentials?: { user: string; password?: string }): string {
  let userinfo = admin.userinfo;
  if (credentials) {
    userinfo = encodeURIComponent(credentials.user) + (credentials.password === undefined ? '' : `:${encodeURIComponent(credentials.password)}`);
  }
  return `${admin.scheme}://${userinfo === undefined ? '' : `${userinfo}@`}${admin.hosts}/${encodeURIComponent(database)}${admin.query}`;
}

/** "host:port" for messages (never credentials). */
export function serverLabel(admin: AdminUrl): string {
  if (admin.hosts) return admin.hosts;
  const socket = /[?&]host=([^&]*)/.exec(admin.query)?.[1];
  return socket ? `socket ${decodeURIComponent(socket)}` : 'the default server';
}

/** The admin URL from the variable named by `url_env`; a missing or malformed one is a usage error. */
export function adminUrl(ctx: ProviderContext<PostgresOptions>): AdminUrl {
  const variable = ctx.options.url_env;
  const raw = ctx.env[variable];
  if (raw === undefined || raw.trim() === '') {
    throw new UsageError(`${ctx.slot} (postgres): ${variable} is not set; it must hold the admin connection URL of the PostgreSQL server`, {
      hint: `export ${variable}=postgres://USER:PASSWORD@HOST:5432/postgres (a role that may CREATE DATABASE). Set url_env in [${ctx.slot}] to read another variable.`,
    });
  }
  registerSecret(raw);
  registerSecret(raw.trim());
  let parsed: AdminUrl;
  try {
    parsed = parseAdminUrl(raw);
  } catch (error) {
    throw new UsageError(`${ctx.slot} (postgres): ${variable} is not a usable connection URL: ${(error as Error).message}`, {
      hint: `Expected postgres://USER:PASSWORD@HOST:5432/postgres (percent-encode special characters in the password).`,
    });
  }
  registerSecret(parsed.password);
  if (parsed.userinfo) registerSecret(parsed.userinfo.split(':').slice(1).join(':'));
  return parsed;
}
