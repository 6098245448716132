/**
 * Seeds for S3-compatible buckets (s3, r2, tigris): each seed file is one PutObject into the
 * environment's bucket, or under its key prefix of the shared bucket (mode = "prefix"). The engine has
 * already walked and checked seed_dir (engine/seeds.ts); this only writes bytes.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { OperationError } from '../../../core/errors.js';
import type { SeedObject } from '../../types.js';
import { forksFolder, prefixFor, sharedBucket } from './prefix-mode.js';
import { bucketNameFor, type CopyingOptions, type S3LikeOptions, type Session } from './session.js';

/**
 * Up to this size a file is sent from memory, so the SDK can retry the request on a 5xx or a dropped
 * connection; a larger one is streamed (a stream cannot be replayed, so a transient failure fails the seed
 * and init rolls the root back).
 */
const IN_MEMORY_LIMIT = 8 * 1024 * 1024;

export async function seedObjects(s: Session<S3LikeOptions>, env: string, objects: readonly SeedObject[]): Promise<void> {
  const { ctx } = s;
  const options = ctx.options as Partial<CopyingOptions>;
  const prefixMode = options.mode === 'prefix';
  const bucket = prefixMode ? sharedBucket(ctx as never) : bucketNameFor(ctx, env);
  const prefix = prefixMode ? prefixFor(ctx as never, env) : '';
  const marker = s.flavor.ownership(ctx).markerKey;
  const reserved = prefixMode && prefix === '' ? forksFolder(ctx as never) : undefined;
  for (const object of objects) {
    // fork-stack's own marker and (for a shared bucket's root) the forks' folder are not the seed's to write.
    const key = prefix + object.key;
    if (key === marker || key.startsWith('.fork-stack/') || (reserved && key.startsWith(reserved))) {
      throw new OperationError(`seed object ${object.key} would land on fork-stack's own key ${key} in ${bucket}`, { hint: 'Rename or move that file in seed_dir.' });
    }
  }
  const limit = pLimit(ctx.options.concurrency);
  let done = 0;
  await Promise.all(
    objects.map((object) =>
      limit(async () => {
        ctx.signal.throwIfAborted();
        const Body = object.size <= IN_MEMORY_LIMIT ? await fs.readFile(object.file) : createReadStream(object.file);
        try {
          await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + object.key, Body, ContentLength: object.size }), { abortSignal: ctx.signal });
        } catch (error) {
          throw s.fail(error, `writing seed object ${prefix + object.key} to ${bucket}`);
        }
        ctx.progress({ message: 'seeding objects', done: ++done, total: objects.length, unit: 'objects' });
      }),
    ),
  );
}
