/**
 * The bucket-creation ledger (docs/architecture.md, "Ownership"; docs/backends/storage.md). A bucket is
 * created by one request (CreateBucket) and marked as fork-stack's by another (PutBucketTagging or the
 * owner object). A create killed between the two leaves a bucket that carries no marker. Before
 * CreateBucket, fork-stack writes its intent here, in the checkout's state directory: which bucket, on
 * which endpoint, for which project and environment, by which run. An unmarked bucket is accepted as
 * this checkout's leftover only when this ledger names it (and the caller's proof holds: no object
 * versions at all, or for Tigris a fork of the intended parent). Emptiness alone proves nothing: a
 * versioned bucket whose only current version is a delete marker lists empty and holds data.
 *
 * Why a local ledger rather than tags sent with CreateBucket (CreateBucketConfiguration.Tags): S3-compatible
 * servers ignore or reject that field (moto 5.2 creates the bucket and drops the tags without an error,
 * s3rver and R2 have no bucket tags at all), so a bucket "created with tags" can still come out unmarked,
 * and nothing would tell it from a stranger's.
 *
 * The entry is removed once the marker is written, and when the bucket is deleted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { removeAndPrune, writeFileAtomic } from '../../../core/files/atomic.js';
import type { ProviderContext } from '../../types.js';

export interface BucketIntent {
  tool: 'fork-stack';
  bucket: string;
  /** The endpoint (or "aws:<region>") the bucket was created on: a same-named bucket elsewhere is not it. */
  where: string;
  project: string;
  env: string;
  parent: string;
  /** The parent's bucket (Tigris: the fork source a leftover must show). */
  source: string;
  runId?: string;
  at: string;
}

function intentFile(ctx: ProviderContext<unknown>, env: string): string {
  return path.join(ctx.stateDir, 'bucket-intents', ctx.slot, `${env}.json`);
}

/** Recorded before CreateBucket; a failure to record stops the create before anything exists. */
export async function recordIntent(ctx: ProviderContext<unknown>, intent: Omit<BucketIntent, 'tool'>): Promise<void> {
  await writeFileAtomic(intentFile(ctx, intent.env), `${JSON.stringify({ tool: 'fork-stack', ...intent }, null, 2)}\n`, { mode: 0o600 });
}

/** This checkout's intent for `env`, when it names `bucket` on `where` for this project; else undefined. */
export async function readIntent(ctx: ProviderContext<unknown>, env: string, bucket: string, where: string): Promise<BucketIntent | undefined> {
  let parsed: Partial<BucketIntent>;
  try {
    parsed = JSON.parse(await fs.readFile(intentFile(ctx, env), 'utf8')) as Partial<BucketIntent>;
  } catch {
    // Missing, unreadable or torn: no proof, so nothing is accepted on its strength.
    return undefined;
  }
  const matches = parsed.tool === 'fork-stack' && parsed.bucket === bucket && parsed.where === where && parsed.project === ctx.project && parsed.env === env;
  return matches ? (parsed as BucketIntent) : undefined;
}

export async function clearIntent(ctx: ProviderContext<unknown>, env: string): Promise<void> {
  await removeAndPrune(intentFile(ctx, env), 2);
}
