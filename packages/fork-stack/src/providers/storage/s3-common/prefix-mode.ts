/**
 * mode = "prefix": one shared bucket (for accounts that may not create buckets), each forked environment
 * under its own key prefix, `forks/{env}/` by default as the original forkstack CLI does. Roots live at
 * the bucket's top level (prefix ""), so forking a root copies everything except the `forks/` area.
 * The app gets BUCKET_NAME = the shared bucket and BUCKET_KEY_PREFIX (BUCKET_<NAME>_KEY_PREFIX) = the
 * environment's prefix, which the language readers put in front of every key.
 *
 * Each fork's marker is an object `forks/.fork-stack/<env>.json` (no env name starts with "."), so it
 * is never inside any environment's prefix.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { OperationError, UsageError } from '../../../core/errors.js';
import { renderPattern } from '../../../core/names.js';
import type { ForkRequest, ProviderContext, Resource } from '../../types.js';
import { bucketVariables } from '../naming.js';
import { copyObjects, type KeyRange } from './copy.js';
import { deleteKeys, emptyBucket } from './delete.js';
import { holdsAnything } from './listing.js';
import { expiry, markedFor, objectOwnership, ownedBy, type OwnerRecord } from './ownership.js';
import { headBucket, locationVariables, reportCopy, type CopyingOptions, type Session } from './session.js';

type S = Session<CopyingOptions>;
type Ctx = ProviderContext<CopyingOptions>;

/** The fixed folder before {env}: "forks/". */
export function forksFolder(ctx: Ctx): string {
  return ctx.options.key_prefix.slice(0, ctx.options.key_prefix.indexOf('{env}'));
}

export function sharedBucket(ctx: Ctx): string {
  return ctx.options.bucket as string;
}

export function prefixFor(ctx: Ctx, env: string): string {
  const explicit = ctx.options.names[env];
  if (explicit !== undefined) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  if (ctx.roots.includes(env)) return '';
  return renderPattern(ctx.options.key_prefix, { project: ctx.project, env });
}

function markerKey(ctx: Ctx, env: string): string {
  return `${forksFolder(ctx)}.fork-stack/${env}.json`;
}

/** The key ranges of an environment: a root is the bucket minus the forks folder. */
function rangesFor(ctx: Ctx, prefix: string): KeyRange[] | undefined {
  if (prefix !== '') return undefined;
  const folder = forksFolder(ctx);
  // Keys under "forks/" are contiguous in UTF-8 order; the second range starts after the largest one.
  return [{ stopAt: folder }, { startAfter: folder + '\u{10FFFF}'.repeat(254) }];
}

export function prefixResourceName(ctx: Ctx, env: string): string {
  return `${sharedBucket(ctx)}/${prefixFor(ctx, env)}`;
}

/** The marker object of `env`, whoever it names (another project sharing the bucket, another env). */
async function readMarker(s: S, env: string): Promise<OwnerRecord | undefined> {
  try {
    return await objectOwnership(markerKey(s.ctx, env)).read(s.client, sharedBucket(s.ctx), s.ctx.signal);
  } catch (error) {
    throw s.fail(error, `reading the fork-stack marker of "${env}"`);
  }
}

async function readRecord(s: S, env: string): Promise<OwnerRecord | undefined> {
  const record = await readMarker(s, env);
  return ownedBy(record, s.ctx.project, env) ? record : undefined;
}

/**
 * Anything at all under the prefix: current objects, and on a versioned bucket old versions and delete
 * markers too. A prefix whose objects were all deleted still holds their versions: it is not free.
 */
async function hasObjects(s: S, prefix: string): Promise<boolean> {
  try {
    return await holdsAnything(s.client, sharedBucket(s.ctx), prefix, { signal: s.ctx.signal });
  } catch (error) {
    throw s.fail(error, `listing ${sharedBucket(s.ctx)}/${prefix}`);
  }
}

