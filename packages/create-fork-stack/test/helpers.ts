/**
 * Running the built scaffolder (dist/cli.js, what `npx create-fork-stack` runs) the way a user does,
 * and giving a generated project what `npm install` would: node_modules/fork-stack (this checkout's
 * engine, whose bin the Makefile runs with `npx --no-install fork-stack`), and for TypeScript tsx,
 * typescript and @types/node.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolEnv } from '../../../test/readers/toolchain.js';

export const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(PACKAGE, '..', '..');
export const SCAFFOLDER = path.join(PACKAGE, 'dist', 'cli.js');

export interface StackEntry {
  name: string;
  language: string;
  local?: boolean;
  test?: string;
  integration?: string;
  run?: string;
  database?: string | null;
  storage?: string | null;
  secrets?: string | null;
  cache?: string | null;
  queue?: string | null;
}

export function stackIndex(): StackEntry[] {
  const file = path.join(REPO, 'stacks', 'index.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { stacks: StackEntry[] }).stacks;
}

export function tempDir(prefix = 'create-fork-stack-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The scaffolder without a terminal (stdin is a pipe): it must never wait for input. */
export function scaffold(args: string[], cwd: string, env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  const merged: NodeJS.ProcessEnv = { ...toolEnv(), NO_COLOR: '1', ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return spawnSync(process.execPath, [SCAFFOLDER, ...args], { cwd, env: merged, input: '', encoding: 'utf8', timeout: 120_000 });
}

/**
 * What `npm install` puts in a generated project: each dependency of its package.json, linked from this
 * checkout's node_modules (fork-stack is the workspace package), with its bins in node_modules/.bin.
 */
export function linkDependencies(project: string): void {
  const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
  const modules = path.join(project, 'node_modules');
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const name of names) {
    const source = path.join(REPO, 'node_modules', name);
    if (!existsSync(source)) throw new Error(`${name} (a dependency of the generated package.json) is not installed in this checkout`);
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    symlinkSync(source, path.join(modules, name));
    const { bin } = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const bins = typeof bin === 'string' ? { [name.split('/').pop() as string]: bin } : (bin ?? {});
    for (const [command, file] of Object.entries(bins)) {
      if (!existsSync(path.join(modules, '.bin', command))) symlinkSync(path.join(source, file), path.join(modules, '.bin', command));
    }
  }
}

/** Every file under dir, relative, sorted (node_modules and local state left out). */
export function listFiles(dir: string, skip = /(^|\/)(node_modules|\.fork-stack)(\/|$)/): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative))) {
      const rel = relative ? `${relative}/${name}` : name;
      if (skip.test(rel)) continue;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** The files of a repository folder that git keeps (tracked, or untracked and not ignored): what the build ships. */
export function keptFiles(relativeDir: string): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', relativeDir], { cwd: REPO, encoding: 'utf8' });
  if (git.status !== 0) return listFiles(path.join(REPO, relativeDir));
  return git.stdout
    .split('\0')
    .filter((f) => f && existsSync(path.join(REPO, f)))
    .map((f) => path.relative(relativeDir, f))
    .sort();
}

/** A shell command (a stack's "make test") in a generated project. */
export function sh(command: string, cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-c', command], { cwd, env: toolEnv({ NO_COLOR: '1', ...env }), encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
}

export function output(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout}\n${result.stderr}`.slice(-8000);
}
