import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';
import { DEFAULT_BUCKET_PATTERN, DEFAULT_FS_DIR, NAMED_BUCKET_PATTERN } from '../../runtime/conventions.generated.js';

// The readers rely on these defaults: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data").

export const schema = z.strictObject({
  name: namePattern(DEFAULT_BUCKET_PATTERN, ['bucket'])
    .optional()
    .meta({ description: `Bucket (directory) name per environment. Default: ${DEFAULT_BUCKET_PATTERN} for the default bucket, ${NAMED_BUCKET_PATTERN} for the others.` }),
  names: nameOverrides,
  dir: z.string().min(1).default(DEFAULT_FS_DIR).meta({ description: 'Directory holding the bucket directories, relative to the project root.' }),
  concurrency: z.number().int().min(1).max(1024).default(32).meta({ description: 'Files copied at once during a fork.' }),
});

export type FsOptions = z.infer<typeof schema>;

export const example = `# dir = "${DEFAULT_FS_DIR}"   # a directory per environment: <dir>/${DEFAULT_BUCKET_PATTERN}`;