/** The refusal for a prefix that is not proven `env`'s, saying whose it is when a marker names someone. */
function foreignPrefix(s: S, env: string, verb: string, marker: OwnerRecord | undefined): OperationError {
  const where = `${sharedBucket(s.ctx)}/${prefixFor(s.ctx, env)}`;
  const whose = markedFor(marker, s.ctx.project, env);
  const why = whose
    ? whose.project !== s.ctx.project
      ? `it belongs to another fork-stack project: "${whose.project}", environment "${whose.env}"`
      : `it belongs to environment "${whose.env}" of this project`
    : 'it holds objects (or object versions) that fork-stack did not put there';
  return new OperationError(`${where} was not made by fork-stack for "${env}" (${why}); refusing to ${verb} it`, {
    hint: 'fork-stack never touches what it did not make. Remove those objects yourself, or pick another environment name.',
  });
}

function resource(s: S, env: string, record: OwnerRecord | undefined, extra: Partial<Resource> = {}): Resource {
  const prefix = prefixFor(s.ctx, env);
  return {
    env,
    name: `${sharedBucket(s.ctx)}/${prefix}`,
    parent: record?.parent,
    createdAt: record?.createdAt,
    ...(record?.expiresAt ? { expiresAt: record.expiresAt } : {}),
    state: record && record.state !== 'ready' ? 'partial' : 'ready',
    owned: record !== undefined,
    details: { bucket: sharedBucket(s.ctx), prefix, region: s.region },
    ...extra,
  };
}

async function requireSharedBucket(s: S): Promise<void> {
  const { presence } = await headBucket(s, sharedBucket(s.ctx));
  if (presence === 'missing') {
    throw new UsageError(`shared bucket ${sharedBucket(s.ctx)} (bucket in [${s.ctx.slot}]) does not exist`, {
      hint: 'In prefix mode every environment lives in one existing bucket: create it, or fix the bucket option.',
    });
  }
}

export async function findPrefix(s: S, env: string): Promise<Resource | undefined> {
  const prefix = prefixFor(s.ctx, env);
  if (prefix === '') {
    const { presence } = await headBucket(s, sharedBucket(s.ctx));
    return presence === 'missing' ? undefined : resource(s, env, undefined);
  }
  const marker = await readMarker(s, env);
  if (ownedBy(marker, s.ctx.project, env)) return resource(s, env, marker);
  const whose = markedFor(marker, s.ctx.project, env);
  if (whose) return resource(s, env, undefined, { markedFor: whose });
  // Objects without a marker: made by something else (the original forkstack CLI, a teammate's script).
  return (await hasObjects(s, prefix)) ? resource(s, env, undefined) : undefined;
}

