import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}-{env}';
export const BASE_URL_ENV = 'FORK_STACK_REDIS_CLOUD_API_URL';
export const DEFAULT_BASE_URL = 'https://api.redislabs.com/v1';

const PERSISTENCE = ['none', 'aof-every-1-second', 'aof-every-write', 'snapshot-every-1-hour', 'snapshot-every-6-hours', 'snapshot-every-12-hours'] as const;
const EVICTION = ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'noeviction'] as const;

export const schema = z.strictObject({
  subscription_id: z
    .number()
    .int()
    .positive()
    .meta({ description: 'The Redis Cloud Pro subscription that holds the databases (console: Subscriptions → the number after #).', examples: [123456] }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Database name per environment: letters, digits and "-", starting with a letter, at most 40 characters.' }),
  names: nameOverrides.meta({ description: 'Database names for particular environments, e.g. { prod = "myapp-cache" } for the database you already have.' }),
  dataset_size_gb: z.number().min(0.1).default(1).meta({ description: 'Dataset size of each new database, in GB.' }),
  data_persistence: z.enum(PERSISTENCE).default('none').meta({ description: 'Persistence of new databases (a throw-away environment rarely needs any).' }),
  replication: z.boolean().default(false).meta({ description: 'Replicate new databases (doubles their memory cost).' }),
  eviction_policy: z.enum(EVICTION).optional().meta({ description: "Eviction policy of new databases; default: Redis Cloud's (volatile-lru)." }),
  tls: z.boolean().optional().meta({ description: 'Require TLS on new databases (CACHE_URL then starts with rediss://).' }),
  wait_timeout_seconds: z.number().int().min(1).default(900).meta({ description: 'How long to wait for a create or delete task and for a new database to become active.' }),
});

export type RedisCloudOptions = z.infer<typeof schema>;

export const example = `# A database per environment in an existing Pro subscription.
# Credentials: export REDIS_CLOUD_API_KEY=… REDIS_CLOUD_API_SECRET_KEY=…
subscription_id = 123456
# name = "${DEFAULT_NAME}"
# names = { prod = "myapp-cache" }   # the production database, adopted by name
# dataset_size_gb = 1`;

export const credentials = ['REDIS_CLOUD_API_KEY', 'REDIS_CLOUD_API_SECRET_KEY'] as const;
