import { z } from 'zod';
import * as o from './s3-common/options.js';

export const schema = z
  .strictObject({
    account_id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'is the 32-character Cloudflare account ID (dashboard → R2 → Account details)')
      .optional()
      .meta({ description: 'Cloudflare account ID; the S3 endpoint is https://<account_id>.r2.cloudflarestorage.com. Required unless endpoint (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) is set.' }),
    jurisdiction: z
      .enum(['eu', 'fedramp'])
      .optional()
      .meta({ description: 'Buckets in a jurisdiction use https://<account_id>.<jurisdiction>.r2.cloudflarestorage.com.' }),
    name: o.bucketName,
    names: o.bucketNames,
    mode: o.mode,
    bucket: o.sharedBucket,
    key_prefix: o.keyPrefix,
    endpoint: o.endpoint,
    force_path_style: o.forcePathStyle,
    concurrency: o.concurrency,
    multipart_threshold: o.multipartThreshold,
    part_size: o.partSize,
  })
  .superRefine(o.requireSharedBucket);

export type R2Options = z.infer<typeof schema>;

export const example = `account_id = "0123456789abcdef0123456789abcdef"   # a bucket per environment, copied server-side
# mode = "prefix"          # one shared bucket (for tokens scoped to one bucket)
# bucket = "myapp-shared"`;

export const credentials = ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'] as const;
