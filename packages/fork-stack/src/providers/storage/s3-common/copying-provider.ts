/**
 * The Provider shared by s3 and r2 (services without native forks): the mode decides whether an
 * environment is a bucket (bucket-mode.ts) or a prefix of a shared bucket (prefix-mode.ts); both use
 * the same copy engine. Each service supplies only its Flavor (naming rules, endpoint, credentials).
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { Check, Description, Provider, ProviderContext, SeedObject } from '../../types.js';
import { listObjectPages } from './listing.js';
import { bucketVariables } from '../naming.js';
import { bucketNameProblem } from './bucket-names.js';
import { findBucket, forkBucket, listBucketEnvs, removeBucket } from './bucket-mode.js';
import { isAccessDenied, isCredentialError } from './errors.js';
import { seedObjects } from './seed.js';
import { findPrefix, forkPrefix, forksFolder, listPrefixEnvs, prefixFor, prefixResourceName, prefixVariables, removePrefix, sharedBucket } from './prefix-mode.js';
import { bucketNameFor, headBucket, locationVariables, openSession, type CopyingOptions, type Flavor, type Session } from './session.js';

type Ctx = ProviderContext<CopyingOptions>;

export function copyingProvider<O extends CopyingOptions>(flavor: Flavor<O>) {
  const open = (ctx: Ctx) => openSession(ctx as ProviderContext<O>, flavor) as unknown as Session<CopyingOptions>;
  const prefixMode = (ctx: Ctx) => ctx.options.mode === 'prefix';

  return {
    kind: 'storage',
    name: flavor.provider,
    publicVariables: ['BUCKET_*', 'AWS_REGION', 'AWS_ENDPOINT_URL_S3'],

    resourceName: (ctx: Ctx, env: string) => (prefixMode(ctx) ? prefixResourceName(ctx, env) : bucketNameFor(ctx, env)),

    checkName(ctx: Ctx, env: string) {
      if (!prefixMode(ctx)) return bucketNameProblem(bucketNameFor(ctx, env), flavor.rules);
      const bucketProblem = bucketNameProblem(sharedBucket(ctx), flavor.rules);
      if (bucketProblem) return bucketProblem;
      const prefix = prefixFor(ctx, env);
      // Keep most of S3's 1,024-byte key limit for the app's own keys.
      return Buffer.byteLength(prefix) > 256 ? `key prefix "${prefix.slice(0, 40)}…" is longer than 256 bytes` : undefined;
    },

    find: async (ctx: Ctx, env: string) => (prefixMode(ctx) ? findPrefix(open(ctx), env) : findBucket(open(ctx), env)),
    fork: async (ctx: Ctx, request) => (prefixMode(ctx) ? forkPrefix(open(ctx), request) : forkBucket(open(ctx), request)),
    remove: async (ctx: Ctx, { env }) => (prefixMode(ctx) ? removePrefix(open(ctx), env) : removeBucket(open(ctx), env)),
    list: async (ctx: Ctx) => (prefixMode(ctx) ? listPrefixEnvs(open(ctx)) : listBucketEnvs(open(ctx))),

    async variables(ctx: Ctx, env: string) {
      const s = open(ctx);
      if (prefixMode(ctx)) return prefixVariables(s, env);
      return { ...bucketVariables(ctx, bucketNameFor(ctx, env)), ...locationVariables(s) };
    },

    check: async (ctx: Ctx) => checkCopying(open(ctx)),

    describe: async (ctx: Ctx, env: string) => describeObjects(open(ctx), env),
    seed: async (ctx: Ctx, env: string, objects: readonly SeedObject[]) => seedObjects(open(ctx), env, objects),
  } satisfies Provider<CopyingOptions>;
}

/**
 * For `fork-stack diff`: how many objects and bytes the environment holds (its bucket, or its prefix of
 * the shared bucket; a root's top level without the forks' folder). fork-stack's own marker is not counted.
 */
