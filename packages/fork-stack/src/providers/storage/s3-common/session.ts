/**
 * What every S3-compatible provider shares per slot: a flavour (the service's rules, credentials and
 * quirks), the client built from the options and the environment, and the helpers that turn SDK
 * errors and copy progress into fork-stack's terms.
 */
import { formatBytes } from '../../../core/format.js';
import { HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ForkStackError } from '../../../core/errors.js';
import { resourceNameFor } from '../../../core/names.js';
import type { ProviderContext } from '../../types.js';
import { bucketPattern, bucketValues } from '../naming.js';
import type { BucketNameRules } from './bucket-names.js';
import { createClient, credentialsFromEnv, defaultPathStyle, type CredentialVariables } from './client.js';
import type { CopyProgress } from './copy.js';
import { sendWithHeaders } from './headers.js';
import { isAccessDenied, isCredentialError, isMissingBucket, s3Failure } from './errors.js';
import type { BucketIntent } from './intent.js';
import type { Ownership } from './ownership.js';

/** Options every S3-compatible schema has (after parsing, sizes in bytes). */
export interface S3LikeOptions {
  name?: string;
  names: Record<string, string>;
  endpoint?: string;
  force_path_style?: boolean;
  concurrency: number;
}

export interface CopyingOptions extends S3LikeOptions {
  mode: 'bucket' | 'prefix';
  bucket?: string;
  key_prefix: string;
  multipart_threshold: number;
  part_size: number;
}

export interface Flavor<O extends S3LikeOptions = S3LikeOptions> {
  provider: 's3' | 'r2' | 'tigris';
  rules: BucketNameRules;
  region(ctx: ProviderContext<O>): string;
  endpoint(ctx: ProviderContext<O>): string | undefined;
  /** Key pairs tried in order; none found → the SDK's default chain. */
  credentialSets: readonly CredentialVariables[];
  /** How to name the credential variables in messages. */
  credentialHint: string;
  ownership(ctx: ProviderContext<O>): Ownership;
  /** Object tags survive a copy (CopyObject's TaggingDirective; R2 has no object tags). */
  copyTags: boolean;
  /** UploadPartCopy honours x-amz-copy-source-if-match. */
  pinSourceVersion: boolean;
  /** CreateBucket needs a LocationConstraint outside us-east-1 (AWS only). */
  locationConstraint: boolean;
  /** MaxBuckets for ListBuckets pages; undefined where the service pages on its own. */
  bucketPageSize?: number;
  /** Permissions a fork needs, named in AccessDenied hints. */
  permissions: string;
  /**
   * What, besides this checkout's creation ledger (intent.ts), proves that an unmarked bucket is the
   * leftover of this checkout's killed create. Default (bucket-mode.ts): it holds no object version at all.
   */
  leftoverProof?(s: Session<O>, bucket: string, intent: BucketIntent, headers: Record<string, string>): Promise<boolean>;
}

export interface Session<O extends S3LikeOptions = S3LikeOptions> {
  ctx: ProviderContext<O>;
  flavor: Flavor<O>;
  client: S3Client;
  endpoint?: string;
  region: string;
  fail(error: unknown, what: string): ForkStackError;
}

const clients = new WeakMap<object, S3Client>();

export function openSession<O extends S3LikeOptions>(ctx: ProviderContext<O>, flavor: Flavor<O>): Session<O> {
  const endpoint = flavor.endpoint(ctx);
  const region = flavor.region(ctx);
  let client = clients.get(ctx.options as object);
  if (!client) {
    client = createClient({
      provider: flavor.provider,
      endpoint,
      region,
      forcePathStyle: ctx.options.force_path_style ?? defaultPathStyle(endpoint),
      credentials: credentialsFromEnv(ctx, flavor.credentialSets),
      maxSockets: Math.max(ctx.options.concurrency + 8, 16),
    });
    clients.set(ctx.options as object, client);
  }
  return {
    ctx,
    flavor,
    client,
    endpoint,
    region,
    fail: (error, what) =>
      s3Failure(error, {
        provider: flavor.provider,
        what,
        endpoint: endpoint ?? `${flavor.provider} (${region})`,
        slot: ctx.slot,
        credentialVariables: flavor.credentialHint,
        permissions: flavor.permissions,
      }),
  };
}

/** Where buckets live, for the creation ledger: the endpoint, or AWS and the region. */
export function whereOf(s: Session): string {
  return s.endpoint ?? `${s.flavor.provider}:${s.region}`;
}

/** `env`'s bucket name from the naming pattern and per-environment overrides. */
export function bucketNameFor(ctx: ProviderContext<S3LikeOptions>, env: string): string {
  return resourceNameFor(bucketPattern(ctx, ctx.options.name), { project: ctx.project, ...bucketValues(ctx) }, env, ctx.options.names);
}

export type BucketPresence = 'exists' | 'missing' | 'forbidden';

/** HeadBucket as a value: a 403 means the name exists but belongs to someone we cannot see into. */
export async function headBucket(s: Session, bucket: string): Promise<{ presence: BucketPresence; headers: Record<string, string> }> {
  try {
    const { headers } = await sendWithHeaders(s.client, new HeadBucketCommand({ Bucket: bucket }), { signal: s.ctx.signal });
    return { presence: 'exists', headers };
  } catch (error) {
    if (isMissingBucket(error)) return { presence: 'missing', headers: {} };
    if (isAccessDenied(error)) {
      // A HEAD answer has no body: a bare 403 is either "not yours" or refused credentials. Ask once
      // with a request whose answer carries the error code.
      try {
        await s.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal: s.ctx.signal });
        return { presence: 'exists', headers: {} };
      } catch (detail) {
        if (isCredentialError(detail)) throw s.fail(detail, `looking up bucket ${bucket}`);
        if (isMissingBucket(detail)) return { presence: 'missing', headers: {} };
      }
      return { presence: 'forbidden', headers: {} };
    }
    throw s.fail(error, `looking up bucket ${bucket}`);
  }
}


/** Copy progress as the engine's progress updates: objects, bytes and the rate, for the spinner. */
export function reportCopy(ctx: ProviderContext<unknown>, verb = 'copying objects'): (p: CopyProgress) => void {
  return (p) =>
    ctx.progress({
      message: p.done
        ? `${p.copied} copied, ${p.skipped} already there, ${formatBytes(p.bytes)}`
        : `${verb}: ${Math.round(p.objectRate)} objects/s, ${formatBytes(p.byteRate)}/s${p.skipped ? `, ${p.skipped} already there` : ''}`,
      done: p.copied + p.skipped,
      bytes: p.bytes,
      unit: 'objects',
    });
}

/** Variables every S3-compatible bucket gives the app besides its name: where to reach it. */
export function locationVariables(s: Session): Record<string, string> {
  return { AWS_REGION: s.region, ...(s.endpoint ? { AWS_ENDPOINT_URL_S3: s.endpoint } : {}) };
}
