import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}-{env}-{queue}';
/** What QStash accepts in a queue name (its 400 answer says so). */
export const QUEUE_NAME = /^[A-Za-z0-9._-]+$/;

const queueKey = z.string().regex(QUEUE_NAME, 'may contain only letters, digits, ".", "_" and "-"');

const queueSpec = z.union([
  queueKey,
  z.strictObject({
    name: queueKey,
    parallelism: z.number().int().min(1).optional().meta({ description: 'Consumers of this queue at once (default: parallelism).' }),
  }),
]);

export const schema = z.strictObject({
  queues: z
    .array(queueSpec)
    .min(1, 'list at least one queue, e.g. queues = ["emails"]')
    .meta({ description: 'The queues each environment gets, e.g. ["emails", { name = "reports", parallelism = 2 }].', examples: [['emails']] }),
  parallelism: z.number().int().min(1).default(1).meta({ description: 'Default parallelism of each queue (1 keeps FIFO order).' }),
  name: namePattern(DEFAULT_NAME, ['queue'])
    .default(DEFAULT_NAME)
    .meta({ description: 'QStash queue name per environment and queue ({project}, {env}, {queue}).' }),
  names: nameOverrides.meta({ description: 'Per-environment name patterns, e.g. { prod = "{queue}" } for the production queues you already have.' }),
  url: z
    .url()
    .optional()
    .meta({ description: 'QStash API URL (e.g. https://qstash-us-east-1.upstash.io). Default: $QSTASH_URL, else https://qstash.upstash.io.' }),
  pass_credentials: z
    .boolean()
    .default(false)
    .meta({
      description:
        'Write QSTASH_TOKEN (and QSTASH_URL, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY when set) from your shell into every environment. Leave false when your secrets provider holds them.',
    }),
});

export type QstashOptions = z.infer<typeof schema>;

export const example = `queues = ["emails"]            # each environment gets {project}-{env}-emails
# parallelism = 1
# pass_credentials = false     # true: copy QSTASH_TOKEN from your shell into each environment`;

export const credentials = ['QSTASH_TOKEN'] as const;
