/**
 * Secrets in dotenv files, one per environment (mode 0600, under the git-ignored .fork-stack/ by default).
 * A fork copies the parent's values that the copy policy keeps. Writes are atomic.
 *
 * Ownership: a file is fork-stack's when this checkout's ledger (.fork-stack/owned/<slot>/<env>, see
 * local/paths.ts) records it. The file's header names its project and environment; it proves nothing
 * (a copied file carries it too), but when a file that is not ours names another project or environment,
 * `markedFor` says whose it is.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../../core/errors.js';
import { readFileIfExists, removeStaleTemps, writeFileAtomic } from '../../core/files/atomic.js';
import { DotenvSyntaxError, formatDotenv, parseDotenv } from '../../core/files/dotenv.js';
import type { Check, ProviderContext, Resource, SecretsProvider } from '../types.js';
import { absolutePath, checkLocalName, checkWritableDir, listLocal, markOwned, notOurs, relativePath, statResource, unmarkOwned, type LocalPathOptions } from '../local/paths.js';
import type { DotenvOptions } from './dotenv.schema.js';

type Ctx = ProviderContext<DotenvOptions>;

function pathOptions(ctx: Ctx): LocalPathOptions {
  return { pattern: ctx.options.path, overrides: ctx.options.names };
}

async function readValues(ctx: Ctx, env: string): Promise<Record<string, string> | undefined> {
  const file = absolutePath(ctx, pathOptions(ctx), env);
  const text = await readFileIfExists(file);
  if (text === undefined) return undefined;
  try {
    return parseDotenv(text);
  } catch (error) {
    if (error instanceof DotenvSyntaxError) {
      throw new OperationError(`${relativePath(ctx, pathOptions(ctx), env)}: ${error.message}`, { hint: 'Fix that line (KEY=value, quote values with spaces).' });
    }
    throw error;
  }
}

const HEADER = /^# secrets of environment "([a-z0-9-]+)" of project "([^"\n]+)" \(fork-stack dotenv provider\)$/m;

async function writeValues(ctx: Ctx, env: string, values: Record<string, string>): Promise<void> {
  const header = [`secrets of environment "${env}" of project "${ctx.project}" (fork-stack dotenv provider)`];
  await writeFileAtomic(absolutePath(ctx, pathOptions(ctx), env), formatDotenv(values, header), { mode: 0o600, forceMode: true });
}

export const provider = {
  kind: 'secrets',
  name: 'dotenv',
  capabilities: { createEmpty: true },
  publicVariables: [],

  resourceName: (ctx, env) => relativePath(ctx, pathOptions(ctx), env),
  checkName: (ctx, env) => checkLocalName(ctx, pathOptions(ctx), env),
  async find(ctx, env) {
    const found = await statResource(ctx, pathOptions(ctx), env);
    if (!found || found.owned || ctx.roots.includes(env)) return found;
    const header = HEADER.exec((await readFileIfExists(absolutePath(ctx, pathOptions(ctx), env)).catch(() => undefined)) ?? '');
    const marked = header && { project: header[2] as string, env: header[1] as string };
    return marked && (marked.project !== ctx.project || marked.env !== env) ? { ...found, markedFor: marked } : found;
  },

  async fork(ctx, { env, parent, keep }) {
    const existing = await statResource(ctx, pathOptions(ctx), env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'fork over');
    if (existing) return existing;
    const values = await readValues(ctx, parent);
    // Ctrl-C stops before the child's file is written (and after, at the next step of create).
    ctx.signal.throwIfAborted();
    if (values === undefined) throw new OperationError(`parent secrets file ${relativePath(ctx, pathOptions(ctx), parent)} does not exist`);
    await markOwned(ctx, pathOptions(ctx), env);
    const kept = Object.fromEntries(Object.entries(values).filter(([key]) => (keep ? keep(key) : true)));
    await writeValues(ctx, env, kept);
    const resource = (await statResource(ctx, pathOptions(ctx), env)) as Resource;
    ctx.signal.throwIfAborted();
    return { ...resource, details: { keys: Object.keys(kept).length, excluded: Object.keys(values).length - Object.keys(kept).length } };
  },

  async createEmpty(ctx, env) {
    await writeValues(ctx, env, {});
    return (await statResource(ctx, pathOptions(ctx), env)) as Resource;
  },

  async remove(ctx, { env }) {
    const existing = await statResource(ctx, pathOptions(ctx), env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'delete');
    await fs.rm(absolutePath(ctx, pathOptions(ctx), env), { force: true });
    await unmarkOwned(ctx, env);
    await removeStaleTemps(absolutePath(ctx, pathOptions(ctx), env));
  },

  list: (ctx) => listLocal(ctx, pathOptions(ctx)),

  async variables(ctx, env) {
    return (await readValues(ctx, env)) ?? {};
  },

  async read(ctx, env) {
    const values = await readValues(ctx, env);
    if (values === undefined) throw new OperationError(`environment "${env}" has no secrets file (${relativePath(ctx, pathOptions(ctx), env)})`);
    return values;
  },

  async write(ctx, env, { set = {}, unset = [] }) {
    const values = (await readValues(ctx, env)) ?? {};
    for (const key of unset) delete values[key];
    Object.assign(values, set);
    await writeValues(ctx, env, values);
  },

  async check(ctx): Promise<Check[]> {
    const dir = path.dirname(absolutePath(ctx, pathOptions(ctx), 'x'));
    const writable = await checkWritableDir(dir);
    return [{ name: 'secrets directory', status: writable.ok ? 'ok' : 'fail', message: writable.message }];
  },
} satisfies SecretsProvider<DotenvOptions>;
