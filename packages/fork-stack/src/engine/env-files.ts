/**
 * The files an environment's variables are written to: `.fork-stack/envs/<env>.env` (mode 0600, what the
 * language readers read), the managed block of `.env.local`, and `.current-env`.
 */
import { promises as fs } from 'node:fs';
import { removeStaleTemps, writeFileAtomic, readFileIfExists } from '../core/files/atomic.js';
import { withFsErrors } from '../core/files/os-error.js';
import { formatDotenv, isPortable, parseDotenv, parseHeader } from '../core/files/dotenv.js';
import { keysAfterBlock, updateEnvLocal, userKeys } from '../core/files/env-local.js';
import type { ProjectPaths } from '../core/project.js';
import type { ResolvedVariables } from './variables.js';

export interface StoredVariables {
  values: Record<string, string>;
  publicKeys: string[];
}

export async function writeEnvFile(paths: ProjectPaths, resolved: ResolvedVariables): Promise<void> {
  const header = [
    `fork-stack: variables of environment "${resolved.env}". Generated; "fork-stack switch ${resolved.env}" rewrites it.`,
    `environment: ${resolved.env}`,
    `public: ${resolved.publicKeys.join(' ')}`,
  ];
  await writeFileAtomic(paths.envFile(resolved.env), formatDotenv(resolved.values, header), { mode: 0o600, forceMode: true });
}

export async function readEnvFile(paths: ProjectPaths, env: string): Promise<StoredVariables | undefined> {
  const text = await readFileIfExists(paths.envFile(env));
  if (text === undefined) return undefined;
  const header = parseHeader(text);
  return { values: parseDotenv(text), publicKeys: (header.public ?? '').split(/\s+/).filter(Boolean) };
}

export async function removeEnvFile(paths: ProjectPaths, env: string): Promise<void> {
  await withFsErrors({ file: paths.envFile(env), action: 'remove' }, () => fs.rm(paths.envFile(env), { force: true }));
  await removeStaleTemps(paths.envFile(env));
}

export async function writeCurrentEnv(paths: ProjectPaths, env: string): Promise<void> {
  await writeFileAtomic(paths.currentEnv, `${env}\n`);
}

export interface EnvLocalResult {
  /** Keys the user sets outside the managed block that the block also sets. */
  overlapping: string[];
  /** Those of them set below the block: there the user's line wins with every dotenv loader. */
  userWins: string[];
  /** Keys whose values other dotenv parsers may read differently (see dotenv.ts). */
  nonPortable: string[];
  /** The mode `.env.local` had when it let others read it (e.g. 0o644), before it was made 0600. */
  tightenedFrom?: number;
}

/** The mode of `.env.local` when group or others may read or write it, else undefined. */
async function looseMode(file: string): Promise<number | undefined> {
  try {
    const mode = (await fs.stat(file)).mode & 0o777;
    return mode & 0o077 ? mode : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrite the managed block of `.env.local` (values undefined: remove the block). The file holds
 * secrets, so it is always left 0600, also when it existed with a looser mode (the caller tells the user).
 */
export async function writeEnvLocal(paths: ProjectPaths, env: string, values: Record<string, string> | undefined): Promise<EnvLocalResult> {
  const existing = await readFileIfExists(paths.envLocal);
  const next = updateEnvLocal(existing, env, values);
  const tightenedFrom = await looseMode(paths.envLocal);
  if (next !== existing && !(existing === undefined && next === '')) {
    await writeFileAtomic(paths.envLocal, next, { mode: 0o600, forceMode: true });
  } else if (tightenedFrom !== undefined) {
    await withFsErrors({ file: paths.envLocal }, () => fs.chmod(paths.envLocal, 0o600));
  }
  const mine = Object.keys(values ?? {});
  return {
    overlapping: userKeys(existing).filter((k) => mine.includes(k)),
    userWins: keysAfterBlock(next).filter((k) => mine.includes(k)),
    nonPortable: Object.entries(values ?? {}).flatMap(([k, v]) => (isPortable(v) ? [] : [k])),
    ...(tightenedFrom === undefined ? {} : { tightenedFrom }),
  };
}

/** The warning for a `.env.local` that was made 0600. */
export function tightenedWarning(mode: number): string {
  return `.env.local could be read by other users (mode ${mode.toString(8).padStart(4, '0')}); fork-stack made it 0600, because it holds secrets`;
}
