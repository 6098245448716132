/**
 * An in-process fake of Tigris's S3 API with its bucket snapshot and fork extensions, as Tigris
 * documents them ("Bucket snapshots and forks", tigrisdata/storage and tigris-boto3-ext):
 * - CreateBucket + `X-Tigris-Enable-Snapshot: true` makes a snapshot-enabled bucket;
 * - CreateBucket + `X-Tigris-Snapshot: true; name=<n>` on an existing bucket takes a snapshot;
 * - CreateBucket + `X-Tigris-Fork-Source-Bucket: <parent>` (+ `X-Tigris-Fork-Source-Bucket-Snapshot:
 *   <version>`) forks copy-on-write in one request; the parent must be snapshot-enabled ("Source bucket
 *   must be of snapshot type"); without a snapshot header a new snapshot of the parent is taken;
 * - ListBuckets + `X-Tigris-Snapshot: <bucket>` lists the bucket's snapshots, Name "<version>[; name=<n>]"
 *   (the version is the snapshot time in nanoseconds), with a ContinuationToken;
 * - HeadBucket answers X-Tigris-Enable-Snapshot, X-Tigris-Fork-Source-Bucket(-Snapshot), X-Tigris-Is-Fork-Parent;
 * - a bucket with forks cannot be deleted (the docs give no error code: this fake answers 409
 *   BucketNotEmpty, see its message); DeleteBucket + `Tigris-Force-Delete: true` deletes a non-empty bucket;
 * - bucket tagging, ListObjectsV2, Put/Get/HeadObject; bucket names per Tigris's naming rules;
 * - requests without a known access key get 403 InvalidAccessKeyId (signatures are not verified).
 * Every request is logged with its headers so tests can check what the provider sent.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { arm, operationOf, parseTagging, pathTarget, taggingXml, trippedFault, xmlEscape, type ArmedFault, type Fault, type RecordedRequest } from './s3/wire.js';

interface FakeObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

interface Snapshot {
  version: string;
  name?: string;
  createdAt: Date;
  objects: Map<string, FakeObject>;
}

interface FakeBucket {
  name: string;
  createdAt: Date;
  snapshotEnabled: boolean;
  forkOf?: { bucket: string; snapshot: string };
  tags?: { Key: string; Value: string }[];
  objects: Map<string, FakeObject>;
  snapshots: Snapshot[];
}

export interface TigrisFake {
  endpoint: string;
  env: Record<string, string>;
  buckets: Map<string, FakeBucket>;
  requests: RecordedRequest[];
  count(op: string): number;
  resetLog(): void;
  inject(fault: Fault): void;
  /** Seeds a bucket directly (not through the API). */
  createBucket(name: string, options?: { snapshots?: boolean; objects?: Record<string, string> }): FakeBucket;
  /** Takes a snapshot at a given time (the API always uses "now"). */
  takeSnapshot(bucket: string, at: Date, name?: string): Snapshot;
  close(): Promise<void>;
}

export const TIGRIS_ACCESS_KEY = 'tid_fake_access_key';
export const TIGRIS_SECRET_KEY = 'tsec_fake_secret_key';

let clock = 0n;
/** Snapshot versions are nanosecond timestamps; strictly increasing even within one millisecond. */
function versionAt(date: Date): string {
  const ns = BigInt(date.getTime()) * 1_000_000n;
  clock = ns > clock ? ns : clock + 1n;
  return clock.toString();
}

