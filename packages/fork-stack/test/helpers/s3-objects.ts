/** Seeding and comparing buckets in S3 tests (any S3 client: s3rver, the in-memory fakes). */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';

export type SeedObject = Omit<PutObjectCommandInput, 'Bucket'> & { Key: string };

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Puts objects with bounded concurrency. */
export async function seed(client: S3Client, bucket: string, objects: Iterable<SeedObject>, concurrency = 32): Promise<void> {
  const iterator = objects[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      await client.send(new PutObjectCommand({ Bucket: bucket, ...next.value }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** key → ETag of every object under `prefix` (keys relative to it), paginated to the end. */
export async function listing(client: S3Client, bucket: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set((o.Key as string).slice(prefix.length), `${o.ETag}:${o.Size}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function bodyHash(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return createHash('sha256').update(await out.Body!.transformToByteArray()).digest('hex');
}

/** Everything a fork must keep about one object: bytes, headers, user metadata, tags. */
export async function describeObject(client: S3Client, bucket: string, key: string, withTags = true) {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const tags = withTags ? ((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? []) : [];
  return {
    hash: await bodyHash(client, bucket, key),
    size: head.ContentLength,
    contentType: head.ContentType,
    cacheControl: head.CacheControl,
    contentDisposition: head.ContentDisposition,
    metadata: head.Metadata,
    tags: tags.map((t) => `${t.Key}=${t.Value}`).sort(),
  };
}

/** The error a promise rejects with (a test failure if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { hint?: string; exitCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { hint?: string; exitCode?: number };
  }
  throw new Error('expected the operation to fail, and it succeeded');
}
