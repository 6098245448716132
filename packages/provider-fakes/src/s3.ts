/**
 * The S3 fakes, apart from the OpenAPI fakes of the index so that a test of a cloud API does not load
 * s3rver and the AWS SDK: `@fork-stack/provider-fakes/s3`.
 * - startS3Server: a real S3-compatible server (s3rver) with a request log, faults and the S3 features
 *   s3rver lacks;
 * - startMemoryS3: an in-memory S3 with versioned buckets and synthetic buckets of any size;
 * - startTigrisFake: Tigris's S3 API with its bucket snapshot and fork extensions.
 */
export { startS3Server, S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, type S3Server } from './providers/s3/s3rver.js';
export { startMemoryS3, type MemoryS3 } from './providers/s3/memory.js';
export { startTigrisFake, TIGRIS_ACCESS_KEY, TIGRIS_SECRET_KEY, type TigrisFake } from './providers/tigris.js';
export { operationOf, type Fault, type RecordedRequest } from './providers/s3/wire.js';
