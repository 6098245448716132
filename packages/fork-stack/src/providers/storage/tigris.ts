/**
 * Tigris: native copy-on-write bucket forks. A fork is one CreateBucket with the header
 * `X-Tigris-Fork-Source-Bucket: <parent>` (and `X-Tigris-Fork-Source-Bucket-Snapshot: <version>` for
 * `--at`), so it takes the same few requests whatever the bucket holds; the parent must be
 * snapshot-enabled. `--at` forks from the parent's newest snapshot taken at or before that time
 * (snapshots are listed with ListBuckets + `X-Tigris-Snapshot: <bucket>`). A bucket with forks cannot
 * be deleted: its forks go first. Remove uses `Tigris-Force-Delete: true` (one request, as Tigris's
 * own SDKs do), falling back to emptying the bucket if the service refuses it.
 * Credentials: TIGRIS_STORAGE_ACCESS_KEY_ID / TIGRIS_STORAGE_SECRET_ACCESS_KEY, else AWS_*.
 */
import { describeObjects } from './s3-common/copying-provider.js';
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, type ListBucketsCommandOutput } from '@aws-sdk/client-s3';
import { OperationError } from '../../core/errors.js';
import type { Check, ForkRequest, Provider, ProviderContext, Resource, SeedObject } from '../types.js';
import { seedObjects } from './s3-common/seed.js';
import { bucketVariables } from './naming.js';
import { bucketNameProblem } from './s3-common/bucket-names.js';
import { findBucket, foreignBucket, listBucketEnvs, refusedByService } from './s3-common/bucket-mode.js';
import { clearIntent, recordIntent } from './s3-common/intent.js';
import { AWS_CREDENTIAL_VARIABLES, endpointFromEnv } from './s3-common/client.js';
import { emptyBucket } from './s3-common/delete.js';
import { errorCode, isMissingBucket } from './s3-common/errors.js';
import { sendWithHeaders } from './s3-common/headers.js';
import { expiry, tagOwnership, type OwnerRecord } from './s3-common/ownership.js';
import { bucketNameFor, headBucket, locationVariables, openSession, whereOf, type CopyingOptions, type Flavor, type Session } from './s3-common/session.js';
import type { TigrisOptions } from './tigris.schema.js';

type Ctx = ProviderContext<TigrisOptions>;
type S = Session<TigrisOptions>;

export const TIGRIS_ENDPOINT = 'https://t3.storage.dev';
const ENABLE_SNAPSHOTS_FIX = (bucket: string) =>
  `Enable snapshots on ${bucket}: "tigris buckets enable-snapshots ${bucket}" or the Tigris dashboard (buckets made with the header X-Tigris-Enable-Snapshot: true have them from the start).`;

const flavor: Flavor<TigrisOptions> = {
  provider: 'tigris',
  rules: 'tigris',
  region: () => 'auto',
  endpoint: (ctx) => ctx.options.endpoint ?? endpointFromEnv(ctx.env) ?? TIGRIS_ENDPOINT,
  credentialSets: [['TIGRIS_STORAGE_ACCESS_KEY_ID', 'TIGRIS_STORAGE_SECRET_ACCESS_KEY'], AWS_CREDENTIAL_VARIABLES],
  credentialHint: 'TIGRIS_STORAGE_ACCESS_KEY_ID and TIGRIS_STORAGE_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
  ownership: (ctx) => tagOwnership(ctx.slot),
  copyTags: true,
  pinSourceVersion: true,
  locationConstraint: false,
  permissions: 'an access key with Editor access to the parent bucket and permission to create buckets',
  // A killed create leaves an unmarked fork holding the parent's objects: besides this checkout's ledger,
  // Tigris itself must say the bucket is a fork of the intended parent.
  leftoverProof: async (_s, _bucket, intent, headers) => headers['x-tigris-fork-source-bucket'] === intent.source,
};

const open = (ctx: Ctx): S => openSession(ctx, flavor);
/** The bucket-mode helpers only read name/names from the options. */
const asCopying = (s: S) => s as unknown as Session<CopyingOptions>;

