/**
 * Shared by the local providers (sqlite, fs, dotenv): each keeps one file or directory per environment
 * at a path rendered from a pattern such as ".fork-stack/data/{project}.{env}.db", relative to the
 * project root. `{env}` must be in the last path segment so that listing is one readdir.
 */
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { removeAndPrune } from '../../core/files/atomic.js';
import { OperationError } from '../../core/errors.js';
import { envFromName, resourceNameFor } from '../../core/names.js';
import type { ProviderContext, Resource } from '../types.js';

export interface LocalPathOptions {
  pattern: string;
  overrides: Readonly<Record<string, string>>;
  extra?: Record<string, string>;
}

export function relativePath(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): string {
  return resourceNameFor(opts.pattern, { project: ctx.project, ...opts.extra }, env, opts.overrides);
}

export function absolutePath(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): string {
  return path.resolve(ctx.root, relativePath(ctx, opts, env));
}

/** Longest file name most filesystems accept. */
const NAME_MAX = 255;

export function checkLocalName(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): string | undefined {
  const base = path.basename(relativePath(ctx, opts, env));
  // Room for the ".partial-xxxxxxxx" suffix used while a fork is being written.
  return base.length + 20 > NAME_MAX ? `the file name ${base} is too long for the filesystem` : undefined;
}

/**
 * Ownership ledger: a file fork-stack writes under .fork-stack/owned/<slot>/<env> before it creates an
 * environment's file or directory, and removes after deleting it. A file at an environment's path without
 * its ledger entry (a names override pointing at someone's database, a file put there by hand) is not
 * fork-stack's: it is never adopted by create, nor deleted by delete or gc.
 */
function ledgerFile(ctx: ProviderContext<unknown>, env: string): string {
  return path.join(ctx.stateDir, 'owned', ctx.slot, env);
}

export async function markOwned(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): Promise<void> {
  const file = ledgerFile(ctx, env);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${absolutePath(ctx, opts, env)}\n`, { mode: 0o600 });
}

export async function unmarkOwned(ctx: ProviderContext<unknown>, env: string): Promise<void> {
  await removeAndPrune(ledgerFile(ctx, env), 2);
}

async function isMarked(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): Promise<boolean> {
  try {
    return (await fs.readFile(ledgerFile(ctx, env), 'utf8')).trim() === absolutePath(ctx, opts, env);
  } catch {
    return false;
  }
}

/** Refuse to adopt or delete a file at `env`'s path that fork-stack did not create. */
export function notOurs(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string, action: string): OperationError {
  return new OperationError(`${relativePath(ctx, opts, env)} exists but was not created by fork-stack for "${env}"; refusing to ${action} it`, {
    hint: `Move it away, or give "${env}" another path (names = { ${env} = "…" } in [${ctx.slot}]).`,
  });
}

export async function statResource(ctx: ProviderContext<unknown>, opts: LocalPathOptions, env: string): Promise<Resource | undefined> {
  const file = absolutePath(ctx, opts, env);
  try {
    const stat = await fs.stat(file);
    return {
      env,
      name: relativePath(ctx, opts, env),
      createdAt: (stat.birthtimeMs > 0 ? stat.birthtime : stat.mtime).toISOString(),
      state: 'ready',
      owned: !ctx.roots.includes(env) && (await isMarked(ctx, opts, env)),
      details: stat.isFile() ? { bytes: stat.size } : {},
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every environment with a file/directory in the pattern's directory. */
export async function listLocal(ctx: ProviderContext<unknown>, opts: LocalPathOptions): Promise<Resource[]> {
  const dir = path.resolve(ctx.root, path.dirname(opts.pattern.replace(/\{env\}/g, 'x')));
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const basePattern = path.basename(opts.pattern);
  const values = { project: ctx.project, ...opts.extra };
  const overrides = Object.fromEntries(Object.entries(opts.overrides).map(([env, p]) => [env, path.basename(p)]));
  const envs = entries.flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    const env = envFromName(basePattern, values, entry, overrides);
    return env ? [env] : [];
  });
  const resources = await Promise.all(envs.map((env) => statResource(ctx, opts, env)));
  return resources.filter((r): r is Resource => r !== undefined);
}

/** A sibling temporary path for writing `target` before an atomic rename. */
export function partialPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial`);
}

/**
 * Each fork copies into a partial file or directory of its own, so two forks of the same environment at
 * once (a teammate's command in the same process, or a provider used without the engine's lock) never
 * write into one another's copy. Leftovers of a killed fork all start with partialPath(target) and are
 * removed with it (removeLeftovers).
 */
export function ownPartial(target: string): string {
  return `${partialPath(target)}.${process.pid}.${randomBytes(4).toString('hex')}`;
}

/** Removes every partial copy a fork of `target` left (killed forks included). */
export async function removeLeftovers(target: string): Promise<void> {
  const prefix = path.basename(partialPath(target));
  let entries: string[] = [];
  try {
    entries = await fs.readdir(path.dirname(target));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await Promise.all(entries.filter((e) => e.startsWith(prefix)).map((e) => fs.rm(path.join(path.dirname(target), e), { recursive: true, force: true })));
}

/** Whether `dir` (or, when it does not exist yet, its nearest existing ancestor) is writable. Creates nothing. */
export async function checkWritableDir(dir: string): Promise<{ ok: boolean; message: string }> {
  let probe = dir;
  for (;;) {
    try {
      await fs.access(probe, fs.constants.W_OK);
      return { ok: true, message: probe === dir ? `${dir} is writable` : `${dir} can be created (${probe} is writable)` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(probe);
      if (code !== 'ENOENT' || parent === probe) return { ok: false, message: `${probe} is not writable (${code ?? 'error'})` };
      probe = parent;
    }
  }
}
