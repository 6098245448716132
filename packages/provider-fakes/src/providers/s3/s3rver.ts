/**
 * A real S3-compatible server for tests, benchmarks and demos: s3rver (npm, pure JavaScript, no
 * postinstall) on a free loopback port with a temp directory, plus a request log, per-operation
 * counters and fault injection.
 *
 * s3rver 3.7 lacks or gets wrong a few things that fork-stack's S3 code relies on, as every real S3
 * service does them. The harness adds them in front of s3rver (a Koa middleware placed first), using
 * s3rver's own store and authentication so everything else is unchanged:
 * - bucket tagging (Put/Get/DeleteBucketTagging): s3rver answers NotImplemented;
 * - ListObjectsV2 in UTF-8 key order with working pagination: s3rver walks its directory tree, so keys
 *   where one is a prefix of another ("a", "a-b", "a/x") come out of order and pages skip or repeat keys;
 * - x-amz-copy-source decoding: S3 percent-decodes it, s3rver uses decodeURI (which leaves %2B, %23, %3F…);
 * - CopyObject copying object tags (TaggingDirective COPY, S3's default) and x-amz-tagging on PutObject;
 * - UploadPartCopy (multipart server-side copy of byte ranges), with x-amz-copy-source-if-match;
 * - HeadBucket without listing the bucket, and GetBucketVersioning (never versioned, as on s3rver).
 * Versioning itself (ListObjectVersions) is not there: versioned buckets are tested against
 * the in-memory S3 (memory.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { arm, operationOf, parseTagging, pathTarget, taggingXml, trippedFault, utf8Compare, xmlEscape, xmlUnescape, type ArmedFault, type Fault, type RecordedRequest } from './wire.js';

const require = createRequire(import.meta.url);

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  req: NodeJS.ReadableStream;
  status: number;
  body: unknown;
  type: string;
  params: Record<string, string | undefined>;
  state: Record<string, unknown>;
  store: S3rverStore;
  set(name: string, value: string): void;
}
type Next = () => Promise<void>;
type Middleware = (ctx: KoaContext, next: Next) => Promise<void>;

interface S3rverStore {
  getBucket(bucket: string): Promise<unknown>;
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  putPart(bucket: string, uploadId: string, partNumber: string, content: NodeJS.ReadableStream): Promise<{ md5: string; size: number }>;
  putSubresource(bucket: string, key: string | undefined, resource: unknown): Promise<void>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

interface S3rverApp {
  middleware: Middleware[];
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}

const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverApp;
const S3Error = require('s3rver/lib/models/error') as new (code: string, message?: string, detail?: Record<string, unknown>) => Error;
const authentication = require('s3rver/lib/middleware/authentication') as () => Middleware;
const { TaggingConfiguration } = require('s3rver/lib/models/config') as { TaggingConfiguration: { validate(xml: string): unknown } };

export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export interface S3Server {
  endpoint: string;
  region: 'us-east-1';
  directory: string;
  /** Variables a CLI or provider context needs to talk to this server. */
  env: Record<string, string>;
  requests: RecordedRequest[];
  count(op: string): number;
  resetLog(): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Called for every request before it is handled (e.g. to abort a fork part-way). */
  onRequest?: (request: RecordedRequest) => void;
  client(): S3Client;
  /**
   * Writes objects straight into s3rver's on-disk format (object, metadata, MD5): thousands of objects
   * in a second, for tests that need a big parent. The providers under test never use this.
   */
  seedFiles(bucket: string, objects: Iterable<{ key: string; body: string | Buffer; contentType?: string }>): Promise<number>;
  close(): Promise<void>;
}


async function readBody(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** "bucket/a%20b/c" (optionally with a leading "/" and "?versionId=") → ["bucket", "a b/c"]. */
function parseCopySource(header: string): [string, string] {
  const withoutVersion = header.replace(/^\//, '').split('?')[0] ?? '';
  const [bucket = '', ...rest] = withoutVersion.split('/').map((segment) => decodeURIComponent(segment));
  return [bucket, rest.join('/')];
}

const OBJECT_SUFFIX = '._S3rver_object';

async function walkKeys(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) out.push(...(await walkKeys(path.join(dir, entry.name), `${base}${entry.name}/`)));
    else if (entry.name.endsWith(OBJECT_SUFFIX)) out.push(base + entry.name.slice(0, -OBJECT_SUFFIX.length));
  }
  return out;
}

