/**
 * Whole-keyspace operations on one environment's keys: find, delete and copy every key under a prefix.
 *
 * Everything iterates with SCAN (never KEYS, which blocks the server for the whole keyspace) in batches,
 * with each batch's commands pipelined. The prefix is glob-escaped in MATCH, and every key SCAN returns
 * is checked again with a byte comparison before it is touched: a key is only ever deleted or copied when
 * it really starts with the prefix. Keys are handled as Buffers so binary keys survive intact.
 */
import type { Redis as RedisClient } from 'ioredis';

/** Escape Redis glob metacharacters so that MATCH treats the prefix literally. */
export function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}

export function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}

export interface ScanOptions {
  /** SCAN COUNT: how many slots the server looks at per call, and so the batch size. */
  batch: number;
  signal?: AbortSignal;
}

/** Batches of keys that start with `prefix` ("" = every key), until the SCAN cursor comes back to 0. */
export async function* scanPrefix(client: RedisClient, prefix: string, options: ScanOptions): AsyncGenerator<Buffer[]> {
  const wanted = Buffer.from(prefix, 'utf8');
  const pattern = `${globEscape(prefix)}*`;
  let cursor = '0';
  do {
    options.signal?.throwIfAborted();
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', options.batch);
    cursor = next.toString();
    const mine = keys.filter((key) => startsWith(key, wanted));
    if (mine.length > 0) yield mine;
  } while (cursor !== '0');
}

/** True when at least one key starts with `prefix` (stops at the first one found). */
export async function hasKeys(client: RedisClient, prefix: string, options: ScanOptions, skip?: (key: Buffer) => boolean): Promise<boolean> {
  for await (const keys of scanPrefix(client, prefix, options)) {
    if (keys.some((key) => !skip?.(key))) return true;
  }
  return false;
}

/**
 * UNLINK every key under `prefix` (memory is freed in the background, so huge values do not block the
 * server). Each batch's UNLINK is sent without waiting for its reply before the next SCAN, saving a round
 * trip per batch; replies arrive in order, so all are in before the last SCAN answers.
 */
export async function deleteByPrefix(
  client: RedisClient,
  prefix: string,
  options: ScanOptions & { onProgress?: (deleted: number) => void; skip?: (key: Buffer) => boolean },
): Promise<number> {
  if (prefix === '') throw new Error('refusing to delete by an empty prefix: it would match every key');
  let deleted = 0;
  const inflight: Promise<number>[] = [];
  for await (const keys of scanPrefix(client, prefix, options)) {
    const doomed = options.skip ? keys.filter((key) => !options.skip?.(key)) : keys;
    if (doomed.length === 0) continue;
    inflight.push(
      client.unlink(...doomed).then((n) => {
        deleted += n;
        options.onProgress?.(deleted);
        return n;
      }),
    );
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  return deleted;
}

export interface CopyOptions extends ScanOptions {
  /**
   * "copy": the COPY command (Redis ≥ 6.2, Valkey), server-side, value and TTL together.
   * "dump": DUMP + PTTL read, RESTORE … REPLACE written (any version; values travel through us).
   */
  method: 'copy' | 'dump';
  /** Copy into another database of the same server (db isolation). Same database when undefined. */
  targetDb?: number;
  /** A connection to the target database, needed by "dump" when targetDb is set. */
  target?: RedisClient;
  /** Keys never copied (fork-stack's own registry key when copying a whole database). */
  skip?: (key: Buffer) => boolean;
  onProgress?: (copied: number) => void;
}

/**
 * Copy every key under `from` to the same name under `to` (the prefix swapped), with its TTL. Existing
 * target keys are replaced: the target prefix is checked to hold nothing of anyone else's before a fork
 * starts, so REPLACE only ever overwrites what an earlier, interrupted run of the same fork copied.
 * A key that expires or is deleted between SCAN and copy is skipped, as it would be a moment later.
 */
export async function copyByPrefix(client: RedisClient, from: string, to: string, options: CopyOptions): Promise<number> {
  if (from === to && options.targetDb === undefined) throw new Error('source and target prefix are the same');
  const toBuf = Buffer.from(to, 'utf8');
  const fromLength = Buffer.byteLength(from, 'utf8');
  const rename = (key: Buffer) => Buffer.concat([toBuf, key.subarray(fromLength)]);
  let copied = 0;
  for await (const batch of scanPrefix(client, from, options)) {
    const keys = options.skip ? batch.filter((key) => !options.skip?.(key)) : batch;
    if (keys.length === 0) continue;
    copied += options.method === 'copy' ? await copyBatch(client, keys, rename, options) : await dumpRestoreBatch(client, keys, rename, options);
    options.onProgress?.(copied);
  }
  return copied;
}

async function copyBatch(client: RedisClient, keys: Buffer[], rename: (key: Buffer) => Buffer, options: CopyOptions): Promise<number> {
  const pipeline = client.pipeline();
  for (const key of keys) {
    if (options.targetDb === undefined) pipeline.copy(key, rename(key), 'REPLACE');
    else pipeline.copy(key, rename(key), 'DB', options.targetDb, 'REPLACE');
  }
  return sumReplies(await pipeline.exec());
}

async function dumpRestoreBatch(client: RedisClient, keys: Buffer[], rename: (key: Buffer) => Buffer, options: CopyOptions): Promise<number> {
  const read = client.pipeline();
  for (const key of keys) {
    read.dumpBuffer(key);
    read.pttl(key);
  }
  const replies = unwrap(await read.exec());
  const target = options.target ?? client;
  if (options.targetDb !== undefined && !options.target) throw new Error('copying to another database with DUMP/RESTORE needs a connection to it');
  const write = target.pipeline();
  let count = 0;
  keys.forEach((key, i) => {
    const dump = replies[2 * i] as Buffer | null;
    const pttl = Number(replies[2 * i + 1]);
    // -2: gone since SCAN; 0: expiring this very millisecond (RESTORE would read 0 as "no expiry").
    if (dump === null || pttl === -2 || pttl === 0) return;
    write.restore(rename(key), pttl === -1 ? 0 : pttl, dump, 'REPLACE');
    count++;
  });
  if (count > 0) unwrap(await write.exec());
  return count;
}

type PipelineResult = [error: Error | null, result: unknown][] | null;

function unwrap(results: PipelineResult): unknown[] {
  if (!results) throw new Error('the pipeline was discarded (connection lost)');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function sumReplies(results: PipelineResult): number {
  return unwrap(results).reduce<number>((sum, n) => sum + Number(n), 0);
}
