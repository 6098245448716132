/**
 * fork-stack's record, on the server itself, of the environments it created there: one small hash whose
 * fields are keyspace prefixes (or database numbers) and whose values say which project and environment
 * own them. Every teammate using the server sees the same record, so `list` and `find` work for the
 * whole team, and two projects sharing a server cannot claim the same prefix.
 *
 * Why a hash outside every environment's keyspace rather than a marker key inside each prefix: an app
 * that clears "its" keys (SCAN prefix* + DEL, a cache library's clear()) would delete a marker with
 * them, and the environment would vanish from `list`; and listing from the hash is one HGETALL instead
 * of a SCAN of the whole server. Roots (dev, prod) are adopted and never recorded.
 */
import os from 'node:os';
import type { Redis as RedisClient } from 'ioredis';

/** fork-stack's own keys start with this; copies of a whole database skip them. */
export const RESERVED_PREFIX = '__fork_stack__:';

/** The registry hashes, one per provider family and isolation mode. */
export const REGISTRY_KEYS = {
  /** cache, prefix isolation: field = key prefix; in the database of the URL. */
  cachePrefixes: `${RESERVED_PREFIX}cache:prefixes`,
  /** cache, database isolation: field = database number; always in database 0. */
  cacheDatabases: `${RESERVED_PREFIX}cache:databases`,
  /** BullMQ: field = key prefix (with BullMQ's ":"); in the database of the URL. */
  bullmqPrefixes: `${RESERVED_PREFIX}bullmq:prefixes`,
} as const;

export type EntryStatus = 'creating' | 'ready';

export interface RegistryEntry {
  project: string;
  env: string;
  parent?: string;
  createdAt: string;
  /** user@host that ran the create. */
  createdBy?: string;
  status: EntryStatus;
}

export function newEntry(project: string, env: string, parent: string, now: Date): RegistryEntry {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the host alone still helps.
  }
  return { project, env, parent, createdAt: now.toISOString(), createdBy: `${user}@${os.hostname()}`, status: 'creating' };
}

function parse(text: string | null): RegistryEntry | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RegistryEntry>;
    if (typeof value.project !== 'string' || typeof value.env !== 'string') return undefined;
    return { createdAt: '', status: 'ready', ...value } as RegistryEntry;
  } catch {
    return undefined;
  }
}

export class Registry {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
  ) {}

  async get(field: string): Promise<RegistryEntry | undefined> {
    return parse(await this.client.hget(this.key, field));
  }

  /** Record `entry` under `field` unless the field is taken; the entry now there is returned either way. */
  async claim(field: string, entry: RegistryEntry): Promise<{ claimed: boolean; entry: RegistryEntry | undefined }> {
    const claimed = (await this.client.hsetnx(this.key, field, JSON.stringify(entry))) === 1;
    return { claimed, entry: claimed ? entry : await this.get(field) };
  }

  async put(field: string, entry: RegistryEntry): Promise<void> {
    await this.client.hset(this.key, field, JSON.stringify(entry));
  }

  async drop(field: string): Promise<void> {
    await this.client.hdel(this.key, field);
  }

  /** Every field with a readable entry. */
  async all(): Promise<Map<string, RegistryEntry>> {
    const raw = await this.client.hgetall(this.key);
    const out = new Map<string, RegistryEntry>();
    for (const [field, text] of Object.entries(raw)) {
      const entry = parse(text);
      if (entry) out.set(field, entry);
    }
    return out;
  }
}
