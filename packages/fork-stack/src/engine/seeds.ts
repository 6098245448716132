/**
 * Seeds (docs/architecture.md, "Seeds"): what a resource that starts empty gets besides nothing.
 *
 * - `[storage.<name>] seed_dir`: the directory's files, recursively, become objects (key = the path
 *   relative to seed_dir, "/"-separated) of a bucket that starts empty.
 * - `[secrets] seed_file`: a dotenv of non-secret defaults; only keys the environment lacks are written.
 *
 * The engine reads and checks the seed (paths, symlinks, dotenv syntax) before anything is created, and
 * hands a provider only bytes to write: storage through its optional `seed`, secrets through the `read`
 * and `write` every secrets provider has. So fs and the S3 family seed the same objects, and every
 * secrets provider keeps the same rule (never overwrite a key that exists).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../core/errors.js';
import { readFileIfExists, writeFileAtomic } from '../core/files/atomic.js';
import type { ProjectPaths } from '../core/project.js';
import { DotenvSyntaxError, parseDotenv } from '../core/files/dotenv.js';
import type { SecretsCommon } from '../config/common.js';
import type { ProjectConfig } from '../config/load.js';
import { isSecretsProvider, type SeedObject } from '../providers/types.js';
import type { LoadedSlot } from './context.js';
import { onSlot } from './slot-calls.js';

/** A slot's seed, read and checked: objects for a bucket, default values for secrets. */
export type Seed = { kind: 'objects'; source: string; objects: SeedObject[] } | { kind: 'values'; source: string; values: Record<string, string> };

/** What one slot got, for `init`/`create --json`: counts and names, never values. */
export interface SeededSlot {
  slot: string;
  env: string;
  /** The seed's path relative to the project root. */
  source: string;
  objects?: number;
  bytes?: number;
  /** Secrets: keys written from the seed file. */
  keys?: string[];
  /** Secrets: keys of the seed file the environment had already (left as they were). */
  kept?: string[];
}

/** S3's key limit; fs has none this short, and one rule for every provider keeps a seed portable. */
const MAX_KEY_BYTES = 1024;

interface SeedCommon {
  seed_dir?: string;
  seed_file?: string;
}

/**
 * Every configured seed, by slot id, read and checked: a missing path, a symlink leaving seed_dir, a
 * provider that cannot seed or a dotenv syntax error is a UsageError (exit 2) naming the path.
 */
