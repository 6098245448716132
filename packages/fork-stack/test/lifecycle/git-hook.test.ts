/**
 * Git-branch environments in real git repositories: the post-checkout hook switches (or creates in the
 * background) the branch's environment, chains an existing hook, never fails a checkout, and each
 * worktree has its own .current-env.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localProject, runCli } from '../helpers/cli.js';

let project: ReturnType<typeof localProject>;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
const checkout = (cwd: string, branch: string, extraEnv: Record<string, string> = {}) =>
  spawnSync('git', ['checkout', '-q', branch], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORK_STACK_ENV: '', ENV: '', ...extraEnv } });
const current = (cwd: string) => readFileSync(path.join(cwd, '.current-env'), 'utf8').trim();

async function waitFor(predicate: () => boolean, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeEach(() => {
  project = localProject('hooked');
  git(project.dir, 'init', '-q', '-b', 'main');
  git(project.dir, 'add', '.');
  git(project.dir, 'commit', '-q', '-m', 'init');
});
afterEach(() => project.cleanup());

describe('fork-stack hook', () => {
  it('switches to an existing branch environment and back to dev on main', () => {
    expect(project.run(['hook', 'install']).code).toBe(0);
    expect(project.run(['create', 'feature-auth-login']).code).toBe(0);
    git(project.dir, 'branch', 'feature/Auth_Login');
    const out = checkout(project.dir, 'feature/Auth_Login');
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(/switched to feature-auth-login \(branch feature\/Auth_Login\)/);
    expect(current(project.dir)).toBe('feature-auth-login');
    checkout(project.dir, 'main');
    expect(current(project.dir)).toBe('dev');
  });

  it('says how to create a missing environment, and never fails the checkout', () => {
    project.run(['hook', 'install']);
    git(project.dir, 'branch', 'topic');
    const out = checkout(project.dir, 'topic');
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(/branch topic has no environment; run "fork-stack create topic --switch"/);
    // A broken config must not break the checkout either: one warning line.
    appendFileSync(path.join(project.dir, 'fork-stack.toml'), '\nthis is = = broken\n');
    const broken = checkout(project.dir, 'main');
    expect(broken.status).toBe(0);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toMatch(/^fork-stack: warning: .*not valid TOML/);
  });

  it('creates the environment in the background with auto_create, recording its branch', async () => {
    appendFileSync(path.join(project.dir, 'fork-stack.toml'), '\n[git]\nauto_create = true\n');
    project.run(['hook', 'install']);
    git(project.dir, 'branch', 'feature/new-thing');
    const out = checkout(project.dir, 'feature/new-thing');
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(/creating feature-new-thing for branch feature\/new-thing in the background/);
    await waitFor(() => existsSync(path.join(project.dir, '.current-env')) && current(project.dir) === 'feature-new-thing');
    const meta = JSON.parse(readFileSync(path.join(project.dir, '.fork-stack/meta/feature-new-thing.json'), 'utf8'));
    expect(meta).toMatchObject({ gitBranch: 'feature/new-thing', parent: 'dev', status: 'ready' });
  });

  it('the background auto-create does not switch when the user has checked out another branch meanwhile', async () => {
    appendFileSync(path.join(project.dir, 'fork-stack.toml'), '\n[git]\nauto_create = true\n');
    project.run(['hook', 'install']);
    git(project.dir, 'branch', 'feature/slow');
    // Hold the background create at its start for 2 s so the second checkout surely lands before it ends.
    const preload = path.join(project.dir, '..', 'slow-create.cjs');
    writeFileSync(preload, "if (process.argv.includes('create')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);\n");
    const slow = { NODE_OPTIONS: `--require ${preload}` };
    const out = checkout(project.dir, 'feature/slow', slow);
    expect(out.stderr).toMatch(/creating feature-slow for branch feature\/slow in the background/);
    const back = checkout(project.dir, 'main', slow);
    expect(back.status).toBe(0);
    expect(current(project.dir)).toBe('dev');
    const log = path.join(project.dir, '.fork-stack/logs/hook-feature-slow.log');
    await waitFor(() => existsSync(log) && /not switching to feature-slow/.test(readFileSync(log, 'utf8')));
    expect(readFileSync(log, 'utf8')).toMatch(/not switching to feature-slow: the checkout is now on branch main, not feature\/slow/);
    const meta = JSON.parse(readFileSync(path.join(project.dir, '.fork-stack/meta/feature-slow.json'), 'utf8'));
    expect(meta).toMatchObject({ gitBranch: 'feature/slow', status: 'ready' });
    expect(current(project.dir)).toBe('dev');
    // Checking the branch out again switches to its (now existing) environment.
    checkout(project.dir, 'feature/slow');
    expect(current(project.dir)).toBe('feature-slow');
  });

  it('adds a hash suffix when sanitising collides with another branch', async () => {
    appendFileSync(path.join(project.dir, 'fork-stack.toml'), '\n[git]\nauto_create = true\n');
    project.run(['hook', 'install']);
    git(project.dir, 'branch', 'feature/auth');
    git(project.dir, 'branch', 'feature-auth');
    checkout(project.dir, 'feature/auth');
    await waitFor(() => current(project.dir) === 'feature-auth');
    const second = checkout(project.dir, 'feature-auth');
    const env = /creating (feature-auth-[0-9a-f]{6}) for branch feature-auth/.exec(second.stderr)?.[1];
    expect(env, second.stderr).toBeDefined();
    await waitFor(() => current(project.dir) === env);
  });

  it('chains an existing hook and restores it on uninstall', () => {
    const hookFile = path.join(project.dir, '.git/hooks/post-checkout');
    const marker = path.join(project.dir, 'hook-ran');
    writeFileSync(hookFile, `#!/bin/sh\necho ran >> '${marker}'\nexit 0\n`);
    chmodSync(hookFile, 0o755);
    const installed = JSON.parse(project.run(['hook', 'install', '--json']).stdout);
    expect(installed.chained).toBe(true);
    git(project.dir, 'branch', 'other');
    checkout(project.dir, 'other');
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    expect(project.run(['hook', 'uninstall']).code).toBe(0);
    expect(readFileSync(hookFile, 'utf8')).toMatch(/echo ran/);
    expect(existsSync(path.join(project.dir, '.git/hooks/post-checkout.fork-stack-chained'))).toBe(false);
  });

  it('each git worktree has its own current environment', () => {
    project.run(['hook', 'install']);
    const wt = path.join(path.dirname(project.dir), 'wt');
    git(project.dir, 'worktree', 'add', '-q', wt, '-b', 'wt-branch');
    // The worktree is a separate checkout: its local stack is its own (init creates its root dev).
    expect(runCli(['init', '--yes', '--force'], { cwd: wt }).code).toBe(0);
    expect(runCli(['create', 'alice'], { cwd: wt }).code).toBe(0);
    git(wt, 'branch', 'alice');
    checkout(wt, 'alice');
    expect(current(wt)).toBe('alice');
    expect(current(project.dir)).toBe('dev');
  });
});

describe('fork-stack prompt', () => {
  it('prints the env, loudly for protected ones, nothing outside a project', () => {
    expect(project.run(['prompt']).stdout).toBe('⚠ DEV\n');
    project.run(['create', 'alice', '--switch']);
    expect(project.run(['prompt']).stdout).toBe('alice\n');
    expect(runCli(['prompt'], { cwd: '/' }).stdout).toBe('');
  });
});