function errorXml(code: string, message: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}</Error>`;
}

export async function startTigrisFake(): Promise<TigrisFake> {
  const buckets = new Map<string, FakeBucket>();
  const faults: ArmedFault[] = [];
  const takeSnapshot = (bucketName: string, at: Date, name?: string): Snapshot => {
    const bucket = buckets.get(bucketName) as FakeBucket;
    const snapshot = { version: versionAt(at), name, createdAt: at, objects: new Map(bucket.objects) };
    bucket.snapshots.push(snapshot);
    return snapshot;
  };
  const fake: TigrisFake = {
    endpoint: '',
    env: {},
    buckets,
    requests: [],
    count: (op) => fake.requests.filter((r) => r.op === op).length,
    resetLog: () => {
      fake.requests.length = 0;
    },
    inject: (fault) => faults.push(arm(fault)),
    createBucket(name, options = {}) {
      const bucket: FakeBucket = { name, createdAt: new Date(), snapshotEnabled: options.snapshots ?? false, objects: new Map(), snapshots: [] };
      for (const [key, body] of Object.entries(options.objects ?? {})) bucket.objects.set(key, makeObject(Buffer.from(body), 'text/plain'));
      buckets.set(name, bucket);
      return bucket;
    },
    takeSnapshot,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const { bucket: bucketName, key } = pathTarget(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const headers = req.headers as Record<string, string | undefined>;
    const op = operationOf(req.method ?? 'GET', bucketName, key, query, headers);
    const request: RecordedRequest = { op, method: req.method ?? 'GET', bucket: bucketName, key, query, headers: { ...headers } };
    fake.requests.push(request);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, text = '', extraHeaders: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': String(fake.requests.length), ...extraHeaders });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const fail = (status: number, code: string, message: string) => send(status, errorXml(code, message));

    const fault = trippedFault(faults, request);
    if (fault) {
      return fail(fault.status, fault.code, fault.message ?? 'injected by the test');
    }
    const credential = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1];
    if (credential !== TIGRIS_ACCESS_KEY) return fail(403, 'InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.');

    const bucket = bucketName ? buckets.get(bucketName) : undefined;
    const noSuchBucket = () => fail(404, 'NoSuchBucket', 'The specified bucket does not exist');

    switch (op) {
      case 'ListBuckets': {
        const snapshotOf = headers['x-tigris-snapshot'];
        const max = Number(query['max-buckets'] ?? 1000);
        if (snapshotOf) {
          const source = buckets.get(snapshotOf);
          if (!source) return noSuchBucket();
          // Newest first, as Tigris's example answer shows; the token is the last version returned.
          const all = [...source.snapshots].sort((a, b) => (BigInt(b.version) > BigInt(a.version) ? 1 : -1));
          const start = query['continuation-token'] ? all.findIndex((s) => s.version === query['continuation-token']) + 1 : 0;
          const page = all.slice(start, start + max);
          const more = start + max < all.length;
          return send(
            200,
            `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult><Buckets>${page
              .map((s) => `<Bucket><Name>${xmlEscape(s.name ? `${s.version}; name=${s.name}` : s.version)}</Name><CreationDate>${s.createdAt.toISOString()}</CreationDate></Bucket>`)
              .join('')}</Buckets>${more ? `<ContinuationToken>${page[page.length - 1]?.version}</ContinuationToken>` : ''}</ListAllMyBucketsResult>`,
          );
        }
        const names = [...buckets.keys()].filter((n) => n.startsWith(query.prefix ?? '')).sort();
        const start = query['continuation-token'] ? names.indexOf(query['continuation-token']) + 1 : 0;
        const page = names.slice(start, start + max);
        const more = start + max < names.length;
        return send(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult><Owner><ID>fake</ID></Owner><Buckets>${page
            .map((n) => `<Bucket><Name>${xmlEscape(n)}</Name><CreationDate>${buckets.get(n)?.createdAt.toISOString()}</CreationDate></Bucket>`)
            .join('')}</Buckets>${more ? `<ContinuationToken>${page[page.length - 1]}</ContinuationToken>` : ''}</ListAllMyBucketsResult>`,
        );
      }
      case 'CreateBucket': {
        const name = bucketName as string;
        const snapshotHeader = headers['x-tigris-snapshot'];
        if (snapshotHeader?.startsWith('true')) {
          if (!bucket) return noSuchBucket();
          if (!bucket.snapshotEnabled) return fail(400, 'InvalidRequest', 'Bucket must be of snapshot type');
          const label = /name=(.*)$/.exec(snapshotHeader)?.[1];
          const snapshot = takeSnapshot(name, new Date(), label);
          return send(200, '', { 'x-tigris-snapshot-version': snapshot.version });
        }
        if (!validBucketName(name)) return fail(400, 'InvalidBucketName', 'The specified bucket is not valid.');
        if (bucket) return fail(409, 'BucketAlreadyExists', 'The requested bucket name is not available.');
        const source = headers['x-tigris-fork-source-bucket'];
        if (source) {
          const parent = buckets.get(source);
          if (!parent) return fail(404, 'NoSuchBucket', `Source bucket ${source} does not exist`);
          if (!parent.snapshotEnabled) return fail(400, 'InvalidRequest', 'Source bucket must be of snapshot type');
          const wanted = headers['x-tigris-fork-source-bucket-snapshot'];
          const snapshot = wanted ? parent.snapshots.find((s) => s.version === wanted) : takeSnapshot(source, new Date());
          if (!snapshot) return fail(404, 'NoSuchSnapshot', `Snapshot ${wanted} of bucket ${source} does not exist`);
          buckets.set(name, { name, createdAt: new Date(), snapshotEnabled: true, forkOf: { bucket: source, snapshot: snapshot.version }, objects: new Map(snapshot.objects), snapshots: [] });
          return send(200, '', { location: `/${name}` });
        }
        buckets.set(name, { name, createdAt: new Date(), snapshotEnabled: headers['x-tigris-enable-snapshot'] === 'true', objects: new Map(), snapshots: [] });
        return send(200, '', { location: `/${name}` });
      }
      case 'HeadBucket': {
        if (!bucket) return send(404);
        const isParent = [...buckets.values()].some((b) => b.forkOf?.bucket === bucket.name);
        return send(200, '', {
          'x-tigris-enable-snapshot': String(bucket.snapshotEnabled),
          ...(bucket.forkOf ? { 'x-tigris-fork-source-bucket': bucket.forkOf.bucket, 'x-tigris-fork-source-bucket-snapshot': bucket.forkOf.snapshot } : {}),
          ...(isParent ? { 'x-tigris-is-fork-parent': 'true' } : {}),
        });
      }
      case 'DeleteBucket': {
        if (!bucket) return noSuchBucket();
        const forks = [...buckets.values()].filter((b) => b.forkOf?.bucket === bucket.name).map((b) => b.name);
        if (forks.length > 0) return fail(409, 'BucketNotEmpty', `The bucket has forks (${forks.join(', ')}): delete the forks first`);
        if (bucket.objects.size > 0 && headers['tigris-force-delete'] !== 'true') return fail(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
        buckets.delete(bucket.name);
        return send(204);
      }
      case 'GetBucketTagging':
        if (!bucket) return noSuchBucket();
        if (!bucket.tags) return fail(404, 'NoSuchTagSet', 'The TagSet does not exist');
        return send(200, `<?xml version="1.0" encoding="UTF-8"?>\n${taggingXml(bucket.tags)}`);
      case 'PutBucketTagging':
        if (!bucket) return noSuchBucket();
        bucket.tags = parseTagging(body.toString());
        return send(204);
      case 'ListObjectsV2': {
        if (!bucket) return noSuchBucket();
        const prefix = query.prefix ?? '';
        const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        const after = query['continuation-token'] ?? query['start-after'] ?? '';
        const from = after ? keys.findIndex((k) => Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0) : 0;
        const max = Math.min(1000, Number(query['max-keys'] ?? 1000));
        const page = from < 0 ? [] : keys.slice(from, from + max);
        const more = from >= 0 && from + max < keys.length;
        return send(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${xmlEscape(bucket.name)}</Name><KeyCount>${page.length}</KeyCount><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${xmlEscape(page[page.length - 1] as string)}</NextContinuationToken>` : ''}${page
            .map((k) => {
              const o = bucket.objects.get(k) as FakeObject;
              return `<Contents><Key>${xmlEscape(k)}</Key><Size>${o.body.length}</Size><ETag>${xmlEscape(o.etag)}</ETag><LastModified>${o.lastModified.toISOString()}</LastModified></Contents>`;
            })
            .join('')}</ListBucketResult>`,
        );
      }
      case 'PutObject':
        if (!bucket) return noSuchBucket();
        bucket.objects.set(key as string, makeObject(body, headers['content-type'] ?? 'binary/octet-stream'));
        return send(200, '', { etag: bucket.objects.get(key as string)?.etag ?? '' });
      case 'GetObject':
      case 'HeadObject': {
        if (!bucket) return noSuchBucket();
        const object = bucket.objects.get(key as string);
        if (!object) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length, etag: object.etag, 'last-modified': object.lastModified.toUTCString() });
        return res.end(req.method === 'HEAD' ? undefined : object.body);
      }
      default:
        return fail(501, 'NotImplemented', `${op} is not implemented by this fake`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.env = { TIGRIS_STORAGE_ACCESS_KEY_ID: TIGRIS_ACCESS_KEY, TIGRIS_STORAGE_SECRET_ACCESS_KEY: TIGRIS_SECRET_KEY, AWS_ENDPOINT_URL_S3: fake.endpoint, AWS_EC2_METADATA_DISABLED: 'true' };
  return fake;
}

function makeObject(body: Buffer, contentType: string): FakeObject {
  return { body, etag: `"${createHash('md5').update(body).digest('hex')}"`, lastModified: new Date(), contentType };
}

/**
 * Tigris's documented bucket naming rules ("Bucket Naming Rules"), written here rather than taken from
 * fork-stack's own check: a fake that shared the code under test could not catch a mistake in it.
 */
function validBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) && !name.startsWith('xn--') && !name.endsWith('-s3alias');
}
