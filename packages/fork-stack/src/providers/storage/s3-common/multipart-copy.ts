/**
 * Server-side copy of one object too large for CopyObject (over 5 GiB on S3, or over the configured
 * threshold): CreateMultipartUpload with the source's headers and user metadata, UploadPartCopy of
 * byte ranges in parallel, CompleteMultipartUpload, then the source's tags (UploadPartCopy copies
 * bytes only). A failure aborts the upload so no invisible parts are left to bill.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { isUnsupported } from './errors.js';
import { copySource } from './keys.js';

/** S3's ceiling on parts per upload, and its floor on part size (every part but the last). */
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * 2 ** 20;
const PARTS_AT_ONCE = 8;

export interface MultipartCopyRequest {
  client: S3Client;
  sourceBucket: string;
  sourceKey: string;
  /** Listed size and ETag of the source: every part is copied from that exact version. */
  size: number;
  etag?: string;
  targetBucket: string;
  targetKey: string;
  partSize: number;
  copyTags: boolean;
  /** Send x-amz-copy-source-if-match on each part (not every S3-compatible service implements it). */
  pinSourceVersion: boolean;
  signal: AbortSignal;
}

export function partSizeFor(size: number, configured: number): number {
  return Math.max(configured, MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
}

export async function multipartCopy(r: MultipartCopyRequest): Promise<{ parts: number }> {
  const { client, signal } = r;
  const send = { abortSignal: signal };
  const source = copySource(r.sourceBucket, r.sourceKey);
  const head = await client.send(new HeadObjectCommand({ Bucket: r.sourceBucket, Key: r.sourceKey }), send);
  let tags: Tag[] = [];
  if (r.copyTags) {
    try {
      tags = (await client.send(new GetObjectTaggingCommand({ Bucket: r.sourceBucket, Key: r.sourceKey }), send)).TagSet ?? [];
    } catch (error) {
      if (!isUnsupported(error)) throw error;
    }
  }
  const upload = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: r.targetBucket,
      Key: r.targetKey,
      ContentType: head.ContentType,
      CacheControl: head.CacheControl,
      ContentDisposition: head.ContentDisposition,
      ContentEncoding: head.ContentEncoding,
      ContentLanguage: head.ContentLanguage,
      Expires: head.Expires,
      Metadata: head.Metadata,
      StorageClass: head.StorageClass && head.StorageClass !== 'STANDARD' ? head.StorageClass : undefined,
    }),
    send,
  );
  const uploadId = upload.UploadId as string;
  try {
    const partSize = partSizeFor(r.size, r.partSize);
    const count = Math.max(1, Math.ceil(r.size / partSize));
    const etags: string[] = new Array<string>(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const start = index * partSize;
        const end = Math.min(r.size, start + partSize) - 1;
        const part = await client.send(
          new UploadPartCopyCommand({
            Bucket: r.targetBucket,
            Key: r.targetKey,
            UploadId: uploadId,
            PartNumber: index + 1,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
            CopySourceIfMatch: r.pinSourceVersion ? r.etag : undefined,
          }),
          send,
        );
        etags[index] = part.CopyPartResult?.ETag as string;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_AT_ONCE, count) }, worker));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: r.targetBucket,
        Key: r.targetKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
      send,
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: r.targetBucket, Key: r.targetKey, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
  if (tags.length > 0) {
    await client.send(new PutObjectTaggingCommand({ Bucket: r.targetBucket, Key: r.targetKey, Tagging: { TagSet: tags } }), send);
  }
  return { parts: Math.max(1, Math.ceil(r.size / partSizeFor(r.size, r.partSize))) };
}
