/**
 * The copy engine shared by every bucket-copying provider (s3, r2, and s3/r2 in prefix mode): stream
 * the source listing page by page, copy each object server-side (CopyObject, or a multipart
 * UploadPartCopy above the threshold) with bounded concurrency, and report progress.
 *
 * Resume: with `resume`, the target's listing is walked in step with the source's (both come in S3's
 * UTF-8 key order) and an object is copied only when it is missing or different. "Same" means the same
 * size and either the same ETag or a target copy at least as new as the source (a multipart copy has a
 * different ETag than its single-part source, so ETag alone would copy those again forever). Objects
 * the source no longer has are deleted from the target at the end, so a resumed fork equals the parent.
 */
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { deleteKeys } from './delete.js';
import { isMissingKey } from './errors.js';
import { copySource } from './keys.js';
import { compareKeys, listObjectPages, type ListedObject } from './listing.js';
import { multipartCopy } from './multipart-copy.js';
import pLimit from 'p-limit';

/** A contiguous key range of the source: everything, or the root minus the `forks/` area in prefix mode. */
export interface KeyRange {
  startAfter?: string;
  stopAt?: string;
}

export interface CopyRequest {
  client: S3Client;
  source: { bucket: string; prefix: string; ranges?: KeyRange[] };
  target: { bucket: string; prefix: string };
  /** Keys (relative to the prefix) never copied nor compared, such as the ownership marker. */
  skip?: (relativeKey: string) => boolean;
  concurrency: number;
  multipartThreshold: number;
  partSize: number;
  copyTags: boolean;
  pinSourceVersion: boolean;
  resume: boolean;
  signal: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
  /** How often progress is reported at most. */
  progressIntervalMs?: number;
}

export interface CopyProgress {
  /** Objects of the source seen so far (copied + already there + vanished). */
  objects: number;
  copied: number;
  skipped: number;
  bytes: number;
  /** Objects per second and bytes per second since the start. */
  objectRate: number;
  byteRate: number;
  done: boolean;
}

export interface CopyResult {
  objects: number;
  copied: number;
  /** Already present and identical in the target (resume). */
  skipped: number;
  /** Listed in the source, gone by the time it was copied (deleted from the parent meanwhile). */
  vanished: number;
  /** Removed from the target because the source no longer has them (resume). */
  deleted: number;
  multipart: number;
  bytes: number;
}

/** Walks a listing one object at a time, for the merge with the source during a resume. */
class ListingCursor {
  private page: ListedObject[] = [];
  private index = 0;
  private finished = false;
  constructor(private readonly pages: AsyncGenerator<ListedObject[]>) {}

  async peek(): Promise<ListedObject | undefined> {
    while (this.index >= this.page.length && !this.finished) {
      const next = await this.pages.next();
      if (next.done) this.finished = true;
      else {
        this.page = next.value;
        this.index = 0;
      }
    }
    return this.page[this.index];
  }

  advance(): void {
    this.index++;
  }
}

function sameObject(source: ListedObject, target: ListedObject): boolean {
  if (source.size !== target.size) return false;
  if (source.etag && source.etag === target.etag) return true;
  return !!(source.lastModified && target.lastModified && target.lastModified.getTime() >= source.lastModified.getTime());
}

async function* sourcePages(r: CopyRequest): AsyncGenerator<ListedObject[]> {
  for (const range of r.source.ranges ?? [{}]) {
    yield* listObjectPages(r.client, { bucket: r.source.bucket, prefix: r.source.prefix, startAfter: range.startAfter, stopAt: range.stopAt, signal: r.signal });
  }
}

