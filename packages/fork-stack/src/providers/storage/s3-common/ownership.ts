/**
 * Ownership markers: how fork-stack recognises a bucket (or prefix) it made, so it never adopts,
 * overwrites or deletes a same-named bucket that someone else made, and how it records whether a
 * fork's copy finished ("copying" until the last object is there, then "ready").
 *
 * - tags: bucket tags `fork-stack:project`, `fork-stack:env`, `fork-stack:parent`, `fork-stack:state`
 *   (S3, Tigris, MinIO, Ceph). Invisible to the app.
 * - object: a small JSON object (R2 and other services without bucket tagging). The copy engine never
 *   copies it and listings by fork-stack skip it; the app sees it if it lists the bucket.
 */
import {
  GetBucketTaggingCommand,
  GetObjectCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { UsageError } from '../../../core/errors.js';
import { errorCode, isMissingKey, isUnsupported } from './errors.js';

export type ForkState = 'copying' | 'ready';

export interface OwnerRecord {
  project: string;
  env: string;
  parent?: string;
  state: ForkState;
  createdAt?: string;
  /** ISO 8601 expiry (`--ttl`), so that gc on any machine sees it. */
  expiresAt?: string;
}

export interface Ownership {
  read(client: S3Client, bucket: string, signal?: AbortSignal): Promise<OwnerRecord | undefined>;
  write(client: S3Client, bucket: string, record: OwnerRecord, signal?: AbortSignal): Promise<void>;
  /** The marker's key inside the bucket, when it is an object the copy engine must skip. */
  readonly markerKey?: string;
}

const TAG = {
  project: 'fork-stack:project',
  env: 'fork-stack:env',
  parent: 'fork-stack:parent',
  state: 'fork-stack:state',
  createdAt: 'fork-stack:created',
  expiresAt: 'fork-stack:expires',
} as const;

/** The expiry a fork records in its marker, when the create asked for one. */
export function expiry(request: { expiresAt?: Date }): Pick<OwnerRecord, 'expiresAt'> {
  return request.expiresAt ? { expiresAt: request.expiresAt.toISOString() } : {};
}

/** True when `record` says the bucket is `env`'s of `project`. */
export function ownedBy(record: OwnerRecord | undefined, project: string, env: string): record is OwnerRecord {
  return record !== undefined && record.project === project && record.env === env;
}

/** Whose a marker says the bucket is, when it is another project's or environment's (for the refusal). */
export function markedFor(record: OwnerRecord | undefined, project: string, env: string): { project: string; env: string } | undefined {
  if (!record || (record.project === project && record.env === env)) return undefined;
  return { project: record.project, env: record.env };
}

export function tagOwnership(slot: string): Ownership {
  const readTags = async (client: S3Client, bucket: string, signal?: AbortSignal): Promise<Tag[]> => {
    try {
      return (await client.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal })).TagSet ?? [];
    } catch (error) {
      if (errorCode(error) === 'NoSuchTagSet' || errorCode(error) === 'NoSuchTagSetError') return [];
      if (isUnsupported(error)) {
        throw new UsageError(`${slot}: this S3 service does not support bucket tags, which fork-stack uses to mark its buckets`, {
          hint: `Set owner_marker = "object" in [${slot}] (a small .fork-stack/owner.json object marks the buckets instead).`,
          cause: error,
        });
      }
      throw error;
    }
  };
  return {
    async read(client, bucket, signal) {
      const tags = new Map((await readTags(client, bucket, signal)).map((t) => [t.Key, t.Value]));
      const project = tags.get(TAG.project);
      const env = tags.get(TAG.env);
      if (!project || !env) return undefined;
      return { project, env, parent: tags.get(TAG.parent), state: tags.get(TAG.state) === 'ready' ? 'ready' : 'copying', createdAt: tags.get(TAG.createdAt), expiresAt: tags.get(TAG.expiresAt) };
    },
    async write(client, bucket, record, signal) {
      // PutBucketTagging replaces the whole set: keep the tags that are not ours.
      const others = (await readTags(client, bucket, signal)).filter((t) => !t.Key?.startsWith('fork-stack:'));
      const ours: Tag[] = [
        { Key: TAG.project, Value: record.project },
        { Key: TAG.env, Value: record.env },
        ...(record.parent ? [{ Key: TAG.parent, Value: record.parent }] : []),
        { Key: TAG.state, Value: record.state },
        ...(record.createdAt ? [{ Key: TAG.createdAt, Value: record.createdAt }] : []),
        ...(record.expiresAt ? [{ Key: TAG.expiresAt, Value: record.expiresAt }] : []),
      ];
      await client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [...others, ...ours] } }), { abortSignal: signal });
    },
  };
}

export const OWNER_OBJECT_KEY = '.fork-stack/owner.json';

export function objectOwnership(markerKey: string = OWNER_OBJECT_KEY): Ownership {
  return {
    markerKey,
    async read(client, bucket, signal) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: markerKey }), { abortSignal: signal });
        const parsed = JSON.parse((await out.Body?.transformToString()) ?? '') as Partial<OwnerRecord> & { tool?: string };
        if (parsed.tool !== 'fork-stack' || typeof parsed.project !== 'string' || typeof parsed.env !== 'string') return undefined;
        return { project: parsed.project, env: parsed.env, parent: parsed.parent, state: parsed.state === 'ready' ? 'ready' : 'copying', createdAt: parsed.createdAt, expiresAt: parsed.expiresAt };
      } catch (error) {
        if (isMissingKey(error) || error instanceof SyntaxError) return undefined;
        throw error;
      }
    },
    async write(client, bucket, record, signal) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: markerKey,
          Body: JSON.stringify({ tool: 'fork-stack', ...record }),
          ContentType: 'application/json',
        }),
        { abortSignal: signal },
      );
    },
  };
}
