/** The few git facts fork-stack needs, asked of the git binary with argument arrays (never a shell). */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 15_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The checked-out branch, or undefined when HEAD is detached or this is not a git work tree. */
export function currentBranch(cwd: string): Promise<string | undefined> {
  return git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
}

/** Directory git runs hooks from (honours core.hooksPath; shared by all worktrees). */
export async function hooksDir(cwd: string): Promise<string | undefined> {
  const dir = await git(cwd, ['rev-parse', '--git-path', 'hooks']);
  return dir === undefined ? undefined : path.resolve(cwd, dir);
}

/** Branch names on a remote, or undefined when the remote cannot be reached (never guess "gone"). */
export async function remoteBranches(cwd: string, remote: string): Promise<Set<string> | undefined> {
  const out = await git(cwd, ['ls-remote', '--heads', remote]);
  if (out === undefined) return undefined;
  return new Set(
    out
      .split('\n')
      .map((line) => line.split('\t')[1]?.replace(/^refs\/heads\//, ''))
      .filter((b): b is string => Boolean(b)),
  );
}

/**
 * An environment name for a branch: `feature/Auth_Login` → `feature-auth-login`. When sanitising loses
 * information the caller may need a suffix; `withHash` adds a short hash of the exact branch name.
 */
export function sanitiseBranch(branch: string, maxLength = 48): string {
  let name = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `b-${name}`.replace(/-+$/, '');
  if (name.length > maxLength) name = name.slice(0, maxLength).replace(/-+$/, '');
  return name || 'branch';
}

export function branchHash(branch: string): string {
  return createHash('sha256').update(branch).digest('hex').slice(0, 6);
}

export function withHash(branch: string, maxLength = 48): string {
  const hash = branchHash(branch);
  const base = sanitiseBranch(branch, maxLength - hash.length - 1);
  return `${base}-${hash}`;
}
