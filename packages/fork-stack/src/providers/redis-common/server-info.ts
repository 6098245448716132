/**
 * What kind of server is on the other end (Redis or Valkey, which version, standalone or cluster, its
 * eviction policy) and the `doctor` checks built from that.
 */
import type { Redis as RedisClient } from 'ioredis';
import type { Check } from '../types.js';

export interface ServerInfo {
  flavour: 'Redis' | 'Valkey';
  version: string;
  mode: string;
  maxmemory: number;
  maxmemoryPolicy: string;
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export async function serverInfo(client: RedisClient): Promise<ServerInfo> {
  const info = parseInfo(`${await client.info('server')}\n${await client.info('memory')}`);
  // Valkey keeps redis_version at the Redis version it is compatible with and adds its own fields.
  const valkey = info.server_name === 'valkey' || info.valkey_version !== undefined;
  return {
    flavour: valkey ? 'Valkey' : 'Redis',
    version: (valkey ? info.valkey_version : undefined) ?? info.redis_version ?? '0',
    mode: info.redis_mode ?? 'standalone',
    maxmemory: Number(info.maxmemory ?? 0),
    maxmemoryPolicy: info.maxmemory_policy ?? 'noeviction',
  };
}

/** -1, 0 or 1 as `version` is below, equal to or above `wanted` ("6.2.0"). */
export function compareVersion(version: string, wanted: string): number {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = wanted.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The Redis-compatible version: Valkey 7.2+ implements everything Redis 7.2 does. */
function redisEquivalent(info: ServerInfo): string {
  return info.flavour === 'Valkey' && compareVersion(info.version, '7.2.0') < 0 ? '7.2.0' : info.version;
}

/** COPY (server-side, keeps the TTL) exists from Redis 6.2 and in every Valkey. */
export function supportsCopy(info: ServerInfo): boolean {
  return compareVersion(redisEquivalent(info), '6.2.0') >= 0;
}

export interface ServerCheckOptions {
  /** Oldest version that works ("4.0.0" for UNLINK). */
  minimum: string;
  /** Older than this works with a warning. */
  recommended?: string;
  /** Eviction policies that are a problem, and why. */
  eviction: { bad: (policy: string) => boolean; why: string; fix: string };
}

export function serverChecks(info: ServerInfo, options: ServerCheckOptions): Check[] {
  const checks: Check[] = [];
  const label = `${info.flavour} ${info.version} (${info.mode})`;
  const effective = redisEquivalent(info);
  if (compareVersion(effective, options.minimum) < 0) {
    checks.push({ name: 'server version', status: 'fail', message: `${label} is older than ${options.minimum}`, fix: `Upgrade the server to ${options.minimum} or newer.` });
  } else if (options.recommended && compareVersion(effective, options.recommended) < 0) {
    checks.push({ name: 'server version', status: 'warn', message: `${label}: ${options.recommended} or newer is recommended`, fix: `Upgrade the server to ${options.recommended}.` });
  } else {
    checks.push({ name: 'server version', status: 'ok', message: label });
  }
  if (info.mode === 'cluster') {
    checks.push({
      name: 'server mode',
      status: 'fail',
      message: 'the server runs in cluster mode, which fork-stack does not support (SCAN sees one node only)',
      fix: 'Point the URL at a standalone server (or a proxy that presents one).',
    });
  }
  const policy = info.maxmemoryPolicy;
  if (options.eviction.bad(policy)) {
    checks.push({ name: 'eviction policy', status: 'warn', message: `maxmemory-policy is ${policy}: ${options.eviction.why}`, fix: options.eviction.fix });
  } else {
    checks.push({ name: 'eviction policy', status: 'ok', message: `maxmemory-policy is ${policy}${info.maxmemory ? '' : ' (no maxmemory limit)'}` });
  }
  return checks;
}