export interface Snapshot {
  version: string;
  name?: string;
  createdAt: Date;
}

/** Every snapshot of `bucket` (ListBuckets with X-Tigris-Snapshot), following continuation tokens. */
export async function listSnapshots(s: S, bucket: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  let token: string | undefined;
  for (;;) {
    const { output } = await sendWithHeaders<ListBucketsCommandOutput>(s.client, new ListBucketsCommand({ ContinuationToken: token }), {
      headers: { 'X-Tigris-Snapshot': bucket },
      signal: s.ctx.signal,
    });
    const page = output.Buckets ?? [];
    for (const b of page) {
      const [version, ...rest] = (b.Name ?? '').split(';');
      const name = /^\s*name=(.*)$/.exec(rest.join(';'))?.[1];
      if (version && b.CreationDate) out.push({ version: version.trim(), name, createdAt: b.CreationDate });
    }
    if (!output.ContinuationToken || page.length === 0 || output.ContinuationToken === token) return out;
    token = output.ContinuationToken;
  }
}

/** The newest snapshot taken at or before `at`. */
export function snapshotAt(snapshots: Snapshot[], at: Date): Snapshot | undefined {
  return snapshots.filter((x) => x.createdAt.getTime() <= at.getTime()).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

async function fork(ctx: Ctx, request: ForkRequest): Promise<Resource> {
  const { env, parent, at, expiresAt } = request;
  const s = open(ctx);
  const target = bucketNameFor(ctx, env);
  const source = bucketNameFor(ctx, parent);
  const existing = await findBucket(asCopying(s), env);
  if (existing) {
    if (existing.owned !== true) throw foreignBucket(s, target, env, existing.markedFor);
    if (existing.state !== 'partial') return existing;
    // An unmarked fork this checkout's killed create made (its ledger and the fork source prove it): mark it.
    if (existing.parent !== parent) {
      throw new OperationError(`bucket ${target} was being forked from "${existing.parent}", not "${parent}"`, { hint: `Delete "${env}" first to fork it from "${parent}".` });
    }
    const record: OwnerRecord = { project: ctx.project, env, parent, state: 'ready', createdAt: existing.createdAt ?? ctx.now().toISOString(), ...expiry({ expiresAt }) };
    try {
      await flavor.ownership(ctx).write(s.client, target, record, ctx.signal);
    } catch (error) {
      throw s.fail(error, `tagging bucket ${target} as fork-stack's`);
    }
    await clearIntent(ctx, env).catch(() => undefined);
    return { ...existing, state: 'ready', owned: true, details: { bucket: target, forkOf: source } };
  }

  const parentHead = await headBucket(s, source);
  if (parentHead.presence === 'missing') {
    throw new OperationError(`parent bucket ${source} (environment "${parent}") does not exist`, { hint: `Create "${parent}" first, or check the naming in [${ctx.slot}].` });
  }
  if (parentHead.presence === 'exists' && parentHead.headers['x-tigris-enable-snapshot'] !== 'true') {
    throw new OperationError(`parent bucket ${source} is not snapshot-enabled, so Tigris cannot fork it`, { hint: ENABLE_SNAPSHOTS_FIX(source) });
  }

  const headers: Record<string, string> = { 'X-Tigris-Fork-Source-Bucket': source };
  let snapshot: Snapshot | undefined;
  if (at) {
    const snapshots = await listSnapshots(s, source).catch((error: unknown) => {
      throw s.fail(error, `listing the snapshots of ${source}`);
    });
    snapshot = snapshotAt(snapshots, at);
    if (!snapshot) {
      const oldest = snapshots.map((x) => x.createdAt.toISOString()).sort()[0];
      throw new OperationError(`bucket ${source} has no snapshot taken at or before ${at.toISOString()}${oldest ? ` (the oldest is from ${oldest})` : ' (it has none)'}`, {
        hint: `Tigris forks from snapshots: take them with "tigris snapshots take ${source}", or fork without --at.`,
      });
    }
    if (at.getTime() - snapshot.createdAt.getTime() > 60_000) {
      ctx.warn(`forking ${source} as of its snapshot ${snapshot.version}${snapshot.name ? ` ("${snapshot.name}")` : ''} taken at ${snapshot.createdAt.toISOString()}, the newest before ${at.toISOString()}`);
    }
    headers['X-Tigris-Fork-Source-Bucket-Snapshot'] = snapshot.version;
  }

  try {
    await recordIntent(ctx, { bucket: target, where: whereOf(s), project: ctx.project, env, parent, source, runId: request.runId, at: ctx.now().toISOString() });
  } catch (error) {
    throw new OperationError(`could not record the creation of bucket ${target} in ${ctx.stateDir}: ${(error as Error).message}`, {
      hint: 'fork-stack writes a small file there before creating a bucket; make the directory writable and try again.',
    });
  }
  try {
    await sendWithHeaders(s.client, new CreateBucketCommand({ Bucket: target }), { headers, signal: ctx.signal });
  } catch (error) {
    if (refusedByService(error)) await clearIntent(ctx, env).catch(() => undefined);
    if (errorCode(error) === 'BucketAlreadyExists') {
      throw new OperationError(`bucket name ${target} is already taken (Tigris bucket names are global)`, { hint: `Change the naming pattern (name = "…") in [${ctx.slot}].` });
    }
    if (/snapshot type/i.test((error as Error).message ?? '')) {
      throw new OperationError(`parent bucket ${source} is not snapshot-enabled, so Tigris cannot fork it`, { hint: ENABLE_SNAPSHOTS_FIX(source) });
    }
    throw s.fail(error, `forking bucket ${source} into ${target}`);
  }
  const record: OwnerRecord = { project: ctx.project, env, parent, state: 'ready', createdAt: ctx.now().toISOString(), ...expiry({ expiresAt }) };
  try {
    await flavor.ownership(ctx).write(s.client, target, record, ctx.signal);
  } catch (error) {
    if (await forceDelete(s, target).then(() => true, () => false)) await clearIntent(ctx, env).catch(() => undefined);
    throw s.fail(error, `tagging bucket ${target} as fork-stack's`);
  }
  await clearIntent(ctx, env).catch(() => undefined);
  return {
    env,
    name: target,
    parent,
    createdAt: record.createdAt,
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    state: 'ready',
    owned: true,
    details: { bucket: target, forkOf: source, ...(snapshot ? { snapshot: snapshot.version, snapshotAt: snapshot.createdAt.toISOString() } : {}) },
  };
}

async function forceDelete(s: S, bucket: string): Promise<void> {
  await sendWithHeaders(s.client, new DeleteBucketCommand({ Bucket: bucket }), { headers: { 'Tigris-Force-Delete': 'true' }, signal: s.ctx.signal });
}

async function remove(ctx: Ctx, env: string): Promise<void> {
  const s = open(ctx);
  const bucket = bucketNameFor(ctx, env);
  const existing = await findBucket(asCopying(s), env);
  if (!existing) {
    await clearIntent(ctx, env);
    return;
  }
  if (existing.owned !== true) {
    const refusal = foreignBucket(s, bucket, env, existing.markedFor);
    throw new OperationError(refusal.message.replace(' already exists and was', ' was'), { hint: 'Delete it yourself if it really is this environment\'s.' });
  }
  const head = await headBucket(s, bucket);
  if (head.headers['x-tigris-is-fork-parent'] === 'true') {
    const children = (await listBucketEnvs(asCopying(s)).catch(() => [])).filter((r) => r.parent === env).map((r) => r.env);
    throw new OperationError(`bucket ${bucket} has forks, and Tigris deletes forks before their parent`, {
      hint: children.length > 0 ? `Delete ${children.map((c) => `"${c}"`).join(', ')} first.` : 'Delete the buckets forked from it first.',
    });
  }
  try {
    await forceDelete(s, bucket);
    await clearIntent(ctx, env);
  } catch (error) {
    if (isMissingBucket(error)) return clearIntent(ctx, env);
    if (errorCode(error) !== 'BucketNotEmpty') throw s.fail(error, `deleting bucket ${bucket}`);
    // Force-delete refused (or a fork appeared meanwhile): empty it the S3 way and try once more.
    try {
      await emptyBucket(s.client, bucket, '', { concurrency: ctx.options.concurrency, signal: ctx.signal });
      await s.client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: ctx.signal });
      await clearIntent(ctx, env);
    } catch (again) {
      if (isMissingBucket(again)) return clearIntent(ctx, env);
      throw s.fail(again, `deleting bucket ${bucket} (has it got forks?)`);
    }
  }
}

