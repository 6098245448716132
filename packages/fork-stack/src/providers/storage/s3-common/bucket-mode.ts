/**
 * mode = "bucket": one bucket per environment. A fork creates the bucket, marks it as fork-stack's
 * ("copying"), copies every object of the parent server-side, then marks it "ready". A fork that finds
 * its bucket still "copying" resumes the copy; one that finds it "ready" returns it untouched (the
 * environment may have diverged from its parent since). Remove empties and deletes only buckets proven
 * this environment's: fork-stack's marker for this project and env, or — for the unmarked bucket a create
 * killed between CreateBucket and marking leaves — this checkout's creation ledger plus a bucket holding no
 * object version at all (intent.ts; docs/architecture.md, "Ownership"). Never emptiness alone.
 */
import { CreateBucketCommand, DeleteBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { OperationError, UsageError } from '../../../core/errors.js';
import { envFromName } from '../../../core/names.js';
import type { ForkRequest, ProviderContext, Resource } from '../../types.js';
import { bucketPattern, bucketValues } from '../naming.js';
import { copyObjects } from './copy.js';
import { emptyBucket } from './delete.js';
import { errorCode, isMissingBucket } from './errors.js';
import { clearIntent, readIntent, recordIntent, type BucketIntent } from './intent.js';
import { holdsAnything, listBuckets } from './listing.js';
import { expiry, markedFor, ownedBy, type OwnerRecord } from './ownership.js';
import { bucketNameFor, headBucket, reportCopy, whereOf, type BucketPresence, type CopyingOptions, type S3LikeOptions, type Session } from './session.js';

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

/** What sits under an environment's bucket name, and whether fork-stack can prove it made it for this env. */
interface Inspection {
  presence: BucketPresence;
  headers: Record<string, string>;
  /** The fork-stack marker, whoever it names. */
  marker?: OwnerRecord;
  /** Proven this environment's: its marker, or this checkout's ledger for an unmarked leftover. */
  ours: boolean;
  /** An unmarked bucket that this checkout's killed create left (intent.ts). */
  leftover?: BucketIntent;
}

async function inspect(s: S, env: string, bucket: string): Promise<Inspection> {
  const { presence, headers } = await headBucket(s, bucket);
  if (presence !== 'exists') return { presence, headers, ours: false };
  const marker = await readMarker(s, bucket);
  if (marker) return { presence, headers, marker, ours: ownedBy(marker, s.ctx.project, env) };
  const leftover = await provenLeftover(s, env, bucket, headers);
  return { presence, headers, ours: leftover !== undefined, leftover };
}

function found(s: S, env: string, bucket: string, seen: Inspection): Resource {
  if (seen.presence === 'forbidden') return { ...resource(s, env, bucket, undefined), state: 'unknown', details: { bucket, access: 'denied' } };
  if (seen.leftover) {
    // Created by this checkout and killed before it was marked: a partial environment that create finishes.
    return { ...resource(s, env, bucket, undefined), parent: seen.leftover.parent, createdAt: seen.leftover.at, state: 'partial', owned: true };
  }
  const mine = seen.ours ? seen.marker : undefined;
  const whose = markedFor(seen.marker, s.ctx.project, env);
  return resource(s, env, bucket, mine, whose ? { markedFor: whose } : {});
}

export async function findBucket(s: S, env: string): Promise<Resource | undefined> {
  const bucket = bucketNameFor(s.ctx, env);
  const seen = await inspect(s, env, bucket);
  return seen.presence === 'missing' ? undefined : found(s, env, bucket, seen);
}

async function readMarker(s: S, bucket: string): Promise<OwnerRecord | undefined> {
  try {
    return await s.flavor.ownership(s.ctx).read(s.client, bucket, s.ctx.signal);
  } catch (error) {
    throw s.fail(error, `reading the fork-stack marker of bucket ${bucket}`);
  }
}

/**
 * An unmarked bucket is this environment's only when this checkout's ledger says it was about to create
 * exactly this bucket (intent.ts), and the flavour's proof holds: by default, the bucket holds no object
 * version or delete marker at all (a bucket fork-stack has only just created holds nothing). Emptiness
 * without the ledger proves nothing: that is how a foreign versioned bucket whose only current version is
 * a delete marker was once taken for a leftover and purged.
 */
async function provenLeftover(s: S, env: string, bucket: string, headers?: Record<string, string>): Promise<BucketIntent | undefined> {
  const intent = await readIntent(s.ctx, env, bucket, whereOf(s));
  if (!intent) return undefined;
  headers ??= s.flavor.leftoverProof ? (await headBucket(s, bucket)).headers : {};
  try {
    const proof = s.flavor.leftoverProof
      ? await s.flavor.leftoverProof(s, bucket, intent, headers)
      : !(await holdsAnything(s.client, bucket, '', { signal: s.ctx.signal }));
    return proof ? intent : undefined;
  } catch (error) {
    throw s.fail(error, `listing bucket ${bucket}`);
  }
}

function notOurs(s: S, bucket: string, env: string, seen?: Inspection): OperationError {
  return foreignBucket(s, bucket, env, markedFor(seen?.marker, s.ctx.project, env));
}

/** The refusal for a bucket under `env`'s name that is not proven its own; says whose it is when marked. */
export function foreignBucket(s: Session<S3LikeOptions>, bucket: string, env: string, whose: { project: string; env: string } | undefined): OperationError {
  const why = whose
    ? whose.project !== s.ctx.project
      ? `it belongs to another fork-stack project: "${whose.project}", environment "${whose.env}"`
      : `it belongs to environment "${whose.env}" of this project`
    : `it carries no fork-stack marker for "${env}"`;
  return new OperationError(`bucket ${bucket} already exists and was not created by fork-stack for "${env}" (${why}); it is left as it is`, {
    hint: `fork-stack never touches a bucket it did not make. Delete or rename that bucket yourself, or give "${env}" another name with names = { ${env} = "…" } in [${s.ctx.slot}].`,
  });
}

async function createBucket(s: S, bucket: string): Promise<'created' | 'existed'> {
  const constraint = s.flavor.locationConstraint && s.region !== 'us-east-1' ? s.region : undefined;
  try {
    await s.client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: constraint ? { LocationConstraint: constraint as BucketLocationConstraint } : undefined,
      }),
      // Not cancelled by a Ctrl-C: a CreateBucket aborted in flight can still be carried out by the
      // service after the rollback has looked and found nothing, leaving an unmarked bucket behind (the
      // provider contract's Ctrl-C case found it on R2's flavour). The request runs to its answer and
      // the fork stops right after (docs/architecture.md, "Interrupts").
    );
    return 'created';
  } catch (error) {
    const code = errorCode(error);
    if (code === 'BucketAlreadyExists') {
      throw new OperationError(`bucket name ${bucket} is already taken (bucket names are global across ${s.flavor.provider} accounts)`, {
        hint: `Change the naming pattern (name = "…") in [${s.ctx.slot}], e.g. add a unique word to {project}.`,
        cause: error,
      });
    }
    // Ours already (an SDK retry of a request that had succeeded), or made by someone in between: the
    // caller looks again and goes on only if the bucket is proven this environment's.
    if (code === 'BucketAlreadyOwnedByYou') return 'existed';
    throw s.fail(error, `creating bucket ${bucket}`);
  }
}