export async function describeObjects(s: Session<CopyingOptions>, env: string): Promise<Description> {
  const { ctx } = s;
  const prefixMode = ctx.options.mode === 'prefix';
  const bucket = prefixMode ? sharedBucket(ctx) : bucketNameFor(ctx, env);
  const prefix = prefixMode ? prefixFor(ctx, env) : '';
  const forks = prefixMode && prefix === '' ? forksFolder(ctx) : undefined;
  const marker = s.flavor.ownership(ctx).markerKey;
  let count = 0;
  let bytes = 0;
  try {
    for await (const page of listObjectPages(s.client, { bucket, prefix, signal: ctx.signal })) {
      for (const object of page) {
        if (object.key === marker || (forks && object.key.startsWith(forks))) continue;
        count++;
        bytes += object.size;
      }
    }
  } catch (error) {
    throw s.fail(error, `listing ${bucket}${prefix ? `/${prefix}` : ''}`);
  }
  return { objects: { count, bytes } };
}

/** doctor: credentials, a harmless call, the roots, and what a fork will need. */
export async function checkCopying(s: Session<CopyingOptions>): Promise<Check[]> {
  const { ctx, flavor } = s;
  const checks: Check[] = [];
  try {
    await s.client.config.credentials();
    checks.push({ name: 'credentials', status: 'ok', message: `found (${flavor.credentialHint.split(' (')[0]} or the SDK chain)` });
  } catch {
    checks.push({ name: 'credentials', status: 'fail', message: 'no credentials found', fix: `Set ${flavor.credentialHint}.` });
    return checks;
  }
  try {
    await s.client.send(new ListBucketsCommand({ MaxBuckets: flavor.bucketPageSize ? 1 : undefined }), { abortSignal: ctx.signal });
    checks.push({ name: 'reachability', status: 'ok', message: `${s.endpoint ?? `${flavor.provider} ${s.region}`} answered ListBuckets` });
  } catch (error) {
    const failure = s.fail(error, 'ListBuckets');
    if (isCredentialError(error)) {
      checks.push({ name: 'reachability', status: 'fail', message: failure.message, fix: failure.hint });
      return checks;
    }
    if (isAccessDenied(error)) {
      checks.push({ name: 'list buckets', status: 'warn', message: 'the key may not list buckets: `fork-stack list` will not see this bucket\'s environments', fix: 'Grant s3:ListAllMyBuckets to the key.' });
    } else {
      checks.push({ name: 'reachability', status: 'fail', message: failure.message, fix: failure.hint });
      return checks;
    }
  }
  const roots = ctx.options.mode === 'prefix' ? [{ env: ctx.roots[0] ?? 'root', bucket: sharedBucket(ctx) }] : ctx.roots.map((env) => ({ env, bucket: bucketNameFor(ctx, env) }));
  for (const root of roots) {
    try {
      const { presence } = await headBucket(s, root.bucket);
      checks.push(
        presence === 'exists'
          ? { name: `bucket ${root.bucket}`, status: 'ok', message: `exists (${ctx.options.mode === 'prefix' ? 'shared bucket' : `root "${root.env}"`})` }
          : {
              name: `bucket ${root.bucket}`,
              status: 'fail',
              message: presence === 'missing' ? 'does not exist' : 'exists but these credentials may not read it',
              fix: presence === 'missing' ? `Create it, or point names = { ${root.env} = "…" } at the existing bucket in [${ctx.slot}].` : `Grant ${flavor.permissions}.`,
            },
      );
    } catch (error) {
      checks.push({ name: `bucket ${root.bucket}`, status: 'fail', message: (error as Error).message });
    }
  }
  checks.push(
    ctx.options.mode === 'prefix'
      ? { name: 'permissions', status: 'ok', message: `forks copy within ${sharedBucket(ctx)}: needs s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject on it` }
      : {
          name: 'create buckets',
          status: 'warn',
          message: `cannot be verified without creating a bucket; forks need ${flavor.permissions}`,
          fix: `If the key may not create buckets, use mode = "prefix" with a shared bucket in [${ctx.slot}].`,
        },
  );
  return checks;
}
