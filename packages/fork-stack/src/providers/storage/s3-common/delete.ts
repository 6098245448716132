/**
 * Emptying a bucket (or a prefix of one): DeleteObjects in batches of at most 1,000 keys — the API's
 * limit — several batches in flight, fed by a streaming listing. On a versioned bucket every version
 * and delete marker is removed (ListObjectVersions), otherwise DeleteBucket would refuse the bucket.
 * Multipart uploads left by an interrupted copy are aborted too: they are invisible but billed.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  ListMultipartUploadsCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isUnsupported } from './errors.js';
import { listObjectPages, listVersionPages } from './listing.js';
import pLimit from 'p-limit';

export const DELETE_BATCH = 1000;
const BATCHES_AT_ONCE = 8;

export interface DeleteOptions {
  concurrency: number;
  signal: AbortSignal;
  onProgress?: (deleted: number) => void;
}

/** An error carrying the S3 code of the first key DeleteObjects could not delete. */
function batchError(bucket: string, errors: { Key?: string; Code?: string; Message?: string }[]): Error {
  const first = errors[0] ?? {};
  const error = new Error(`could not delete ${errors.length} object(s) from ${bucket}, e.g. "${first.Key}": ${first.Code} ${first.Message ?? ''}`.trim());
  return Object.assign(error, { name: first.Code ?? 'DeleteObjectsError', Code: first.Code });
}

async function deleteBatch(client: S3Client, bucket: string, objects: ObjectIdentifier[], signal: AbortSignal): Promise<number> {
  const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }), { abortSignal: signal });
  const errors = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey' && e.Code !== 'NoSuchVersion');
  if (errors.length > 0) throw batchError(bucket, errors);
  return objects.length;
}

/** Deletes batches from a stream of identifiers; resolves with how many were deleted. */
async function deleteStream(client: S3Client, bucket: string, pages: AsyncIterable<ObjectIdentifier[]>, o: DeleteOptions): Promise<number> {
  const limit = pLimit(Math.max(1, Math.min(BATCHES_AT_ONCE, o.concurrency)));
  const inflight = new Set<Promise<void>>();
  let deleted = 0;
  let failure: unknown;
  let batch: ObjectIdentifier[] = [];
  const flush = async () => {
    const objects = batch;
    batch = [];
    const deleting: Promise<void> = limit(async () => {
      try {
        deleted += await deleteBatch(client, bucket, objects, o.signal);
        o.onProgress?.(deleted);
      } catch (error) {
        failure ??= error;
      }
    }).finally(() => inflight.delete(deleting));
    inflight.add(deleting);
    // Back-pressure: the listing is not read further while a batch waits for a slot.
    while (limit.pendingCount > 0) await Promise.race(inflight);
  };
  for await (const page of pages) {
    for (const id of page) {
      batch.push(id);
      if (batch.length === DELETE_BATCH) await flush();
    }
    if (failure !== undefined) break;
  }
  if (batch.length > 0 && failure === undefined) await flush();
  await Promise.all(inflight);
  if (failure !== undefined) throw failure;
  return deleted;
}

export async function deleteKeys(client: S3Client, bucket: string, keys: readonly string[], o: DeleteOptions): Promise<number> {
  async function* pages() {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) yield keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
  }
  return deleteStream(client, bucket, pages(), o);
}

/** True when the bucket keeps versions (Enabled, or Suspended with old versions still there). */
export async function isVersioned(client: S3Client, bucket: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal });
    return out.Status === 'Enabled' || out.Status === 'Suspended';
  } catch (error) {
    if (isUnsupported(error)) return false;
    throw error;
  }
}

async function abortUploads(client: S3Client, bucket: string, prefix: string | undefined, signal: AbortSignal): Promise<void> {
  let keyMarker: string | undefined;
  let uploadMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadMarker }), { abortSignal: signal });
    } catch (error) {
      if (isUnsupported(error)) return;
      throw error;
    }
    for (const upload of page.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }), { abortSignal: signal });
    }
    if (!page.IsTruncated || !page.NextKeyMarker) return;
    keyMarker = page.NextKeyMarker;
    uploadMarker = page.NextUploadIdMarker;
  }
}

/** Deletes every object (every version on a versioned bucket) under `prefix` ("" = the whole bucket). */
export async function emptyBucket(client: S3Client, bucket: string, prefix: string, o: DeleteOptions): Promise<number> {
  const versioned = await isVersioned(client, bucket, o.signal);
  async function* ids(): AsyncGenerator<ObjectIdentifier[]> {
    if (versioned) {
      for await (const page of listVersionPages(client, { bucket, prefix, signal: o.signal })) yield page.map((v) => ({ Key: v.key, VersionId: v.versionId }));
    } else {
      for await (const page of listObjectPages(client, { bucket, prefix, signal: o.signal })) yield page.map((obj) => ({ Key: obj.key }));
    }
  }
  const deleted = await deleteStream(client, bucket, ids(), o);
  await abortUploads(client, bucket, prefix, o.signal);
  return deleted;
}
