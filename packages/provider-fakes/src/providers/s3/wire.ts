/**
 * What the S3 fakes share (the s3rver harness, the in-memory S3, the Tigris fake): the request log and
 * injected faults, the S3 operation name of a path-style request, and the XML pieces of the S3 API.
 */

export interface RecordedRequest {
  op: string;
  /** DeleteObjects: how many keys the batch named. */
  keys?: number;
  method: string;
  bucket?: string;
  key?: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
}

export interface Fault {
  /** Operation name ("CopyObject") or a predicate over the request. */
  op: string | ((request: RecordedRequest) => boolean);
  status: number;
  code: string;
  message?: string;
  /** How many matching requests fail; Infinity for all. */
  times?: number;
  /** Let this many matching requests through first. */
  after?: number;
}

export interface ArmedFault extends Fault {
  seen: number;
  failed: number;
}

export const arm = (fault: Fault): ArmedFault => ({ ...fault, seen: 0, failed: 0 });

/** The injected fault this request trips, if any, counting `after` and `times`. */
export function trippedFault(faults: ArmedFault[], request: RecordedRequest): ArmedFault | undefined {
  for (const fault of faults) {
    const matches = typeof fault.op === 'string' ? fault.op === request.op : fault.op(request);
    if (!matches) continue;
    fault.seen++;
    if (fault.seen <= (fault.after ?? 0) || fault.failed >= (fault.times ?? 1)) continue;
    fault.failed++;
    return fault;
  }
  return undefined;
}

/** "/bucket/a%20b/c" → bucket "bucket", key "a b/c" (path-style addressing). */
export function pathTarget(pathname: string): { bucket: string | undefined; key: string | undefined } {
  const segments = pathname.split('/').slice(1);
  const bucket = segments[0] ? decodeURIComponent(segments[0]) : undefined;
  const key = segments.length > 1 ? segments.slice(1).map((s) => decodeURIComponent(s)).join('/') || undefined : undefined;
  return { bucket, key };
}

/** S3 operation name of a path-style request. */
export function operationOf(method: string, bucket: string | undefined, key: string | undefined, query: Record<string, string>, headers: Record<string, string | undefined>): string {
  const has = (q: string) => Object.prototype.hasOwnProperty.call(query, q);
  if (!bucket) return method === 'GET' ? 'ListBuckets' : `${method} /`;
  if (!key) {
    if (has('tagging')) return { PUT: 'PutBucketTagging', GET: 'GetBucketTagging', DELETE: 'DeleteBucketTagging' }[method] ?? `${method} ?tagging`;
    if (has('versioning')) return method === 'GET' ? 'GetBucketVersioning' : 'PutBucketVersioning';
    if (has('versions')) return 'ListObjectVersions';
    if (has('uploads')) return 'ListMultipartUploads';
    if (has('delete')) return 'DeleteObjects';
    if (method === 'GET') return query['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects';
    return { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method] ?? `${method} bucket`;
  }
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (has('tagging')) return { PUT: 'PutObjectTagging', GET: 'GetObjectTagging', DELETE: 'DeleteObjectTagging' }[method] ?? `${method} ?tagging`;
  if (method === 'PUT') return has('partNumber') ? (copy ? 'UploadPartCopy' : 'UploadPart') : copy ? 'CopyObject' : 'PutObject';
  if (method === 'POST') return has('uploads') ? 'CreateMultipartUpload' : has('uploadId') ? 'CompleteMultipartUpload' : 'PostObject';
  if (method === 'DELETE') return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  return method === 'HEAD' ? 'HeadObject' : 'GetObject';
}

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export function xmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()] as string;
  });
}

/** S3 lists keys in UTF-8 binary order. */
export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function taggingXml(tags: { Key: string; Value: string }[]): string {
  return `<Tagging><TagSet>${tags.map((t) => `<Tag><Key>${xmlEscape(t.Key)}</Key><Value>${xmlEscape(t.Value)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
}

export function parseTagging(xml: string): { Key: string; Value: string }[] {
  return [...xml.matchAll(/<Tag>\s*<Key>([\s\S]*?)<\/Key>\s*<Value>([\s\S]*?)<\/Value>\s*<\/Tag>/g)].map((m) => ({
    Key: xmlUnescape(m[1] ?? ''),
    Value: xmlUnescape(m[2] ?? ''),
  }));
}
