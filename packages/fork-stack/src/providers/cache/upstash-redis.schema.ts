import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}-{env}';
export const BASE_URL_ENV = 'FORK_STACK_UPSTASH_API_URL';
export const DEFAULT_BASE_URL = 'https://api.upstash.com/v2';

/** Regions of the Developer API's CreateDatabaseRequest (upstash-developer OpenAPI). */
const PRIMARY_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1',
  'ap-south-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'af-south-1', 'us-central1', 'us-east4', 'europe-west1', 'asia-northeast1',
] as const;
const READ_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1',
  'ap-south-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2',
] as const;
const PLANS = ['free', 'payg', 'fixed_250mb', 'fixed_1gb', 'fixed_5gb', 'fixed_10gb', 'fixed_50gb', 'fixed_100gb', 'fixed_500gb'] as const;

export const schema = z.strictObject({
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Database name per environment (letters, digits, "-" and "_", at most 64 characters).' }),
  names: nameOverrides.meta({ description: 'Database names for particular environments, e.g. { prod = "myapp-cache" } for the database you already have.' }),
  platform: z.enum(['aws', 'gcp']).default('aws').meta({ description: 'Cloud platform of new databases.' }),
  primary_region: z.enum(PRIMARY_REGIONS).default('us-east-1').meta({ description: 'Primary region of new databases.' }),
  read_regions: z.array(z.enum(READ_REGIONS)).default([]).meta({ description: 'Read regions of new databases (paid plans).' }),
  plan: z.enum(PLANS).optional().meta({ description: 'Plan of new databases; default: the account\'s (free or pay-as-you-go).' }),
  budget: z.number().int().min(0).optional().meta({ description: 'Monthly budget of each new database, in dollars.' }),
  eviction: z.boolean().optional().meta({ description: 'Evict keys when the database is full (recommended for a cache).' }),
  copy: z
    .boolean()
    .default(false)
    .meta({ description: "A new environment starts with a copy of its parent's data (backup of the parent restored into the new database)." }),
  wait_timeout_seconds: z.number().int().min(1).default(300).meta({ description: 'How long to wait for a new database (and a copy) to be ready.' }),
});

export type UpstashRedisOptions = z.infer<typeof schema>;

export const example = `# A Redis database per environment. Credentials: export UPSTASH_EMAIL=… UPSTASH_API_KEY=…
# name = "${DEFAULT_NAME}"
# primary_region = "us-east-1"
# names = { prod = "myapp-cache" }   # the production database, adopted by name
# copy = false                       # true: restore a backup of the parent into each new database`;

export const credentials = ['UPSTASH_EMAIL', 'UPSTASH_API_KEY'] as const;