async function check(ctx: Ctx): Promise<Check[]> {
  const s = open(ctx);
  const checks: Check[] = [];
  try {
    await s.client.config.credentials();
  } catch {
    return [{ name: 'credentials', status: 'fail', message: 'no credentials found', fix: `Set ${flavor.credentialHint}.` }];
  }
  try {
    await s.client.send(new ListBucketsCommand({}), { abortSignal: ctx.signal });
    checks.push({ name: 'reachability', status: 'ok', message: `${s.endpoint} answered ListBuckets` });
  } catch (error) {
    const failure = s.fail(error, 'ListBuckets');
    return [...checks, { name: 'reachability', status: 'fail', message: failure.message, fix: failure.hint }];
  }
  for (const root of ctx.roots) {
    const bucket = bucketNameFor(ctx, root);
    try {
      const head = await headBucket(s, bucket);
      if (head.presence === 'missing') {
        checks.push({ name: `bucket ${bucket}`, status: 'fail', message: 'does not exist', fix: `Create it with snapshots enabled, or point names = { ${root} = "…" } at your bucket in [${ctx.slot}].` });
      } else if (head.presence === 'forbidden') {
        checks.push({ name: `bucket ${bucket}`, status: 'fail', message: 'exists but these credentials may not read it', fix: `Use a key with access to ${bucket}.` });
      } else if (head.headers['x-tigris-enable-snapshot'] !== 'true') {
        checks.push({ name: `bucket ${bucket}`, status: 'fail', message: `root "${root}" is not snapshot-enabled: Tigris cannot fork it`, fix: ENABLE_SNAPSHOTS_FIX(bucket) });
      } else {
        checks.push({ name: `bucket ${bucket}`, status: 'ok', message: `root "${root}" exists and is snapshot-enabled` });
      }
    } catch (error) {
      checks.push({ name: `bucket ${bucket}`, status: 'fail', message: (error as Error).message });
    }
  }
  return checks;
}

export const provider = {
  kind: 'storage',
  name: 'tigris',
  capabilities: { pointInTime: true },
  publicVariables: ['BUCKET_*', 'AWS_REGION', 'AWS_ENDPOINT_URL_S3'],
  resourceName: (ctx: Ctx, env: string) => bucketNameFor(ctx, env),
  checkName: (ctx: Ctx, env: string) => bucketNameProblem(bucketNameFor(ctx, env), 'tigris'),
  find: async (ctx: Ctx, env: string) => findBucket(asCopying(open(ctx)), env),
  fork: async (ctx: Ctx, request: ForkRequest) => fork(ctx, request),
  remove: async (ctx: Ctx, { env }: { env: string }) => remove(ctx, env),
  list: async (ctx: Ctx) => listBucketEnvs(asCopying(open(ctx))),
  variables: async (ctx: Ctx, env: string) => ({ ...bucketVariables(ctx, bucketNameFor(ctx, env)), ...locationVariables(open(ctx)) }),
  check,
  describe: async (ctx: Ctx, env: string) => describeObjects(asCopying(open(ctx)), env),
  seed: async (ctx: Ctx, env: string, objects: readonly SeedObject[]) => seedObjects(open(ctx), env, objects),
} satisfies Provider<TigrisOptions>;

