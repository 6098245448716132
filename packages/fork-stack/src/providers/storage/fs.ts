/**
 * Local buckets: a directory per environment per bucket. A fork copies the parent's tree into a hidden
 * sibling directory and renames it into place, so a bucket directory that exists is always complete
 * (an interrupted fork leaves only the hidden directory, which the next attempt replaces).
 * BUCKET_<NAME> and BUCKET_NAME hold the directory's absolute path.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { OperationError } from '../../core/errors.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import { checkLocalName, checkWritableDir, listLocal, markOwned, notOurs, ownPartial, relativePath, removeLeftovers, statResource, unmarkOwned, type LocalPathOptions } from '../local/paths.js';
import { copyTree } from '../local/copy-tree.js';
import { bucketPattern, bucketValues, bucketVariables } from './naming.js';
import type { FsOptions } from './fs.schema.js';

type Ctx = ProviderContext<FsOptions>;

function pathOptions(ctx: Ctx): LocalPathOptions {
  const pattern = bucketPattern(ctx, ctx.options.name);
  const overrides = Object.fromEntries(Object.entries(ctx.options.names).map(([env, name]) => [env, path.join(ctx.options.dir, name)]));
  return { pattern: path.join(ctx.options.dir, pattern), overrides, extra: bucketValues(ctx) };
}

function bucketDir(ctx: Ctx, env: string): string {
  return path.resolve(ctx.root, relativePath(ctx, pathOptions(ctx), env));
}

function bucketName(ctx: Ctx, env: string): string {
  return path.basename(relativePath(ctx, pathOptions(ctx), env));
}

export const provider = {
  kind: 'storage',
  name: 'fs',
  capabilities: { createEmpty: true },
  publicVariables: ['BUCKET_*'],

  resourceName: (ctx, env) => bucketName(ctx, env),
  checkName: (ctx, env) => checkLocalName(ctx, pathOptions(ctx), env),

  async find(ctx, env) {
    const resource = await statResource(ctx, pathOptions(ctx), env);
    return resource && { ...resource, name: bucketName(ctx, env) };
  },

  async fork(ctx, { env, parent }) {
    const existing = await this.find(ctx, env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'fork over');
    if (existing) return existing;
    const from = bucketDir(ctx, parent);
    const to = bucketDir(ctx, env);
    try {
      if (!(await fs.stat(from)).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new OperationError(`parent bucket directory ${path.relative(ctx.root, from)} does not exist`);
    }
    const tmp = ownPartial(to);
    await markOwned(ctx, pathOptions(ctx), env);
    try {
      await copyTree(from, tmp, {
        concurrency: ctx.options.concurrency,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ message: 'copying files', done: p.files, bytes: p.bytes, unit: 'files' }),
      });
      try {
        await fs.rename(tmp, to);
      } catch (error) {
        // A teammate's fork published first (renaming a directory onto a non-empty one fails): theirs is
        // the environment's bucket, and this copy goes.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        await fs.rm(tmp, { recursive: true, force: true });
      }
      return (await this.find(ctx, env)) as Resource;
    } catch (error) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw error;
    }
  },

  async createEmpty(ctx, env) {
    await fs.mkdir(bucketDir(ctx, env), { recursive: true });
    return (await this.find(ctx, env)) as Resource;
  },

  async seed(ctx, env, objects) {
    const dir = bucketDir(ctx, env);
    const limit = pLimit(ctx.options.concurrency);
    await Promise.all(
      objects.map((object) =>
        limit(async () => {
          ctx.signal.throwIfAborted();
          const target = path.resolve(dir, ...object.key.split('/'));
          if (path.relative(dir, target).split(path.sep)[0] === '..') throw new OperationError(`seed key ${object.key} leaves the bucket directory`);
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.copyFile(object.file, target);
        }),
      ),
    );
  },

  async remove(ctx, { env }) {
    const existing = await this.find(ctx, env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'delete');
    const dir = bucketDir(ctx, env);
    await removeLeftovers(dir);
    await fs.rm(dir, { recursive: true, force: true });
    await unmarkOwned(ctx, env);
  },

  async list(ctx) {
    const resources = await listLocal(ctx, pathOptions(ctx));
    return resources.map((r) => ({ ...r, name: path.basename(r.name) }));
  },

  async variables(ctx, env) {
    return bucketVariables(ctx, bucketDir(ctx, env));
  },

  async describe(ctx, env) {
    let count = 0;
    let bytes = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(p);
        else if (entry.isFile()) {
          count++;
          bytes += (await fs.stat(p)).size;
        }
      }
    };
    await walk(bucketDir(ctx, env));
    return { objects: { count, bytes } };
  },

  async check(ctx): Promise<Check[]> {
    const dir = path.resolve(ctx.root, ctx.options.dir);
    const writable = await checkWritableDir(dir);
    return [{ name: 'bucket directory', status: writable.ok ? 'ok' : 'fail', message: writable.message, fix: writable.ok ? undefined : `Fix the permissions or change dir in [${ctx.slot}].` }];
  },
} satisfies Provider<FsOptions> & { find(ctx: Ctx, env: string): Promise<Resource | undefined> };
