/**
 * Everything observable of a bucket (or of a key prefix of one), so that "left byte-identical" is real:
 * every object version and delete marker (ListObjectVersions, with ETag, size and which is latest), the
 * bucket's versioning state, tags, policy and ACL. Also planting foreign buckets and clearing them with
 * the SDK directly (never fork-stack's code), for the ownership contract.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

async function orNull<T>(p: Promise<T>): Promise<T | string> {
  try {
    return await p;
  } catch (error) {
    return `error:${(error as { name?: string }).name ?? 'unknown'}`;
  }
}

/** Every version and delete marker under `prefix`, in listing order (or the current objects where the server has no versioning). */
export async function versionsOf(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    // Servers without versioning (s3rver) fail or answer a plain listing: the current objects below then say it all.
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, VersionIdMarker: versionMarker })).catch(() => undefined);
    if (!page) break;
    for (const v of page.Versions ?? []) out.push(`v ${v.Key} ${v.VersionId} ${v.ETag} ${v.Size} ${v.IsLatest ? 'latest' : ''}`);
    for (const d of page.DeleteMarkers ?? []) out.push(`d ${d.Key} ${d.VersionId} ${d.IsLatest ? 'latest' : ''}`);
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push(`o ${o.Key} ${o.ETag} ${o.Size}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

/** The whole observable state of `bucket` (or only `prefix` of it, plus the bucket's settings). */
export async function bucketFingerprint(client: S3Client, bucket: string, prefixes: string[] = ['']): Promise<string> {
  const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) return JSON.stringify({ bucket, exists });
  const [versioning, tags, policy, acl] = await Promise.all([
    orNull(client.send(new GetBucketVersioningCommand({ Bucket: bucket })).then((v) => v.Status ?? 'never')),
    orNull(client.send(new GetBucketTaggingCommand({ Bucket: bucket })).then((t) => (t.TagSet ?? []).map((x) => `${x.Key}=${x.Value}`).sort())),
    orNull(client.send(new GetBucketPolicyCommand({ Bucket: bucket })).then((p) => p.Policy ?? '')),
    orNull(client.send(new GetBucketAclCommand({ Bucket: bucket })).then((a) => ({ owner: a.Owner?.ID, grants: (a.Grants ?? []).map((g) => `${g.Grantee?.Type}:${g.Grantee?.ID ?? g.Grantee?.URI}:${g.Permission}`).sort() }))),
  ]);
  const contents = await Promise.all(prefixes.map(async (p) => [p, await versionsOf(client, bucket, p)] as const));
  return JSON.stringify({ bucket, exists, versioning, tags, policy, acl, contents });
}

export const forkStackTags = (project: string, env: string, extra: Record<string, string> = {}) =>
  Object.entries({ 'fork-stack:project': project, 'fork-stack:env': env, 'fork-stack:state': 'ready', 'fork-stack:parent': 'dev', ...extra }).map(([Key, Value]) => ({ Key, Value }));

export async function plantBucket(
  client: S3Client,
  bucket: string,
  o: { objects?: Record<string, string>; tags?: { Key: string; Value: string }[]; versioned?: boolean; deleteAll?: boolean; publicRead?: boolean } = {},
): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (o.versioned) await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (const [Key, Body] of Object.entries(o.objects ?? {})) await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
  if (o.deleteAll) for (const Key of Object.keys(o.objects ?? {})) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  if (o.tags) await client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: o.tags } }));
  if (o.publicRead) {
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    });
    await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy }));
  }
}

/** Deletes every version under `prefix` and, when `prefix` is "", the bucket itself. Missing is fine. */
export async function clearBucket(client: S3Client, bucket: string, prefix = ''): Promise<void> {
  for (;;) {
    // Servers without versioning (s3rver) refuse or misread ListObjectVersions: the current objects then are all.
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined })).catch(() => undefined);
    const current = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined })).catch(() => undefined);
    if (!current) return;
    const ids: { Key: string; VersionId?: string }[] = [...(page?.Versions ?? []), ...(page?.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    for (const c of current.Contents ?? []) if (!ids.some((i) => i.Key === c.Key)) ids.push({ Key: c.Key as string });
    if (ids.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: ids.slice(0, 1000), Quiet: true } }));
  }
  if (prefix === '') await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

/**
 * The ownership contract's foreign buckets in bucket mode: planted under `name(env)` with the SDK (a bare
 * bucket, one with someone's object, or one tagged as fork-stack's for another project or environment of
 * `project`), fingerprinted and cleared. `plant` replaces or adds variants (R2's owner object, moto's
 * versioned buckets).
 */
export function bucketForeign(
  client: S3Client,
  name: (env: string) => string,
  project: string,
  plant: Partial<Record<'other-project' | 'other-env' | 'delete-markers-only', (env: string) => Promise<void>>> = {},
) {
  return {
    plant: {
      empty: (env: string) => plantBucket(client, name(env)),
      'non-empty': (env: string) => plantBucket(client, name(env), { objects: { 'precious.txt': 'not yours' } }),
      'other-project': (env: string) => plantBucket(client, name(env), { tags: forkStackTags(`${project}-x`, env) }),
      'other-env': (env: string) => plantBucket(client, name(env), { tags: forkStackTags(project, 'someone-else') }),
      ...plant,
    },
    fingerprint: (env: string) => bucketFingerprint(client, name(env)),
    clear: (env: string) => clearBucket(client, name(env)),
  };
}
