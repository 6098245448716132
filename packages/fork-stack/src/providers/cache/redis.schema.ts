import { z } from 'zod';
import { nameOverrides } from '../../core/config-schema.js';
import { connectionShape } from '../redis-common/connection.js';
import { DEFAULT_CACHE_PREFIX } from '../../runtime/conventions.generated.js';
import { prefixPattern } from '../redis-common/prefix.js';

/** The readers rely on this option name and default: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data"). */
export const DEFAULT_PREFIX = DEFAULT_CACHE_PREFIX;

export const schema = z.strictObject({
  ...connectionShape,
  isolation: z
    .enum(['prefix', 'db'])
    .default('prefix')
    .meta({
      description:
        '"prefix": every environment\'s keys start with its own prefix (CACHE_KEY_PREFIX) on one database. "db": every environment gets its own logical database (SELECT n) and CACHE_URL ends in /n.',
    }),
  prefix: prefixPattern(DEFAULT_PREFIX, false)
    .default(DEFAULT_PREFIX)
    .meta({ description: 'Key prefix per environment (isolation = "prefix"). {env} must be followed by a separator such as ":".' }),
  names: nameOverrides.meta({
    description:
      'Per-environment overrides: a key prefix (isolation = "prefix"), or a database number (isolation = "db", e.g. { dev = "0", prod = "1" }).',
  }),
  copy: z
    .boolean()
    .default(false)
    .meta({ description: "A new environment starts with a copy of its parent's keys and their TTLs (false: it starts empty)." }),
  databases: z
    .number()
    .int()
    .min(2)
    .max(100_000)
    .optional()
    .meta({ description: 'Number of logical databases on the server (isolation = "db"). Default: CONFIG GET databases, else 16.' }),
  batch_size: z
    .number()
    .int()
    .min(10)
    .max(100_000)
    .default(1000)
    .meta({ description: 'Keys per SCAN batch when copying or deleting an environment.' }),
});

export type RedisOptions = z.infer<typeof schema>;

export const example = `url = "redis://127.0.0.1:6379"   # no password here: export REDIS_PASSWORD, or drop url and export REDIS_URL
# isolation = "prefix"            # or "db": a logical database per environment
# prefix = "${DEFAULT_PREFIX}"    # CACHE_KEY_PREFIX of each environment
# copy = false                    # true: a new environment starts with its parent's keys (and TTLs)`;

export const credentials = ['REDIS_URL', 'REDIS_PASSWORD'] as const;
