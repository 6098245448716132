/**
 * Canonical identities of the resources a variable's value names, for the prod guard
 * (docs/backends/secrets.md, "Safety rules"). Two values name the same resource when they share an
 * identity string. What counts as the same resource (the docs' table says the same):
 *
 * - a database: same engine family, server (canonical host, see hosts.ts, and port with the engine's
 *   default filled in) and database name; user, password and options do not matter, except on hosts where
 *   the user selects the database (PlanetScale, Supabase's pooler). A PostgreSQL value may be a URI or a
 *   libpq keyword string, with host, port and dbname in the query (postgres.ts). A shared server with
 *   another database name is another database.
 * - Turso/libSQL: the database's host and port (libsql://h is https://h:443; its http(s)/ws(s) URLs too).
 * - SQLite: the file (paths.ts), however the path is spelt.
 * - Redis: host, port and database index (`/2` or `?db=2`); the key prefix is added by the caller.
 */
import { canonicalHost } from './hosts.js';
import { fileIdentities, fileUrlPaths } from './paths.js';
import { parsePostgres } from './postgres.js';

export { canonicalHost, LOCAL } from './hosts.js';
export { directoryIdentities, fileIdentities, fileUrlPaths, pathIdentities, resolvePath } from './paths.js';
export { parseKeywords, parsePostgres } from './postgres.js';

export interface Identity {
  /** Identity strings: two values with one in common name the same resource. */
  ids: string[];
  /** Human description without credentials: `database "app" on db.internal:5432`. */
  label: string;
}

const DATABASE_SCHEMES: Record<string, { family: string; port?: number }> = {
  cockroachdb: { family: 'postgres', port: 26257 },
  mysql: { family: 'mysql', port: 3306 },
  mysql2: { family: 'mysql', port: 3306 },
  mariadb: { family: 'mysql', port: 3306 },
  mongodb: { family: 'mongodb', port: 27017 },
  'mongodb+srv': { family: 'mongodb' },
  sqlserver: { family: 'sqlserver', port: 1433 },
};
/** libSQL (Turso) speaks https and wss; libsql:// is https. */
const LIBSQL_PORTS: Record<string, number> = { libsql: 443, https: 443, wss: 443, http: 80, ws: 80 };
const REDIS_SCHEMES: Record<string, number> = { redis: 6379, rediss: 6379, valkey: 6379, valkeys: 6379 };
/** Hosts shared by many tenants, where the user name selects the database (PlanetScale, Supabase pooler). */
const TENANT_BY_USER = [/\.psdb\.cloud$/, /\.pooler\.supabase\.com$/];

export function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined;
  try {
    return new URL(value.trim());
  } catch {
    return undefined;
  }
}

function schemeOf(value: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(value.trim())?.[1]?.toLowerCase();
}

function serverHost(host: string): string {
  // Neon's pooled and direct endpoints are the same compute: ep-x-pooler.… and ep-x.….
  return canonicalHost(host).replace(/^(ep-[a-z0-9-]+?)-pooler\./, '$1.');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function postgresIdentity(value: string): Identity | undefined {
  const target = parsePostgres(value);
  if (!target) return undefined;
  const servers = target.servers.map((s) => ({ host: serverHost(s.host.replace(/^\[|\]$/g, '')), port: s.port }));
  const ids = servers.map(({ host, port }) => {
    const tenant = TENANT_BY_USER.some((re) => re.test(host)) ? `${target.user}@` : '';
    return `postgres://${tenant}${host}:${port}/${target.database}`;
  });
  // The label shows the hosts as written (lower case), the ids compare them canonically.
  const where = target.servers.map((s) => `${s.host.startsWith('/') || s.host === '' ? `socket ${s.host || '(default)'}` : s.host.toLowerCase()}:${s.port}`).join(',');
  return { ids, label: `database "${target.database}" on ${where}` };
}

/** A database (server + name, or SQLite file) the value connects to; undefined when it names none. */
export function databaseIdentity(value: string, root: string, options: { httpAsLibsql?: boolean } = {}): Identity | undefined {
  const scheme = schemeOf(value);
  const files = fileUrlPaths(value, root);
  if (files.length > 0) {
    return { ids: files.flatMap((f) => fileIdentities(f)), label: `SQLite file ${files[0]}` };
  }
  const pg = postgresIdentity(value);
  if (pg) return pg;
  const url = parseUrl(value);
  if (!url || !scheme) return undefined;
  if (scheme in LIBSQL_PORTS && (scheme === 'libsql' || options.httpAsLibsql)) {
    const where = `${serverHost(url.hostname)}:${url.port || LIBSQL_PORTS[scheme]}`;
    return { ids: [`libsql://${where}`], label: `libSQL database ${where}` };
  }
  const known = DATABASE_SCHEMES[scheme];
  if (!known) return undefined;
  const host = serverHost(url.hostname.replace(/^\[|\]$/g, ''));
  const port = url.port || (known.port ? String(known.port) : '');
  const database = decode(url.pathname.replace(/^\//, '').split('/')[0] ?? '') || url.searchParams.get('database') || '';
  const tenant = TENANT_BY_USER.some((re) => re.test(host)) ? decode(url.username) : '';
  const where = `${host}${port ? `:${port}` : ''}`;
  return {
    ids: [`${known.family}://${tenant ? `${tenant}@` : ''}${where}/${database}`],
    label: database ? `database "${database}" on ${where}` : `database on ${where}`,
  };
}

/** A Redis server and database index (`redis://h:6379/2`, `?db=2`), or undefined. */
export function redisServer(value: string): { where: string; db: string } | undefined {
  const scheme = schemeOf(value);
  const url = parseUrl(value);
  if (!url || !scheme || !(scheme in REDIS_SCHEMES)) return undefined;
  const where = `${canonicalHost(url.hostname.replace(/^\[|\]$/g, ''))}:${url.port || REDIS_SCHEMES[scheme]}`;
  const db = url.pathname.replace(/^\//, '') || url.searchParams.get('db') || '0';
  return { where, db: String(Number.parseInt(db, 10) || 0) };
}

/** An HTTP(S) endpoint without credentials, query or fragment, with its host canonical and port filled in. */
export function endpointOf(value: string): string {
  const url = parseUrl(value);
  if (!url) return value.trim();
  const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
  return `${canonicalHost(url.hostname.replace(/^\[|\]$/g, ''))}${port ? `:${port}` : ''}${url.pathname.replace(/\/+$/, '')}`;
}
