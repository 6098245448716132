/**
 * mode = "bucket": one bucket per environment. A fork creates the bucket, marks it as fork-stack's
 * ("copying"), copies every object of the parent server-side, then marks it "ready". A fork that finds
 * its bucket still "copying" resumes the copy; one that finds it "ready" returns it untouched (the
 * environment may have diverged from its parent since). Remove empties and deletes only marked buckets.
 */
import { CreateBucketCommand, DeleteBucketCommand, ListObjectsV2Command, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { OperationError, UsageError } from '../../../core/errors.js';
import { envFromName } from '../../../core/names.js';
import type { ForkRequest, ProviderContext, Resource } from '../../types.js';
import { bucketPattern, bucketValues } from '../naming.js';
import { copyObjects } from './copy.js';
import { emptyBucket } from './delete.js';
import { errorCode, isMissingBucket } from './errors.js';
import { listBuckets } from './listing.js';
import { expiry, ownedBy, type OwnerRecord } from './ownership.js';
import { bucketNameFor, headBucket, reportCopy, type CopyingOptions, type Session } from './session.js';

type S = Session<CopyingOptions>;

/** Buckets' markers are read this many at a time when listing. */
const MARKER_READS_AT_ONCE = 16;

function resource(s: S, env: string, bucket: string, record: OwnerRecord | undefined, extra: Partial<Resource> = {}): Resource {
  return {
    env,
    name: bucket,
    parent: record?.parent,
    createdAt: record?.createdAt,
    ...(record?.expiresAt ? { expiresAt: record.expiresAt } : {}),
    state: record && record.state !== 'ready' ? 'partial' : 'ready',
    owned: record !== undefined,
    details: { bucket, region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}) },
    ...extra,
  };
}

export async function findBucket(s: S, env: string): Promise<Resource | undefined> {
  const bucket = bucketNameFor(s.ctx, env);
  const { presence } = await headBucket(s, bucket);
  if (presence === 'missing') return undefined;
  if (presence === 'forbidden') return { ...resource(s, env, bucket, undefined), state: 'unknown', details: { bucket, access: 'denied' } };
  const record = await readMarker(s, bucket);
  return resource(s, env, bucket, ownedBy(record, s.ctx.project, env) ? record : undefined);
}

async function readMarker(s: S, bucket: string): Promise<OwnerRecord | undefined> {
  try {
    return await s.flavor.ownership(s.ctx).read(s.client, bucket, s.ctx.signal);
  } catch (error) {
    throw s.fail(error, `reading the fork-stack marker of bucket ${bucket}`);
  }
}

/**
 * A bucket with the environment's name, no fork-stack marker and no objects is what a create killed
 * between CreateBucket and marking leaves. It is treated as ours: reusing or deleting an empty bucket
 * cannot lose anyone's data, and refusing would leave the user to delete it by hand.
 */
async function isEmptyUnmarked(s: S, bucket: string, record: OwnerRecord | undefined): Promise<boolean> {
  if (record !== undefined) return false;
  const markerKey = s.flavor.ownership(s.ctx).markerKey;
  try {
    const listed = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2 }), { abortSignal: s.ctx.signal });
    return (listed.Contents ?? []).every((o) => o.Key === markerKey);
  } catch (error) {
    throw s.fail(error, `listing bucket ${bucket}`);
  }
}

function notOurs(s: S, bucket: string, env: string): OperationError {
  return new OperationError(`bucket ${bucket} already exists and was not created by fork-stack for "${env}"`, {
    hint: `fork-stack never touches a bucket it did not make. Delete or rename that bucket yourself, or give "${env}" another name with names = { ${env} = "…" } in [${s.ctx.slot}].`,
  });
}

async function createBucket(s: S, bucket: string): Promise<void> {
  const constraint = s.flavor.locationConstraint && s.region !== 'us-east-1' ? s.region : undefined;
  try {
    await s.client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: constraint ? { LocationConstraint: constraint as BucketLocationConstraint } : undefined,
      }),
      { abortSignal: s.ctx.signal },
    );
  } catch (error) {
    const code = errorCode(error);
    if (code === 'BucketAlreadyExists') {
      throw new OperationError(`bucket name ${bucket} is already taken (bucket names are global across ${s.flavor.provider} accounts)`, {
        hint: `Change the naming pattern (name = "…") in [${s.ctx.slot}], e.g. add a unique word to {project}.`,
      });
    }
    if (code !== 'BucketAlreadyOwnedByYou') throw s.fail(error, `creating bucket ${bucket}`);
  }
}