/** An error answer from the service (an HTTP status), as opposed to a request that may have gone through. */
export function refusedByService(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

/** Writes the ledger entry that lets this checkout recognise its own unmarked bucket after a crash. */
async function recordCreation(s: S, request: ForkRequest, target: string, source: string): Promise<void> {
  try {
    await recordIntent(s.ctx, { bucket: target, where: whereOf(s), project: s.ctx.project, env: request.env, parent: request.parent, source, runId: request.runId, at: s.ctx.now().toISOString() });
  } catch (error) {
    throw new OperationError(`could not record the creation of bucket ${target} in ${s.ctx.stateDir}: ${(error as Error).message}`, {
      hint: 'fork-stack writes a small file there before creating a bucket; make the directory writable and try again.',
    });
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
  const seen = await inspect(s, env, target);
  if (seen.presence === 'forbidden') {
    throw new OperationError(`bucket ${target} already exists, and these credentials may not look into it (another account's?); it is left as it is`, {
      hint: `fork-stack never touches a bucket it cannot prove it made. Give "${env}" another name with names = { ${env} = "…" } in [${ctx.slot}], or change the naming pattern.`,
    });
  }
  if (seen.presence === 'exists' && !seen.ours) throw notOurs(s, target, env, seen);
  if (seen.leftover) {
    if (seen.leftover.parent !== parent) {
      throw new UsageError(`bucket ${target} was being forked from "${seen.leftover.parent}", not "${parent}"`, { hint: `Delete "${env}" first to fork it from "${parent}".` });
    }
    createdAt = seen.leftover.at;
    await markCopying(s, target, env, { project: ctx.project, env, parent, state: 'copying', createdAt }, false);
  } else if (seen.presence === 'exists') {
    const record = seen.marker as OwnerRecord;
    if (record.parent && record.parent !== parent) {
      throw new UsageError(`bucket ${target} was forked from "${record.parent}", not "${parent}"`, {
        hint: `Delete "${env}" first to fork it from "${parent}".`,
      });
    }
    if (record.state === 'ready') return resource(s, env, target, record);
    resume = true;
    createdAt = record.createdAt ?? createdAt;
  } else {
    await recordCreation(s, request, target, source);
    const outcome = await createBucket(s, target).catch(async (error: unknown) => {
      // The service answered no: there is no bucket, so no ledger entry either. (A timeout or an abort
      // keeps the entry: the bucket may have been made.)
      if (refusedByService(error)) await clearIntent(ctx, env).catch(() => undefined);
      throw error;
    });
    ctx.signal.throwIfAborted();
    if (outcome === 'existed') {
      const again = await inspect(s, env, target);
      if (!again.ours) throw notOurs(s, target, env, again);
      if (again.marker?.state === 'ready') return resource(s, env, target, again.marker);
      resume = again.marker !== undefined;
      if (!again.marker) await markCopying(s, target, env, { project: ctx.project, env, parent, state: 'copying', createdAt }, false);
    } else {
      await markCopying(s, target, env, { project: ctx.project, env, parent, state: 'copying', createdAt }, true);
    }
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

async function markCopying(s: S, bucket: string, env: string, record: OwnerRecord, justCreated: boolean): Promise<void> {
  try {
    await s.flavor.ownership(s.ctx).write(s.client, bucket, record);
  } catch (error) {
    // Unmarked, the bucket stays a leftover that this checkout's ledger lets the next create or delete finish.
    if (justCreated) {
      const gone = await s.client.send(new DeleteBucketCommand({ Bucket: bucket })).then(
        () => true,
        () => false,
      );
      if (gone) await clearIntent(s.ctx, env).catch(() => undefined);
    }
    throw s.fail(error, `marking bucket ${bucket} as fork-stack's`);
  }
  // The marker proves it from now on.
  await clearIntent(s.ctx, env).catch(() => undefined);
}

export async function removeBucket(s: S, env: string): Promise<void> {
  const { ctx, client } = s;
  const bucket = bucketNameFor(ctx, env);
  const seen = await inspect(s, env, bucket);
  if (seen.presence === 'missing') {
    await clearIntent(ctx, env);
    return;
  }
  if (!seen.ours) {
    const refusal = notOurs(s, bucket, env, seen);
    throw new OperationError(refusal.message.replace(' already exists and was', ' was'), { hint: 'Delete it yourself if it really is this environment\'s.' });
  }
  try {
    await emptyBucket(client, bucket, '', {
      concurrency: ctx.options.concurrency,
      signal: ctx.signal,
      onProgress: (deleted) => ctx.progress({ message: 'deleting objects', done: deleted, unit: 'objects' }),
    });
    await client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: ctx.signal });
  } catch (error) {
    if (!isMissingBucket(error)) throw s.fail(error, `deleting bucket ${bucket}`);
  }
  await clearIntent(ctx, env);
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
    // Unmarked buckets this checkout's killed creates left (the ledger names them): partial environments.
    const leftovers = await Promise.all(
      slice.map((c, j) => (records[j] ? undefined : provenLeftover(s, c.env, c.name).catch(() => undefined))),
    );
    slice.forEach((c, j) => {
      const record = records[j];
      const ours = ownedBy(record, ctx.project, c.env);
      const leftover = leftovers[j];
      if (leftover) {
        out.push({ ...resource(s, c.env, c.name, undefined), parent: leftover.parent, createdAt: leftover.at, state: 'partial', owned: true });
        return;
      }
      if (!ours && !ctx.roots.includes(c.env)) return;
      out.push(resource(s, c.env, c.name, ours ? record : undefined, { createdAt: (ours ? record.createdAt : undefined) ?? c.createdAt?.toISOString() }));
    });
  }
  return out;
}
