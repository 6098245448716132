/**
 * What a PostgreSQL connection string connects to, the way libpq reads it (psql, psycopg and the readers'
 * Python apps use libpq): the URI form `postgres[ql]://user@host1:port1,host2/db?host=…&port=…&dbname=…`
 * and the keyword form `host=… port=… dbname=… user=…`.
 *
 * Hand-written rather than pg-connection-string: that library is node-postgres's reading, not libpq's —
 * it ignores `dbname=` in the query, has no keyword form and no host lists, and reads certificate files
 * from disk while parsing (sslcert=…), which a safety check must not do.
 *
 * libpq rules followed here: query parameters override the URI's parts; `hostaddr` is where the
 * connection goes when given; one port applies to every host; defaults are the local socket, port 5432,
 * the OS user, and a database named like the user. Environment defaults (PGHOST…) are not applied: they
 * belong to the app's process, not to the value.
 */
import os from 'node:os';

export interface PostgresTarget {
  /** host (as written, decoded) and port of each server the string may connect to. */
  servers: { host: string; port: string }[];
  database: string;
  user: string;
}

const URI = /^(?:jdbc:)?postgres(?:ql)?:\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

/** `k=v k='quoted \' value'` → entries; undefined when the text is not of that form. */
export function parseKeywords(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && /\s/.test(text[i] ?? '')) i++;
  };
  skip();
  if (i === n) return undefined;
  while (i < n) {
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0];
    if (!key) return undefined;
    i += key.length;
    skip();
    if (text[i] !== '=') return undefined;
    i++;
    skip();
    let value = '';
    if (text[i] === "'") {
      i++;
      while (i < n && text[i] !== "'") {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      if (text[i] !== "'") return undefined;
      i++;
    } else {
      while (i < n && !/\s/.test(text[i] ?? '')) {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
    }
    out[key.toLowerCase()] = value;
    skip();
  }
  return out;
}

/** `host[:port]` items of a URI's host list (IPv6 in brackets). */
function uriServers(list: string): { host: string; port: string }[] {
  return list.split(',').map((item) => {
    const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(item);
    return { host: decode(m?.[1] ?? item), port: m?.[2] ?? '' };
  });
}

function fromParams(params: Record<string, string>, servers: { host: string; port: string }[]): PostgresTarget {
  // A dbname that is itself a connection string is expanded by libpq; explicit keywords win over it.
  const nested = params.dbname && (URI.test(params.dbname) || /=/.test(params.dbname)) ? parsePostgres(params.dbname) : undefined;
  let list = servers;
  const hosts = params.hostaddr || params.host;
  if (hosts !== undefined) list = hosts.split(',').map((host) => ({ host, port: '' }));
  else if (nested) list = nested.servers;
  if (list.length === 0) list = [{ host: '', port: '' }];
  if (params.port !== undefined) {
    const ports = params.port.split(',');
    list = list.map((s, i) => ({ host: s.host, port: (ports.length === 1 ? ports[0] : ports[i]) ?? '' }));
  }
  const user = params.user || nested?.user || osUser();
  const database = (nested ? nested.database : params.dbname) || user;
  return { servers: list.map((s) => ({ host: s.host, port: s.port.trim() || '5432' })), database, user };
}

/** The target of a PostgreSQL URI or keyword string; undefined for anything else. */
export function parsePostgres(value: string): PostgresTarget | undefined {
  const text = value.trim();
  const uri = URI.exec(text);
  if (uri) {
    const [, authority = '', pathPart = '', query = ''] = uri;
    const at = authority.lastIndexOf('@');
    const userinfo = at === -1 ? '' : authority.slice(0, at);
    const params: Record<string, string> = {};
    const user = decode(userinfo.split(':')[0] ?? '');
    if (user) params.user = user;
    const db = decode(pathPart.replace(/^\//, ''));
    if (db) params.dbname = db;
    for (const pair of query.replace(/^\?/, '').split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const key = decode(eq === -1 ? pair : pair.slice(0, eq)).toLowerCase();
      params[key] = decode(eq === -1 ? '' : pair.slice(eq + 1));
    }
    return fromParams(params, uriServers(at === -1 ? authority : authority.slice(at + 1)));
  }
  const keywords = parseKeywords(text);
  if (!keywords || !['host', 'hostaddr', 'port', 'dbname'].some((k) => k in keywords)) return undefined;
  return fromParams(keywords, []);
}
