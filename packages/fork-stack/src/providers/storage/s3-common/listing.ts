/**
 * Streaming listings. Each generator holds one page and prefetches the next while the caller works on
 * the current one, so memory stays flat whatever the bucket's size (a million objects is a thousand
 * pages, never a million-entry array) and listing latency hides behind the copies.
 */
import {
  ListBucketsCommand,
  type ListObjectsV2CommandOutput,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isUnsupported } from './errors.js';

export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
  storageClass?: string;
}

export interface ListOptions {
  bucket: string;
  prefix?: string;
  /** List keys after this one (exclusive). */
  startAfter?: string;
  /** Stop before the first key that sorts at or after this one (UTF-8 binary order, as S3 lists). */
  stopAt?: string;
  signal?: AbortSignal;
  pageSize?: number;
}

/** S3 returns keys in UTF-8 binary order; JavaScript's < compares UTF-16 code units, which differs above U+FFFF. */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export async function* listObjectPages(client: S3Client, o: ListOptions): AsyncGenerator<ListedObject[]> {
  const fetchPage = (token?: string): Promise<ListObjectsV2CommandOutput> =>
    client.send(
      new ListObjectsV2Command({
        Bucket: o.bucket,
        Prefix: o.prefix || undefined,
        StartAfter: token ? undefined : o.startAfter,
        ContinuationToken: token,
        MaxKeys: o.pageSize ?? 1000,
      }),
      { abortSignal: o.signal },
    );
  let pending: Promise<ListObjectsV2CommandOutput> | undefined = fetchPage();
  while (pending) {
    const page: ListObjectsV2CommandOutput = await pending;
    const token: string | undefined = page.IsTruncated ? page.NextContinuationToken : undefined;
    pending = token ? fetchPage(token) : undefined;
    // Keep the prefetch from surfacing as an unhandled rejection if the consumer stops early.
    pending?.catch(() => undefined);
    const objects: ListedObject[] = [];
    let stopped = false;
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      if (o.stopAt !== undefined && compareKeys(item.Key, o.stopAt) >= 0) {
        stopped = true;
        break;
      }
      objects.push({ key: item.Key, size: item.Size ?? 0, etag: item.ETag, lastModified: item.LastModified, storageClass: item.StorageClass });
    }
    if (objects.length > 0) yield objects;
    if (stopped) return;
  }
}

export interface ListedVersion {
  key: string;
  versionId?: string;
}

/** Every version and delete marker under `prefix` (versioned buckets). */
export async function* listVersionPages(client: S3Client, o: ListOptions): AsyncGenerator<ListedVersion[]> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({ Bucket: o.bucket, Prefix: o.prefix || undefined, KeyMarker: keyMarker, VersionIdMarker: versionMarker, MaxKeys: o.pageSize ?? 1000 }),
      { abortSignal: o.signal },
    );
    const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ key: v.Key as string, versionId: v.VersionId }));
    if (entries.length > 0) yield entries;
    if (!page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
    if (keyMarker === undefined) return;
  }
}

export interface ListedBucket {
  name: string;
  createdAt?: Date;
}

/** Every bucket the credentials can see, following ListBuckets' continuation tokens to the end. */
export async function* listBuckets(
  client: S3Client,
  o: { prefix?: string; pageSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<ListedBucket> {
  let token: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListBucketsCommand({ Prefix: o.prefix || undefined, MaxBuckets: o.pageSize, ContinuationToken: token }),
      { abortSignal: o.signal },
    );
    const buckets = page.Buckets ?? [];
    for (const b of buckets) if (b.Name) yield { name: b.Name, createdAt: b.CreationDate };
    // Some services echo a token on the last page too: an empty page or a repeated token ends the listing.
    if (!page.ContinuationToken || buckets.length === 0 || page.ContinuationToken === token) return;
    token = page.ContinuationToken;
  }
}

/**
 * Whether anything at all is stored under `prefix`: a current object (other than `skipKey`), or any
 * version or delete marker. A versioned bucket whose only current version is a delete marker lists
 * empty with ListObjectsV2 and still holds every old version, so both listings are asked; a server
 * without versioning (NotImplemented) has nothing ListObjectsV2 would not show.
 */
export async function holdsAnything(client: S3Client, bucket: string, prefix: string, o: { skipKey?: string; signal?: AbortSignal } = {}): Promise<boolean> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, MaxKeys: 2 }), { abortSignal: o.signal });
  if ((listed.Contents ?? []).some((c) => c.Key !== o.skipKey)) return true;
  let versions;
  try {
    versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined, MaxKeys: 2 }), { abortSignal: o.signal });
  } catch (error) {
    if (isUnsupported(error)) return false;
    throw error;
  }
  return [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].some((v) => v.Key !== o.skipKey);
}
