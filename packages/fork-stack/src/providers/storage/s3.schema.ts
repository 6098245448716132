import { z } from 'zod';
import { DEFAULT_BUCKET_PATTERN, DEFAULT_KEY_PREFIX } from '../../runtime/conventions.generated.js';
import * as o from './s3-common/options.js';

export const schema = z
  .strictObject({
    name: o.bucketName,
    names: o.bucketNames,
    mode: o.mode,
    bucket: o.sharedBucket,
    key_prefix: o.keyPrefix,
    region: z.string().min(1).optional().meta({ description: 'AWS region of new buckets. Default: AWS_REGION, else us-east-1.' }),
    endpoint: o.endpoint,
    force_path_style: o.forcePathStyle,
    concurrency: o.concurrency,
    multipart_threshold: o.multipartThreshold,
    part_size: o.partSize,
    owner_marker: z
      .enum(['tags', 'object'])
      .default('tags')
      .meta({ description: 'How fork-stack marks its buckets: bucket tags (AWS, MinIO, Ceph), or a .fork-stack/owner.json object for servers without bucket tagging.' }),
  })
  .superRefine(o.requireSharedBucket);

export type S3Options = z.infer<typeof schema>;

export const example = `# a bucket per environment, copied server-side from the parent: ${DEFAULT_BUCKET_PATTERN}
# region = "eu-west-1"
# endpoint = "http://localhost:9000"   # MinIO, Ceph, … (or AWS_ENDPOINT_URL_S3)
# mode = "prefix"                      # one shared bucket, environments under ${DEFAULT_KEY_PREFIX}
# bucket = "myapp-shared"`;

export const credentials = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
