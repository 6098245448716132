/**
 * AWS S3, or any S3-compatible endpoint (MinIO, Ceph, …): a bucket per environment (or a prefix of a
 * shared bucket), forked by a parallel server-side copy. Credentials: AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the SDK's default chain (AWS_PROFILE, SSO, roles).
 */
import type { Provider } from '../types.js';
import { AWS_CREDENTIAL_VARIABLES, endpointFromEnv } from './s3-common/client.js';
import { copyingProvider } from './s3-common/copying-provider.js';
import { objectOwnership, tagOwnership } from './s3-common/ownership.js';
import type { Flavor } from './s3-common/session.js';
import type { S3Options } from './s3.schema.js';

const flavor: Flavor<S3Options> = {
  provider: 's3',
  rules: 's3',
  region: (ctx) => ctx.options.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  endpoint: (ctx) => ctx.options.endpoint ?? endpointFromEnv(ctx.env),
  credentialSets: [AWS_CREDENTIAL_VARIABLES],
  credentialHint: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)',
  ownership: (ctx) => (ctx.options.owner_marker === 'object' ? objectOwnership() : tagOwnership(ctx.slot)),
  copyTags: true,
  pinSourceVersion: true,
  locationConstraint: true,
  bucketPageSize: 1000,
  permissions: 's3:CreateBucket, s3:PutBucketTagging, s3:GetBucketTagging, s3:ListBucket, s3:GetObject, s3:GetObjectTagging, s3:PutObject, s3:PutObjectTagging, s3:DeleteObject, s3:DeleteBucket',
};

export const provider = copyingProvider(flavor) satisfies Provider<S3Options>;
