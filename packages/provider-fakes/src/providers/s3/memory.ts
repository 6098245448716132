/**
 * A small in-memory S3 for what s3rver cannot do: versioned buckets (GetBucketVersioning,
 * ListObjectVersions with KeyMarker/VersionIdMarker pagination, DeleteObjects by VersionId, delete
 * markers) and synthetic buckets of any size whose listings are generated on the fly (the 100,000-object
 * memory benchmark). Bucket tagging, CopyObject, ListObjectsV2, HeadBucket, CreateBucket and DeleteBucket
 * follow the S3 API reference. Signatures are not checked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationOf, parseTagging, pathTarget, taggingXml, xmlEscape, xmlUnescape, type RecordedRequest } from './wire.js';

interface Version {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  size: number;
  etag: string;
}

interface MemoryBucket {
  versioned: boolean;
  tags?: { Key: string; Value: string }[];
  /** All versions, newest last per key. */
  versions: Version[];
  /** Synthetic: `count` objects named by `keyOf(i)`, never stored. */
  synthetic?: { count: number; keyOf: (i: number) => string };
  copies: number;
  /** Unversioned buckets: key → position in `versions`, so a put is O(1). */
  index: Map<string, number>;
}

export interface MemoryS3 {
  endpoint: string;
  env: Record<string, string>;
  buckets: Map<string, MemoryBucket>;
  requests: RecordedRequest[];
  /** Record every request (off for benchmarks: the log would be the memory). */
  log: boolean;
  count(op: string): number;
  createBucket(name: string, options?: { versioned?: boolean; synthetic?: { count: number; keyOf: (i: number) => string } }): MemoryBucket;
  put(bucket: string, key: string, size?: number): void;
  deleteKey(bucket: string, key: string): void;
  close(): Promise<void>;
}

let nextVersion = 1;

function current(bucket: MemoryBucket): Version[] {
  const latest = new Map<string, Version>();
  for (const v of bucket.versions) latest.set(v.key, v);
  return [...latest.values()].filter((v) => !v.deleteMarker).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
}

