import { z } from 'zod';
import { nameOverrides } from '../../core/config-schema.js';
import { connectionShape } from '../redis-common/connection.js';
import { DEFAULT_QUEUE_PREFIX } from '../../runtime/conventions.generated.js';
import { prefixPattern } from '../redis-common/prefix.js';

/** The readers rely on this option name and default: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data"). */
export const DEFAULT_PREFIX = DEFAULT_QUEUE_PREFIX;

export const schema = z.strictObject({
  ...connectionShape,
  prefix: prefixPattern(DEFAULT_PREFIX, true)
    .default(DEFAULT_PREFIX)
    .meta({
      description:
        'BullMQ prefix per environment (QUEUE_PREFIX); pass it as `prefix` to every Queue, Worker and QueueEvents. BullMQ adds ":<queue>:…" after it.',
    }),
  names: nameOverrides.meta({
    description: 'Explicit prefixes for particular environments, e.g. { prod = "myapp" } for an adopted production; one may not be the start of another.',
  }),
  batch_size: z
    .number()
    .int()
    .min(10)
    .max(100_000)
    .default(1000)
    .meta({ description: 'Keys per SCAN batch when deleting an environment.' }),
});

export type BullmqOptions = z.infer<typeof schema>;

export const example = `url = "redis://127.0.0.1:6379"   # no password here: export REDIS_PASSWORD, or drop url and export REDIS_URL
# prefix = "${DEFAULT_PREFIX}"   # QUEUE_PREFIX: pass it to every Queue, Worker and QueueEvents`;

export const credentials = ['REDIS_URL', 'REDIS_PASSWORD'] as const;
