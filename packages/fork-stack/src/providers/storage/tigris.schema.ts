import { z } from 'zod';
import { DEFAULT_BUCKET_PATTERN } from '../../runtime/conventions.generated.js';
import * as o from './s3-common/options.js';

export const schema = z.strictObject({
  name: o.bucketName,
  names: o.bucketNames,
  endpoint: o.endpoint,
  force_path_style: o.forcePathStyle,
  concurrency: o.concurrency,
});

export type TigrisOptions = z.infer<typeof schema>;

export const example = `# a copy-on-write fork of the parent bucket per environment: ${DEFAULT_BUCKET_PATTERN}
# the root bucket must be snapshot-enabled (fork-stack doctor checks it)`;

export const credentials = ['TIGRIS_STORAGE_ACCESS_KEY_ID', 'TIGRIS_STORAGE_SECRET_ACCESS_KEY'] as const;