export async function startMemoryS3(): Promise<MemoryS3> {
  const buckets = new Map<string, MemoryBucket>();
  const s3: MemoryS3 = {
    endpoint: '',
    env: {},
    buckets,
    requests: [],
    log: true,
    count: (op) => s3.requests.filter((r) => r.op === op).length,
    createBucket(name, options = {}) {
      const bucket: MemoryBucket = { versioned: options.versioned ?? false, versions: [], synthetic: options.synthetic, copies: 0, index: new Map() };
      buckets.set(name, bucket);
      return bucket;
    },
    put(bucketName, key, size = 1) {
      const bucket = buckets.get(bucketName) as MemoryBucket;
      const version = { key, versionId: bucket.versioned ? `v${nextVersion++}` : 'null', deleteMarker: false, size, etag: `"${key.length}-${size}"` };
      const at = bucket.versioned ? undefined : bucket.index.get(key);
      if (at !== undefined && bucket.versions[at]?.key === key) bucket.versions[at] = version;
      else {
        if (!bucket.versioned) bucket.index.set(key, bucket.versions.length);
        bucket.versions.push(version);
      }
    },
    deleteKey(bucketName, key) {
      const bucket = buckets.get(bucketName) as MemoryBucket;
      if (bucket.versioned) bucket.versions.push({ key, versionId: `v${nextVersion++}`, deleteMarker: true, size: 0, etag: '' });
      else reindex(bucket, bucket.versions.filter((v) => v.key !== key));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const { bucket: name, key } = pathTarget(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const headers = req.headers as Record<string, string | undefined>;
    const op = operationOf(req.method ?? 'GET', name, key, query, headers);
    if (s3.log) s3.requests.push({ op, method: req.method ?? 'GET', bucket: name, key, query, headers: {} });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const send = (status: number, xml = '') => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(req.method === 'HEAD' || !xml ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const fail = (status: number, code: string, message: string) => send(status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
    const bucket = name ? buckets.get(name) : undefined;
    if (name && !bucket && op !== 'CreateBucket') return op === 'HeadBucket' ? send(404) : fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const b = bucket as MemoryBucket;
    switch (op) {
      case 'CreateBucket':
        if (bucket) return fail(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.');
        s3.createBucket(name as string);
        return send(200);
      case 'HeadBucket':
        return send(200);
      case 'GetBucketVersioning':
        return send(200, `<VersioningConfiguration>${b.versioned ? '<Status>Enabled</Status>' : ''}</VersioningConfiguration>`);
      case 'GetBucketTagging':
        return b.tags ? send(200, taggingXml(b.tags)) : fail(404, 'NoSuchTagSet', 'The TagSet does not exist');
      case 'PutBucketTagging':
        b.tags = parseTagging(body);
        return send(204);
      case 'ListMultipartUploads':
        return send(200, '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>');
      case 'ListObjectsV2': {
        const max = Math.min(1000, Number(query['max-keys'] ?? 1000));
        const after = query['continuation-token'] ?? query['start-after'] ?? '';
        let page: { key: string; size: number; etag: string }[];
        let more: boolean;
        if (b.synthetic) {
          // Synthetic keys are generated in order: the token is the next index.
          const start = query['continuation-token'] ? Number(query['continuation-token']) : 0;
          page = Array.from({ length: Math.max(0, Math.min(max, b.synthetic.count - start)) }, (_, i) => ({ key: b.synthetic!.keyOf(start + i), size: 1024, etag: '"synthetic"' }));
          more = start + max < b.synthetic.count;
          const token = more ? String(start + max) : undefined;
          return send(200, listXml(name as string, page, more, token));
        }
        const all = current(b).filter((v) => v.key.startsWith(query.prefix ?? '') && (!after || Buffer.compare(Buffer.from(v.key), Buffer.from(after)) > 0));
        page = all.slice(0, max);
        more = all.length > max;
        return send(200, listXml(name as string, page, more, more ? page[page.length - 1]?.key : undefined));
      }
      case 'ListObjectVersions': {
        const max = Math.min(1000, Number(query['max-keys'] ?? 1000));
        const sorted = [...b.versions].sort((x, y) => Buffer.compare(Buffer.from(x.key), Buffer.from(y.key)) || (x.versionId < y.versionId ? 1 : -1));
        let start = 0;
        if (query['key-marker']) {
          const at = sorted.findIndex((v) => v.key === query['key-marker'] && v.versionId === query['version-id-marker']);
          start = at + 1;
        }
        const page = sorted.slice(start, start + max);
        const more = start + max < sorted.length;
        const last = page[page.length - 1];
        return send(
          200,
          `<ListVersionsResult><Name>${xmlEscape(name as string)}</Name><IsTruncated>${more}</IsTruncated>${more && last ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : ''}${page
            .map((v) =>
              v.deleteMarker
                ? `<DeleteMarker><Key>${xmlEscape(v.key)}</Key><VersionId>${v.versionId}</VersionId></DeleteMarker>`
                : `<Version><Key>${xmlEscape(v.key)}</Key><VersionId>${v.versionId}</VersionId><Size>${v.size}</Size><ETag>${xmlEscape(v.etag)}</ETag></Version>`,
            )
            .join('')}</ListVersionsResult>`,
        );
      }
      case 'DeleteObjects': {
        const objects = [...body.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) => ({
          key: xmlUnescape(/<Key>([\s\S]*?)<\/Key>/.exec(m[1] ?? '')?.[1] ?? ''),
          versionId: /<VersionId>([\s\S]*?)<\/VersionId>/.exec(m[1] ?? '')?.[1],
        }));
        if (objects.length > 1000) return fail(400, 'MalformedXML', 'more than 1000 objects');
        if (s3.log) (s3.requests[s3.requests.length - 1] as RecordedRequest).keys = objects.length;
        for (const o of objects) {
          if (o.versionId) b.versions = b.versions.filter((v) => !(v.key === o.key && v.versionId === o.versionId));
          else if (b.versioned) s3.deleteKey(name as string, o.key);
          else b.versions = b.versions.filter((v) => v.key !== o.key);
        }
        if (!b.versioned) reindex(b, b.versions);
        return send(200, '<DeleteResult></DeleteResult>');
      }
      case 'CopyObject': {
        b.copies++;
        if (!b.synthetic) s3.put(name as string, key as string);
        return send(200, `<CopyObjectResult><ETag>"copied"</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyObjectResult>`);
      }
      case 'DeleteBucket':
        if (b.versions.length > 0) return fail(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.');
        buckets.delete(name as string);
        return send(204);
      default:
        return fail(501, 'NotImplemented', `${op} is not implemented by this fake`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s3.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s3.env = { AWS_ACCESS_KEY_ID: 'memory', AWS_SECRET_ACCESS_KEY: 'memory-secret', AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
  return s3;
}

function reindex(bucket: MemoryBucket, versions: Version[]): void {
  bucket.versions = versions;
  bucket.index = new Map(versions.map((v, i) => [v.key, i]));
}

function listXml(bucket: string, page: { key: string; size: number; etag: string }[], more: boolean, token: string | undefined): string {
  return `<ListBucketResult><Name>${xmlEscape(bucket)}</Name><KeyCount>${page.length}</KeyCount><IsTruncated>${more}</IsTruncated>${token ? `<NextContinuationToken>${xmlEscape(token)}</NextContinuationToken>` : ''}${page
    .map((o) => `<Contents><Key>${xmlEscape(o.key)}</Key><Size>${o.size}</Size><ETag>${xmlEscape(o.etag)}</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified><StorageClass>STANDARD</StorageClass></Contents>`)
    .join('')}</ListBucketResult>`;
}
