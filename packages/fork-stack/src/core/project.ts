/**
 * Where a project's files live. The project root is the first directory, walking up from the working
 * directory, that holds `fork-stack.toml` or `.current-env` (docs/architecture.md, "Environment resolution"); everything fork-stack writes
 * is under it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const CONFIG_FILE = 'fork-stack.toml';
export const CURRENT_ENV_FILE = '.current-env';
export const STATE_DIR = '.fork-stack';
export const ENV_LOCAL_FILE = '.env.local';

export function findUp(start: string, names: readonly string[]): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of names) {
      if (existsSync(path.join(dir, name))) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The project root for `cwd`, or undefined outside any project. */
export function findProjectRoot(cwd: string): string | undefined {
  return findUp(cwd, [CONFIG_FILE, CURRENT_ENV_FILE]);
}

export interface ProjectPaths {
  root: string;
  config: string;
  currentEnv: string;
  envLocal: string;
  stateDir: string;
  envsDir: string;
  metaDir: string;
  locksDir: string;
  envFile(env: string): string;
  metaFile(env: string): string;
}

export function projectPaths(root: string, configFile = path.join(root, CONFIG_FILE)): ProjectPaths {
  const stateDir = path.join(root, STATE_DIR);
  const envsDir = path.join(stateDir, 'envs');
  const metaDir = path.join(stateDir, 'meta');
  return {
    root,
    config: configFile,
    currentEnv: path.join(root, CURRENT_ENV_FILE),
    envLocal: path.join(root, ENV_LOCAL_FILE),
    stateDir,
    envsDir,
    metaDir,
    locksDir: path.join(stateDir, 'locks'),
    envFile: (env) => path.join(envsDir, `${env}.env`),
    metaFile: (env) => path.join(metaDir, `${env}.json`),
  };
}