export async function forkPrefix(s: S, request: ForkRequest): Promise<Resource> {
  const { ctx, client } = s;
  const { env, parent } = request;
  const bucket = sharedBucket(ctx);
  await requireSharedBucket(s);
  const sourcePrefix = prefixFor(ctx, parent);
  const targetPrefix = prefixFor(ctx, env);
  if (targetPrefix === '') throw new UsageError(`"${env}" lives at the top of ${bucket} (a root): it cannot be a fork`);
  if (sourcePrefix !== '' && !(await readRecord(s, parent)) && !(await hasObjects(s, sourcePrefix))) {
    throw new OperationError(`parent environment "${parent}" has nothing at ${bucket}/${sourcePrefix}`, { hint: `Create "${parent}" first.` });
  }
  const marker = objectOwnership(markerKey(ctx, env));
  const found = await readMarker(s, env);
  if (found && !ownedBy(found, ctx.project, env)) throw foreignPrefix(s, env, 'fork over', found);
  let record = found as OwnerRecord | undefined;
  let createdAt = ctx.now().toISOString();
  if (record) {
    if (record.parent && record.parent !== parent) {
      throw new UsageError(`"${env}" was forked from "${record.parent}", not "${parent}"`, { hint: `Delete "${env}" first to fork it from "${parent}".` });
    }
    if (record.state === 'ready') return resource(s, env, record);
    createdAt = record.createdAt ?? createdAt;
  } else {
    if (await hasObjects(s, targetPrefix)) throw foreignPrefix(s, env, 'fork over', undefined);
    try {
      await marker.write(client, bucket, { project: ctx.project, env, parent, state: 'copying', createdAt }, ctx.signal);
    } catch (error) {
      throw s.fail(error, `writing the fork-stack marker of "${env}"`);
    }
  }
  let copied;
  try {
    copied = await copyObjects({
      client,
      source: { bucket, prefix: sourcePrefix, ranges: rangesFor(ctx, sourcePrefix) },
      target: { bucket, prefix: targetPrefix },
      concurrency: ctx.options.concurrency,
      multipartThreshold: ctx.options.multipart_threshold,
      partSize: ctx.options.part_size,
      copyTags: s.flavor.copyTags,
      pinSourceVersion: s.flavor.pinSourceVersion,
      resume: record !== undefined,
      signal: ctx.signal,
      onProgress: reportCopy(ctx),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const key = (error as { key?: string }).key;
    throw s.fail(error, `copying ${key ? `"${key}"` : 'objects'} to ${bucket}/${targetPrefix}`);
  }
  record = { project: ctx.project, env, parent, state: 'ready', createdAt, ...expiry(request) };
  try {
    await marker.write(client, bucket, record, ctx.signal);
  } catch (error) {
    throw s.fail(error, `marking "${env}" as complete`);
  }
  return resource(s, env, record, {
    details: { bucket, prefix: targetPrefix, region: s.region, objects: copied.copied + copied.skipped, bytes: copied.bytes, copied: copied.copied },
  });
}

export async function removePrefix(s: S, env: string): Promise<void> {
  const { ctx, client } = s;
  const bucket = sharedBucket(ctx);
  const prefix = prefixFor(ctx, env);
  if (prefix === '') throw new UsageError(`"${env}" is a root at the top of ${bucket}; fork-stack never deletes it`);
  const { presence } = await headBucket(s, bucket);
  if (presence === 'missing') return;
  const marker = await readMarker(s, env);
  if (marker && !ownedBy(marker, ctx.project, env)) throw foreignPrefix(s, env, 'delete', marker);
  if (!marker) {
    if (!(await hasObjects(s, prefix))) return;
    throw foreignPrefix(s, env, 'delete', undefined);
  }
  try {
    await emptyBucket(client, bucket, prefix, {
      concurrency: ctx.options.concurrency,
      signal: ctx.signal,
      onProgress: (deleted) => ctx.progress({ message: 'deleting objects', done: deleted, unit: 'objects' }),
    });
    await deleteKeys(client, bucket, [markerKey(ctx, env)], { concurrency: 1, signal: ctx.signal });
  } catch (error) {
    throw s.fail(error, `deleting ${bucket}/${prefix}`);
  }
}

export async function listPrefixEnvs(s: S): Promise<Resource[]> {
  const { ctx, client } = s;
  const bucket = sharedBucket(ctx);
  const out: Resource[] = [];
  const { presence } = await headBucket(s, bucket);
  if (presence === 'missing') return out;
  for (const root of ctx.roots) if (prefixFor(ctx, root) === '') out.push(resource(s, root, undefined));
  const folder = `${forksFolder(ctx)}.fork-stack/`;
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }), { abortSignal: ctx.signal });
      const envs = (page.Contents ?? []).map((o) => /^(.+)\.json$/.exec((o.Key ?? '').slice(folder.length))?.[1]).filter((e): e is string => !!e);
      const records = await Promise.all(
        envs.map(async (env) => {
          const record = await objectOwnership(markerKey(ctx, env)).read(client, bucket, ctx.signal);
          return ownedBy(record, ctx.project, env) ? record : undefined;
        }),
      );
      envs.forEach((env, i) => {
        const record = records[i];
        if (record) out.push(resource(s, env, record));
      });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw s.fail(error, `listing environments in ${bucket}`);
  }
  return out;
}

export function prefixVariables(s: S, env: string): Record<string, string> {
  const prefix = prefixFor(s.ctx, env);
  const vars = bucketVariables(s.ctx, sharedBucket(s.ctx));
  const key = `BUCKET_${(s.ctx.bucket?.name ?? 'default').toUpperCase().replace(/-/g, '_')}_KEY_PREFIX`;
  if (s.ctx.bucket?.isDefault !== false) vars.BUCKET_KEY_PREFIX = prefix;
  vars[key] = prefix;
  return { ...vars, ...locationVariables(s) };
}