export async function loadSeeds(config: ProjectConfig, slots: readonly LoadedSlot[]): Promise<Map<string, Seed>> {
  const seeds = new Map<string, Seed>();
  const problems: string[] = [];
  for (const slot of slots) {
    const common = slot.config.common as SeedCommon;
    try {
      if (slot.config.kind === 'storage' && common.seed_dir) {
        if (!slot.provider.seed) throw new Error(`provider "${slot.provider.name}" cannot write objects, so seed_dir cannot be used with it`);
        seeds.set(slot.config.id, { kind: 'objects', source: common.seed_dir, objects: await seedObjects(config.root, common.seed_dir) });
      }
      if (slot.config.kind === 'secrets' && (common as SecretsCommon).seed_file) {
        if (!isSecretsProvider(slot.provider)) throw new Error(`provider "${slot.provider.name}" cannot write secrets, so seed_file cannot be used with it`);
        const source = (common as SecretsCommon).seed_file as string;
        seeds.set(slot.config.id, { kind: 'values', source, values: await seedValues(config.root, source) });
      }
    } catch (error) {
      problems.push(`[${slot.config.id}] ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`${problems.length === 1 ? 'a seed is' : 'seeds are'} not usable`, {
      details: problems,
      hint: 'Seed paths are relative to the project root (the directory of fork-stack.toml). Fix the path or remove the key; nothing was created.',
    });
  }
  return seeds;
}

async function statOrFail(file: string, key: string, shown: string): Promise<import('node:fs').Stats> {
  try {
    return await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${key} = "${shown}": ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`} (${file})`);
  }
}

/**
 * The files under `dir`, recursively, sorted by key. A symlink is followed only when its target lies
 * inside seed_dir and is a file: a link leaving the directory could publish any file of the machine
 * (~/.aws/credentials) into a bucket, and a linked directory could loop.
 */
export async function seedObjects(root: string, dir: string): Promise<SeedObject[]> {
  const base = path.resolve(root, dir);
  const stat = await statOrFail(base, 'seed_dir', dir);
  if (!stat.isDirectory()) throw new Error(`seed_dir = "${dir}": is not a directory (${base})`);
  const real = await fs.realpath(base);
  // The project root (".") or any folder holding fork-stack's state would copy buckets, databases and
  // secret files into the seed: surely a mistake, and one that leaks.
  const state = path.join(await fs.realpath(root), '.fork-stack');
  const toState = path.relative(real, state);
  if (toState === '' || (toState.split(path.sep)[0] !== '..' && !path.isAbsolute(toState))) {
    throw new Error(`seed_dir = "${dir}": holds fork-stack's own state (${path.relative(root, state) || state}); point it at a folder of seed files such as "seed/uploads"`);
  }
  const objects: SeedObject[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      const key = path.relative(base, file).split(path.sep).join('/');
      if (entry.isDirectory()) {
        await walk(file);
        continue;
      }
      let target = file;
      if (entry.isSymbolicLink()) {
        const resolved = await fs.realpath(file).catch(() => undefined);
        const rel = resolved === undefined ? '..' : path.relative(real, resolved);
        const inside = rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
        if (!inside || resolved === undefined) throw new Error(`seed_dir = "${dir}": ${key} is a symlink that leads outside the seed directory (or nowhere); copy the file in instead`);
        if (!(await fs.stat(resolved)).isFile()) throw new Error(`seed_dir = "${dir}": ${key} is a symlink to a directory; only files and links to files are seeded`);
        target = resolved;
      } else if (!entry.isFile()) {
        throw new Error(`seed_dir = "${dir}": ${key} is not a regular file`);
      }
      if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new Error(`seed_dir = "${dir}": ${key.slice(0, 60)}… makes a key longer than ${MAX_KEY_BYTES} bytes`);
      objects.push({ key, file: target, size: (await fs.stat(target)).size });
    }
  };
  await walk(base);
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function seedValues(root: string, file: string): Promise<Record<string, string>> {
  const full = path.resolve(root, file);
  const stat = await statOrFail(full, 'seed_file', file);
  if (!stat.isFile()) throw new Error(`seed_file = "${file}": is not a file (${full})`);
  try {
    return parseDotenv(await fs.readFile(full, 'utf8'));
  } catch (error) {
    if (error instanceof DotenvSyntaxError) throw new Error(`seed_file = "${file}": ${error.message}`);
    throw error;
  }
}

/** Write `seed` into `env`'s resource of `slot`. Secrets: only the keys the environment lacks. */
export async function applySeed(slot: LoadedSlot, env: string, seed: Seed): Promise<SeededSlot> {
  const base = { slot: slot.config.id, env, source: seed.source };
  if (seed.kind === 'objects') {
    await onSlot(slot, `seeding "${env}" from ${seed.source}`, () => slot.provider.seed!(slot.ctx, env, seed.objects));
    return { ...base, objects: seed.objects.length, bytes: seed.objects.reduce((n, o) => n + o.size, 0) };
  }
  const provider = slot.provider;
  if (!isSecretsProvider(provider)) throw new UsageError(`${slot.config.id}: provider "${provider.name}" cannot write secrets`);
  const existing = await onSlot(slot, `reading "${env}"'s secrets`, () => provider.read(slot.ctx, env));
  const missing = Object.fromEntries(Object.entries(seed.values).filter(([key]) => !(key in existing)));
  const keys = Object.keys(missing);
  if (keys.length > 0) await onSlot(slot, `seeding "${env}" from ${seed.source}`, () => provider.write(slot.ctx, env, { set: missing }));
  return { ...base, keys, kept: Object.keys(seed.values).filter((key) => key in existing) };
}

/** doctor: the slot's seed, read and checked as `init` would (undefined when the slot has none). */
export async function checkSeed(config: ProjectConfig, slot: LoadedSlot): Promise<import('../providers/types.js').Check | undefined> {
  let seed: Seed | undefined;
  try {
    seed = (await loadSeeds(config, [slot])).get(slot.config.id);
  } catch (error) {
    const e = error as UsageError;
    return { name: 'seed', status: 'fail', message: e.details.join('; ').replace(/^\[[^\]]+\] /, ''), fix: 'Seed paths are relative to the project root (the directory of fork-stack.toml): fix the path or remove the key.' };
  }
  if (!seed) return undefined;
  const what = seed.kind === 'objects' ? `${seed.objects.length} file${seed.objects.length === 1 ? '' : 's'}` : `${Object.keys(seed.values).length} default${Object.keys(seed.values).length === 1 ? '' : 's'}`;
  return { name: 'seed', status: 'ok', message: `${seed.source}: ${what}, written into a root init creates` };
}