export async function copyObjects(r: CopyRequest): Promise<CopyResult> {
  const result: CopyResult = { objects: 0, copied: 0, skipped: 0, vanished: 0, deleted: 0, multipart: 0, bytes: 0 };
  const stop = new AbortController();
  const signal = AbortSignal.any([r.signal, stop.signal]);
  const limit = pLimit(r.concurrency);
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  const started = Date.now();
  let lastReport = 0;
  const report = (done: boolean) => {
    const now = Date.now();
    if (!done && now - lastReport < (r.progressIntervalMs ?? 250)) return;
    lastReport = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    r.onProgress?.({
      objects: result.objects,
      copied: result.copied,
      skipped: result.skipped,
      bytes: result.bytes,
      objectRate: result.copied / seconds,
      byteRate: result.bytes / seconds,
      done,
    });
  };

  const copyOne = async (object: ListedObject, targetKey: string) => {
    try {
      if (object.size > r.multipartThreshold) {
        await multipartCopy({
          client: r.client,
          sourceBucket: r.source.bucket,
          sourceKey: object.key,
          size: object.size,
          etag: object.etag,
          targetBucket: r.target.bucket,
          targetKey,
          partSize: r.partSize,
          copyTags: r.copyTags,
          pinSourceVersion: r.pinSourceVersion,
          signal,
        });
        result.multipart++;
      } else {
        // Metadata and tags come along by default (MetadataDirective and TaggingDirective COPY).
        await r.client.send(
          new CopyObjectCommand({
            Bucket: r.target.bucket,
            Key: targetKey,
            CopySource: copySource(r.source.bucket, object.key),
            StorageClass: object.storageClass && object.storageClass !== 'STANDARD' ? (object.storageClass as never) : undefined,
          }),
          { abortSignal: signal },
        );
      }
      result.copied++;
      result.bytes += object.size;
      report(false);
    } catch (error) {
      if (isMissingKey(error) && !signal.aborted) {
        result.vanished++;
        return;
      }
      if (failure === undefined) {
        failure = Object.assign(error as object, { key: object.key });
        stop.abort(error);
      }
    }
  };

  const target = r.resume
    ? new ListingCursor(listObjectPages(r.client, { bucket: r.target.bucket, prefix: r.target.prefix, signal }))
    : undefined;
  const extras: string[] = [];
  let ordered = true;
  let previous: string | undefined;
  const relativeOf = (key: string, prefix: string) => key.slice(prefix.length);

  try {
    outer: for await (const page of sourcePages({ ...r, signal })) {
      for (const object of page) {
        if (failure !== undefined || signal.aborted) break outer;
        const relative = relativeOf(object.key, r.source.prefix);
        if (r.skip?.(relative)) continue;
        if (previous !== undefined && compareKeys(previous, relative) >= 0) ordered = false;
        previous = relative;
        result.objects++;
        if (target) {
          let candidate = await target.peek();
          while (candidate && compareKeys(relativeOf(candidate.key, r.target.prefix), relative) < 0) {
            if (!r.skip?.(relativeOf(candidate.key, r.target.prefix))) extras.push(candidate.key);
            target.advance();
            candidate = await target.peek();
          }
          if (candidate && relativeOf(candidate.key, r.target.prefix) === relative) {
            target.advance();
            if (sameObject(object, candidate)) {
              result.skipped++;
              report(false);
              continue;
            }
          }
        }
        const copying: Promise<void> = limit(() => copyOne(object, r.target.prefix + relative)).finally(() => inflight.delete(copying));
        inflight.add(copying);
        // Back-pressure: the listing is not read further while a copy waits for a slot.
        while (limit.pendingCount > 0) await Promise.race(inflight);
      }
    }
    if (target && failure === undefined && !signal.aborted) {
      for (let candidate = await target.peek(); candidate; candidate = await target.peek()) {
        if (!r.skip?.(relativeOf(candidate.key, r.target.prefix))) extras.push(candidate.key);
        target.advance();
      }
    }
  } catch (error) {
    if (failure === undefined) failure = error;
    stop.abort(error);
  }
  await Promise.all(inflight);
  if (failure !== undefined) throw failure;
  r.signal.throwIfAborted();
  // Deleting on an out-of-order listing could remove a key the source still has: keep the extras then.
  if (extras.length > 0 && ordered) result.deleted = await deleteKeys(r.client, r.target.bucket, extras, { concurrency: r.concurrency, signal: r.signal });
  report(true);
  return result;
}