function xmlResponse(ctx: KoaContext, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function tagsFromQuery(query: string): { Key: string; Value: string }[] {
  return [...new URLSearchParams(query)].map(([Key, Value]) => ({ Key, Value }));
}


async function listObjectsV2(ctx: KoaContext, bucket: string): Promise<void> {
  const q = ctx.query;
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const maxKeys = Math.min(1000, q['max-keys'] === undefined ? 1000 : Number(q['max-keys']));
  const after = q['continuation-token'] ? Buffer.from(q['continuation-token'], 'base64url').toString('utf8') : (q['start-after'] ?? '');
  const encode = q['encoding-type'] === 'url' ? (k: string) => encodeURIComponent(k) : (k: string) => k;
  const keys = (await walkKeys(ctx.store.getBucketPath(bucket))).filter((k) => k.startsWith(prefix)).sort(utf8Compare);
  const contents: string[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for (const key of keys) {
    if (after && utf8Compare(key, after) <= 0) continue;
    let entry = key;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) entry = key.slice(0, at + delimiter.length);
    }
    if (entry !== key && prefixes[prefixes.length - 1] === entry) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (entry !== key) prefixes.push(entry);
    else contents.push(key);
    last = entry === key ? key : `${entry}\u{10FFFF}`;
  }
  const metas = await Promise.all(contents.map((k) => ctx.store.getMetadata(bucket, k).catch(() => undefined)));
  const items = contents
    .map((k, i) => {
      const m = metas[i];
      if (!m) return '';
      return `<Contents><Key>${xmlEscape(encode(k))}</Key><LastModified>${new Date(String(m['last-modified'])).toISOString()}</LastModified><ETag>${xmlEscape(String(m.etag))}</ETag><Size>${m['content-length']}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const common = prefixes.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(encode(p))}</Prefix></CommonPrefixes>`).join('');
  const token = truncated && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : undefined;
  xmlResponse(
    ctx,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(encode(prefix))}</Prefix>` +
      `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ''}` +
      `<IsTruncated>${truncated}</IsTruncated>${token ? `<NextContinuationToken>${token}</NextContinuationToken>` : ''}` +
      `${q['continuation-token'] ? `<ContinuationToken>${xmlEscape(q['continuation-token'])}</ContinuationToken>` : ''}` +
      `${q['encoding-type'] ? `<EncodingType>${xmlEscape(q['encoding-type'])}</EncodingType>` : ''}${items}${common}</ListBucketResult>`,
  );
}

async function uploadPartCopy(ctx: KoaContext, bucket: string): Promise<void> {
  const [srcBucket, srcKey] = parseCopySource(ctx.headers['x-amz-copy-source'] ?? '');
  if (!(await ctx.store.getBucket(srcBucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: srcBucket });
  if (!(await ctx.store.existsObject(srcBucket, srcKey))) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
  const meta = await ctx.store.getMetadata(srcBucket, srcKey);
  const ifMatch = ctx.headers['x-amz-copy-source-if-match'];
  if (ifMatch && ifMatch.replace(/"/g, '') !== String(meta.etag).replace(/"/g, '')) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'x-amz-copy-source-If-Match' });
  }
  const size = Number(meta['content-length']);
  const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers['x-amz-copy-source-range'] ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range ? Number(range[2]) : size - 1;
  if (start > end || end >= size) throw new S3Error('InvalidRange', 'The requested range is not satisfiable');
  const stream = createReadStream(ctx.store.getResourcePath(srcBucket, srcKey, 'object'), { start, end });
  const { md5 } = await ctx.store.putPart(bucket, ctx.query.uploadId ?? '', ctx.query.partNumber ?? '', stream);
  xmlResponse(ctx, `<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`);
}

function tagFile(ctx: KoaContext, bucket: string): string {
  return path.join(ctx.store.getBucketPath(bucket), '.harness-bucket-tagging.json');
}

/** The compatibility layer described at the top of this file, plus the log and the faults. */
function harnessMiddleware(server: S3Server, faults: ArmedFault[]): Middleware {
  const auth = authentication();
  return async (ctx, next) => {
    const { bucket, key } = pathTarget(ctx.path);
    const op = operationOf(ctx.method, bucket, key, ctx.query, ctx.headers);
    const request: RecordedRequest = { op, method: ctx.method, bucket, key, query: { ...ctx.query }, headers: { ...ctx.headers } };
    server.requests.push(request);
    server.onRequest?.(request);
    const fault = trippedFault(faults, request);
    if (fault) {
      return xmlResponse(ctx, `<Error><Code>${fault.code}</Code><Message>${xmlEscape(fault.message ?? 'injected by the test')}</Message></Error>`, fault.status);
    }

    const shimmed = async (handler: () => Promise<void>) => {
      ctx.params = { bucket, key };
      await auth(ctx, async () => {
        if (bucket && !(await ctx.store.getBucket(bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
        await handler();
      });
    };
    if (!bucket) return next();
    switch (op) {
      case 'HeadBucket':
        return shimmed(async () => {
          ctx.status = 200;
          ctx.body = '';
        });
      case 'GetBucketVersioning':
        return shimmed(async () => xmlResponse(ctx, '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'));
      case 'ListObjectsV2':
        return shimmed(() => listObjectsV2(ctx, bucket));
      case 'PutBucketTagging':
        return shimmed(async () => {
          const tags = parseTagging(await readBody(ctx.req));
          await fs.writeFile(tagFile(ctx, bucket), JSON.stringify(tags));
          ctx.status = 204;
          ctx.body = '';
        });
      case 'GetBucketTagging':
        return shimmed(async () => {
          const tags = await fs.readFile(tagFile(ctx, bucket), 'utf8').then((t) => JSON.parse(t) as { Key: string; Value: string }[], () => undefined);
          if (!tags) return xmlResponse(ctx, `<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist</Message><BucketName>${xmlEscape(bucket)}</BucketName></Error>`, 404);
          xmlResponse(ctx, taggingXml(tags));
        });
      case 'DeleteBucketTagging':
        return shimmed(async () => {
          await fs.rm(tagFile(ctx, bucket), { force: true });
          ctx.status = 204;
          ctx.body = '';
        });
      case 'DeleteObjects':
        // s3rver deletes a batch's keys concurrently and its empty-directory cleanup races (ENOENT → 500).
        return shimmed(async () => {
          const body = await readBody(ctx.req);
          const keys = [...body.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => xmlUnescape(m[1] ?? ''));
          request.keys = keys.length;
          if (keys.length > 1000) throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
          for (const k of keys) if (await ctx.store.existsObject(bucket, k)) await ctx.store.deleteObject(bucket, k);
          const quiet = /<Quiet>true<\/Quiet>/.test(body);
          xmlResponse(ctx, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${quiet ? '' : keys.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join('')}</DeleteResult>`);
        });
      case 'UploadPartCopy':
        return shimmed(() => uploadPartCopy(ctx, bucket));
      case 'CopyObject': {
        const [srcBucket, srcKey] = parseCopySource(ctx.headers['x-amz-copy-source'] ?? '');
        // s3rver decodes with decodeURI, which is exact for what encodeURI produced.
        ctx.headers['x-amz-copy-source'] = encodeURI(`${srcBucket}/${srcKey}`);
        await next();
        if (ctx.status === 200 && key) {
          const directive = ctx.headers['x-amz-tagging-directive'];
          if (directive === 'REPLACE') {
            await ctx.store.putSubresource(bucket, key, TaggingConfiguration.validate(taggingXml(tagsFromQuery(ctx.headers['x-amz-tagging'] ?? ''))));
          } else {
            await fs.copyFile(ctx.store.getResourcePath(srcBucket, srcKey, 'tagging.xml'), ctx.store.getResourcePath(bucket, key, 'tagging.xml')).catch(() => undefined);
          }
        }
        return;
      }
      case 'PutObject':
        await next();
        if (ctx.status === 200 && key && ctx.headers['x-amz-tagging']) {
          await ctx.store.putSubresource(bucket, key, TaggingConfiguration.validate(taggingXml(tagsFromQuery(ctx.headers['x-amz-tagging']))));
        }
        return;
      default:
        return next();
    }
  };
}

