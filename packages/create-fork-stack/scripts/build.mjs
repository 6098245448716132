#!/usr/bin/env node
// Build into a fresh folder and swap it in for dist/ (as packages/fork-stack/scripts/build.mjs does):
//   dist/cli.js         the scaffolder (tsup, ESM; fork-stack and @clack/prompts stay dependencies)
//   dist/templates/     what it writes from, copied from the repository so that the published package
//                       is self-contained: base/ (templates/base), stacks/ (the stacks that
//                       stacks/index.json lists, and the index), starter/ (this package's starter
//                       apps), ci/ (docs/ci).
// Only files git would keep are copied (tracked, or untracked and not ignored), so local state a test
// left in a stack (.fork-stack/, node_modules, target/) never reaches users. npm never packs files
// named .gitignore, .npmignore or .npmrc: they are stored as _gitignore, … and renamed back on write.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repo = path.resolve(pkg, '..', '..');
const next = path.join(pkg, `dist.next-${process.pid}`);
const old = path.join(pkg, `dist.old-${process.pid}`);
const dist = path.join(pkg, 'dist');
const tsup = [path.join(pkg, 'node_modules', '.bin', 'tsup'), path.join(repo, 'node_modules', '.bin', 'tsup')].find(existsSync);

const SOURCES = [
  ['templates/base', 'base'],
  ['packages/create-fork-stack/templates/starter', 'starter'],
  ['docs/ci', 'ci'],
];
const RENAME = new Set(['.gitignore', '.npmignore', '.npmrc']);
const NEVER = /(^|\/)(node_modules|target|__pycache__|\.fork-stack|\.venv)(\/|$)|(^|\/)(\.current-env|\.env\.local)$|\.pyc$/;
// The readers' own tests and packaging stay in the repository: a project gets the reader, Makefile.base
// and .gitignore (src/languages.ts). Stacks ship whole: their tests are the new project's tests.
const READER_ONLY = /(^|\/)(test_[^/]*\.py|[^/]*_test\.go|tests\/.*|CHANGELOG\.md|README\.md|pyproject\.toml|pep517_backend\.py|fork_stack_env\.py|Cargo\.toml|go\.mod|src\/lib\.rs)$/;

/** Files under `dir` (relative to the repository) that git would keep; a plain walk outside git. */
function filesOf(dir) {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir], { cwd: repo, encoding: 'utf8' });
  const listed =
    git.status === 0
      ? git.stdout.split('\0').filter(Boolean).map((f) => path.relative(dir, f))
      : walk(path.join(repo, dir));
  // ls-files also lists tracked files that were deleted in the working tree.
  return listed.filter((f) => !NEVER.test(f) && existsSync(path.join(repo, dir, f)) && statSync(path.join(repo, dir, f)).isFile());
}

function walk(root, relative = '') {
  return readdirSync(path.join(root, relative)).flatMap((name) => {
    const rel = relative ? `${relative}/${name}` : name;
    return statSync(path.join(root, rel)).isDirectory() ? walk(root, rel) : [rel];
  });
}

/** The stacks to ship: those stacks/index.json lists (and the index), else every folder with a preset. */
function stackSources() {
  const index = path.join(repo, 'stacks', 'index.json');
  if (!existsSync(index)) {
    if (!existsSync(path.join(repo, 'stacks'))) return [];
    return readdirSync(path.join(repo, 'stacks'))
      .filter((name) => existsSync(path.join(repo, 'stacks', name, 'fork-stack.toml')))
      .map((name) => [`stacks/${name}`, `stacks/${name}`]);
  }
  const { stacks } = JSON.parse(readFileSync(index, 'utf8'));
  // A listed stack without its folder is skipped here (the scaffolder skips it too) and fails
  // packages/create-fork-stack/test, which scaffolds every listed stack: the build itself never breaks.
  const present = stacks.filter(({ name }) => existsSync(path.join(repo, 'stacks', name, 'fork-stack.toml')));
  const missing = stacks.filter((s) => !present.includes(s)).map((s) => s.name);
  if (missing.length) console.error(`create-fork-stack build: stacks/index.json lists stacks without a folder (skipped): ${missing.join(', ')}`);
  return [['stacks/index.json', 'stacks/index.json'], ...present.map(({ name }) => [`stacks/${name}`, `stacks/${name}`])];
}

function copy(from, to) {
  const target = (file) => {
    const name = path.basename(file);
    return path.join(next, 'templates', to, path.dirname(file), RENAME.has(name) ? `_${name.slice(1)}` : name);
  };
  const files = statSync(path.join(repo, from)).isFile()
    ? [['', path.join(repo, from)]]
    : filesOf(from)
        .filter((f) => to !== 'base' || !READER_ONLY.test(f))
        .map((f) => [f, path.join(repo, from, f)]);
  for (const [file, source] of files) {
    const destination = file ? target(file) : path.join(next, 'templates', to);
    mkdirSync(path.dirname(destination), { recursive: true });
    copyFileSync(source, destination);
  }
}

function copyTemplates() {
  for (const [from, to] of SOURCES) {
    if (!existsSync(path.join(repo, from))) throw new Error(`${from} is missing: create-fork-stack is built from the fork-stack repository`);
    copy(from, to);
  }
  for (const [from, to] of stackSources()) copy(from, to);
}

try {
  execFileSync(tsup, ['src/cli.ts', '--format', 'esm', '--target', 'node20', '--platform', 'node', '--out-dir', next, '--silent'], {
    cwd: pkg,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  copyTemplates();
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  if (typeof error.status !== 'number') console.error(`create-fork-stack build: ${error.message}`);
  process.exit(typeof error.status === 'number' ? error.status : 1);
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
