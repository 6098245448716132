/**
 * A throwaway app project with fork-stack installed the way an app installs it (a dev dependency, so
 * `npx fork-stack` resolves locally and never reaches for the registry), plus an environment in
 * which the built CLI is also on PATH as `fork-stack` and `forks`. Used by the docs tests.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE = path.join(REPO, 'packages', 'fork-stack');
export const CLI = path.join(PACKAGE, 'dist', 'cli.js');

/** `<parent>/p-XXXX/<name>` with node_modules/fork-stack and its bins. */
export function newProject(parent: string, name = 'myapp'): string {
  const dir = mkdtempSync(path.join(parent, 'p-'));
  const project = path.join(dir, name);
  mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(PACKAGE, path.join(project, 'node_modules', 'fork-stack'));
  for (const bin of ['fork-stack', 'forks']) symlinkSync('../fork-stack/dist/cli.js', path.join(project, 'node_modules', '.bin', bin));
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module', devDependencies: { 'fork-stack': '*' } }, null, 2)}\n`);
  return project;
}

/** The process environment for commands the docs show: CLI on PATH, no colours, CI, npm offline. */
export function docsEnvironment(parent: string): NodeJS.ProcessEnv {
  const bin = path.join(parent, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['fork-stack', 'forks']) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    CI: 'true',
    // npx must find the project's own fork-stack and never reach for the registry.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_cache: path.join(parent, 'npm-cache'),
    // The docs call the clone of this repository $FORK_STACK_CHECKOUT (see docs/index.md#install).
    FORK_STACK_CHECKOUT: REPO,
    GIT_AUTHOR_NAME: 'docs',
    GIT_AUTHOR_EMAIL: 'docs@example.com',
    GIT_COMMITTER_NAME: 'docs',
    GIT_COMMITTER_EMAIL: 'docs@example.com',
  };
  for (const key of ['FORK_STACK_ENV', 'ENV', 'FORK_STACK_NOW', 'FORCE_COLOR']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete env[key];
  return env;
}