export async function startS3Server(options: { directory?: string } = {}): Promise<S3Server> {
  const directory = options.directory ?? mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const app = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, vhostBuckets: false });
  const faults: ArmedFault[] = [];
  const clients: S3Client[] = [];
  const server: S3Server = {
    endpoint: '',
    region: 'us-east-1',
    directory,
    env: {},
    requests: [],
    count: (op) => server.requests.filter((r) => r.op === op).length,
    resetLog: () => {
      server.requests.length = 0;
    },
    inject: (fault) => faults.push(arm(fault)),
    clearFaults: () => {
      faults.length = 0;
    },
    client: () => {
      const client = new S3Client({
        endpoint: server.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(client);
      return client;
    },
    seedFiles: async (bucket, objects) => {
      const bucketDir = path.join(directory, bucket);
      await fs.mkdir(bucketDir, { recursive: true });
      let count = 0;
      const made = new Set<string>();
      for (const o of objects) {
        const parts = o.key.split('/');
        const name = parts.pop() as string;
        const dir = path.join(bucketDir, ...parts);
        if (!made.has(dir)) {
          await fs.mkdir(dir, { recursive: true });
          made.add(dir);
        }
        const base = path.join(dir, `${name}._S3rver_`);
        const body = Buffer.from(o.body);
        await Promise.all([
          fs.writeFile(`${base}object`, body),
          fs.writeFile(`${base}object.md5`, createHash('md5').update(body).digest('hex')),
          fs.writeFile(`${base}metadata.json`, JSON.stringify({ 'content-type': o.contentType ?? 'binary/octet-stream' })),
        ]);
        count++;
      }
      return count;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await app.close().catch(() => undefined);
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
  app.middleware.unshift(harnessMiddleware(server, faults));
  const address = await app.run();
  server.endpoint = `http://127.0.0.1:${address.port}`;
  server.env = {
    AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return server;
}
