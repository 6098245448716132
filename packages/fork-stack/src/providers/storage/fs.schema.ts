import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const schema = z.strictObject({
  name: namePattern('{project}-bucket-{env}', ['bucket'])
    .optional()
    .meta({ description: 'Bucket (directory) name per environment. Default: {project}-bucket-{env} for the default bucket, {project}-{bucket}-{env} for the others.' }),
  names: nameOverrides,
  dir: z.string().min(1).default('.fork-stack/buckets').meta({ description: 'Directory holding the bucket directories, relative to the project root.' }),
  concurrency: z.number().int().min(1).max(1024).default(32).meta({ description: 'Files copied at once during a fork.' }),
});

export type FsOptions = z.infer<typeof schema>;

export const example = `# dir = ".fork-stack/buckets"   # a directory per environment: <dir>/{project}-bucket-{env}`;
