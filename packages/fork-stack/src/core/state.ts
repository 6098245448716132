/**
 * Local metadata about environments this checkout created: parent, creation time, the time it should
 * expire, and whether a create is still in progress. It is a cache and a recovery journal, not the truth:
 * `list` asks the providers what exists and uses this only to fill in what a provider cannot report
 * (a local file has no "parent").
 */
import { promises as fs } from 'node:fs';
import { removeStaleTemps, writeFileAtomic, readFileIfExists } from './files/atomic.js';
import { withFsErrors } from './files/os-error.js';
import type { ProjectPaths } from './project.js';

/**
 * `resetting`: a reset started and did not finish; only `reset` finishes it (create refuses).
 * `failed`: every resource was made but a hook failed and `--keep-partial` kept it (see `hooks`).
 */
export type EnvStatus = 'creating' | 'ready' | 'deleting' | 'resetting' | 'failed';

/** The last run of one hook on an environment (docs/hooks.md): what `list`, `status` and resuming read. */
export interface HookState {
  state: 'succeeded' | 'failed';
  /** When failed: the index of the command that failed, where a resumed run starts. */
  failedIndex?: number;
  failedCommand?: string;
  exitCode?: number | null;
  finishedAt: string;
}

export interface EnvMeta {
  name: string;
  parent?: string;
  createdAt: string;
  status: EnvStatus;
  /** Point in time the environment was forked at, when `--at` was used. */
  at?: string;
  /** ISO time after which `gc --expired` may delete it. */
  expiresAt?: string;
  /** Slots (database, storage.uploads, …) that held resources when the last operation finished. */
  slots?: string[];
  createdBy?: string;
  gitBranch?: string;
  /** The data mode the environment was created with when not "full" (create --data), so reset keeps it. */
  data?: 'schema-only' | 'masked';
  /** Per hook name (after_create, …): how its last run ended. */
  hooks?: Record<string, HookState>;
}

export async function readMeta(paths: ProjectPaths, env: string): Promise<EnvMeta | undefined> {
  const text = await readFileIfExists(paths.metaFile(env));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as EnvMeta;
  } catch {
    return undefined;
  }
}

/** A full disk or read-only checkout fails with "could not write .fork-stack/meta/<env>.json: …" (os-error.ts). */
export async function writeMeta(paths: ProjectPaths, meta: EnvMeta): Promise<void> {
  await writeFileAtomic(paths.metaFile(meta.name), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
}

export async function removeMeta(paths: ProjectPaths, env: string): Promise<void> {
  await withFsErrors({ file: paths.metaFile(env), action: 'remove' }, () => fs.rm(paths.metaFile(env), { force: true }));
  await removeStaleTemps(paths.metaFile(env));
}

export async function listMeta(paths: ProjectPaths): Promise<EnvMeta[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.metaDir);
  } catch {
    return [];
  }
  const metas = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readMeta(paths, n.slice(0, -5))));
  return metas.filter((m): m is EnvMeta => m !== undefined);
}