export async function forkBucket(s: S, request: ForkRequest): Promise<Resource> {
  const { ctx, client } = s;
  const { env, parent } = request;
  const target = bucketNameFor(ctx, env);
  const source = bucketNameFor(ctx, parent);
  const ownership = s.flavor.ownership(ctx);

  const sourceHead = await headBucket(s, source);
  if (sourceHead.presence === 'missing') {
    throw new OperationError(`parent bucket ${source} (environment "${parent}") does not exist`, {
      hint: `Create "${parent}" first, or check the bucket naming in [${ctx.slot}].`,
    });
  }
  if (sourceHead.presence === 'forbidden') {
    throw new OperationError(`parent bucket ${source} exists but these credentials may not read it`, { hint: `Grant ${s.flavor.permissions} on ${source}.` });
  }

  let resume = false;
  let createdAt = ctx.now().toISOString();
  const targetHead = await headBucket(s, target);
  if (targetHead.presence === 'forbidden') throw notOurs(s, target, env);
  const existing = targetHead.presence === 'exists' ? await readMarker(s, target) : undefined;
  const leftover = targetHead.presence === 'exists' && (await isEmptyUnmarked(s, target, existing));
  if (leftover) {
    await markCopying(s, target, { project: ctx.project, env, parent, state: 'copying', createdAt }, false);
  } else if (targetHead.presence === 'exists') {
    const record = existing;
    if (!ownedBy(record, ctx.project, env)) throw notOurs(s, target, env);
    if (record.parent && record.parent !== parent) {
      throw new UsageError(`bucket ${target} was forked from "${record.parent}", not "${parent}"`, {
        hint: `Delete "${env}" first to fork it from "${parent}".`,
      });
    }
    if (record.state === 'ready') return resource(s, env, target, record);
    resume = true;
    createdAt = record.createdAt ?? createdAt;
  } else {
    await createBucket(s, target);
    await markCopying(s, target, { project: ctx.project, env, parent, state: 'copying', createdAt }, true);
  }

  let copied;
  try {
    copied = await copyObjects({
      client,
      source: { bucket: source, prefix: '' },
      target: { bucket: target, prefix: '' },
      skip: ownership.markerKey ? (key) => key === ownership.markerKey : undefined,
      concurrency: ctx.options.concurrency,
      multipartThreshold: ctx.options.multipart_threshold,
      partSize: ctx.options.part_size,
      copyTags: s.flavor.copyTags,
      pinSourceVersion: s.flavor.pinSourceVersion,
      resume,
      signal: ctx.signal,
      onProgress: reportCopy(ctx),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const key = (error as { key?: string }).key;
    throw s.fail(error, `copying ${key ? `"${key}" ` : 'objects '}from ${source} to ${target}`);
  }
  const record: OwnerRecord = { project: ctx.project, env, parent, state: 'ready', createdAt, ...expiry(request) };
  try {
    await ownership.write(client, target, record);
  } catch (error) {
    throw s.fail(error, `marking bucket ${target} as complete`);
  }
  return resource(s, env, target, record, {
    details: { bucket: target, region: s.region, objects: copied.copied + copied.skipped, bytes: copied.bytes, copied: copied.copied, resumed: resume },
  });
}

async function markCopying(s: S, bucket: string, record: OwnerRecord, justCreated: boolean): Promise<void> {
  try {
    await s.flavor.ownership(s.ctx).write(s.client, bucket, record);
  } catch (error) {
    // Unmarked, the bucket stays an empty leftover that the next create or delete recognises.
    if (justCreated) await s.client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    throw s.fail(error, `marking bucket ${bucket} as fork-stack's`);
  }
}

export async function removeBucket(s: S, env: string): Promise<void> {
  const { ctx, client } = s;
  const bucket = bucketNameFor(ctx, env);
  const { presence } = await headBucket(s, bucket);
  if (presence === 'missing') return;
  const record = presence === 'exists' ? await readMarker(s, bucket) : undefined;
  const leftover = presence === 'exists' && (await isEmptyUnmarked(s, bucket, record));
  if (!leftover && !ownedBy(record, ctx.project, env)) {
    throw new OperationError(`bucket ${bucket} was not created by fork-stack for "${env}"; it is left as it is`, {
      hint: 'Delete it yourself if it really is this environment\'s.',
    });
  }
  try {
    await emptyBucket(client, bucket, '', {
      concurrency: ctx.options.concurrency,
      signal: ctx.signal,
      onProgress: (deleted) => ctx.progress({ message: 'deleting objects', done: deleted, unit: 'objects' }),
    });
    await client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: ctx.signal });
  } catch (error) {
    if (isMissingBucket(error)) return;
    throw s.fail(error, `deleting bucket ${bucket}`);
  }
}

/** Literal text before the first placeholder: a ListBuckets prefix that narrows the listing. */
function listingPrefix(ctx: ProviderContext<CopyingOptions>): string | undefined {
  if (Object.keys(ctx.options.names).length > 0) return undefined;
  const pattern = bucketPattern(ctx, ctx.options.name).replace('{project}', ctx.project).replace('{bucket}', bucketValues(ctx).bucket ?? '');
  const literal = pattern.slice(0, pattern.indexOf('{'));
  return literal.length > 0 ? literal : undefined;
}

/** Buckets that follow the naming pattern and are either fork-stack's or a configured root. */
export async function listBucketEnvs(s: S): Promise<Resource[]> {
  const { ctx } = s;
  const pattern = bucketPattern(ctx, ctx.options.name);
  const values = { project: ctx.project, ...bucketValues(ctx) };
  const candidates: { env: string; name: string; createdAt?: Date }[] = [];
  try {
    for await (const b of listBuckets(s.client, { prefix: listingPrefix(ctx), pageSize: s.flavor.bucketPageSize, signal: ctx.signal })) {
      const env = envFromName(pattern, values, b.name, ctx.options.names);
      if (env) candidates.push({ env, name: b.name, createdAt: b.createdAt });
    }
  } catch (error) {
    throw s.fail(error, 'listing buckets');
  }
  const out: Resource[] = [];
  for (let i = 0; i < candidates.length; i += MARKER_READS_AT_ONCE) {
    const slice = candidates.slice(i, i + MARKER_READS_AT_ONCE);
    const records = await Promise.all(slice.map((c) => readMarker(s, c.name).catch(() => undefined)));
    slice.forEach((c, j) => {
      const record = records[j];
      const ours = ownedBy(record, ctx.project, c.env);
      if (!ours && !ctx.roots.includes(c.env)) return;
      out.push(resource(s, c.env, c.name, ours ? record : undefined, { createdAt: (ours ? record.createdAt : undefined) ?? c.createdAt?.toISOString() }));
    });
  }
  return out;
}