/**
 * A root's seed is owed from just before `createEmpty` until the seed is written: a marker file under
 * `.fork-stack/seeds/` says so. A root that exists with its marker (a seed that failed, a crash or
 * Ctrl-C in between) is seeded by the next `init`, which finishes the job because seeding is idempotent
 * (objects are rewritten, only missing secrets are added). Without the marker an existing root is never
 * seeded again. A marker rather than removing the half-seeded root: a root is not fork-stack's to delete.
 */
const pendingFile = (paths: ProjectPaths, slot: LoadedSlot, env: string) => path.join(paths.stateDir, 'seeds', `${env}.${slot.config.id}.pending`);

export async function markSeedOwed(paths: ProjectPaths, slot: LoadedSlot, env: string): Promise<void> {
  await writeFileAtomic(pendingFile(paths, slot, env), `${new Date().toISOString()}\n`);
}

export async function seedOwed(paths: ProjectPaths, slot: LoadedSlot, env: string): Promise<boolean> {
  return (await readFileIfExists(pendingFile(paths, slot, env))) !== undefined;
}

/** Seed a root `init` made (or is finishing) and clear its marker; a failure says how to finish. */
export async function seedRoot(paths: ProjectPaths, slot: LoadedSlot, env: string, seed: Seed): Promise<SeededSlot> {
  let result: SeededSlot;
  try {
    result = await applySeed(slot, env, seed);
  } catch (error) {
    const e = error instanceof OperationError || error instanceof UsageError ? error : new OperationError((error as Error).message);
    throw new OperationError(e.message, { details: e.details, hint: [e.hint, `Run "fork-stack init" again to finish seeding root "${env}".`].filter(Boolean).join('\n'), cause: error });
  }
  await fs.rm(pendingFile(paths, slot, env), { force: true });
  return result;
}

/**
 * Hook point for the database data modes (docs/architecture.md, "Seeds"): the storage seeds a create in
 * data mode `mode` applies — those of buckets with `seed_with_data_mode = true`, when the mode is not
 * "full". `create` calls `applySeed` with each, after the bucket's fork starts empty and before the
 * variables are written, inside the rollback of the forks; the data-mode work decides when a fork starts
 * empty. Nothing calls it while no data mode exists.
 */
export function dataModeSeeds(slots: readonly LoadedSlot[], seeds: ReadonlyMap<string, Seed>, mode: string | undefined): { slot: LoadedSlot; seed: Seed }[] {
  if (mode === undefined || mode === 'full') return [];
  return slots.flatMap((slot) => {
    const seed = seeds.get(slot.config.id);
    const common = slot.config.common as { seed_with_data_mode?: boolean };
    return slot.config.kind === 'storage' && seed && common.seed_with_data_mode ? [{ slot, seed }] : [];
  });
}
