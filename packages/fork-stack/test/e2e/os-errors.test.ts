/**
 * The operating system says no: a full disk (ENOSPC), a read-only file system (EROFS), permission denied
 * (EACCES), a file where a directory should be (ENOTDIR/EEXIST). When taking the lock, writing the
 * journal and in `switch`, fork-stack exits 1 with one line naming the file and the cause, a hint, no
 * stack trace and no "This is a bug in fork-stack" (it printed that before). Issue 14 §5.
 *
 * Real failures, not stubs: the CLI runs in a private mount namespace (unshare) where a tiny tmpfs is put
 * over one directory of the project, filled up or remounted read-only; EACCES runs the CLI as an
 * unprivileged user (root ignores permission bits). Where mount namespaces are not available the mount
 * tests are skipped, except under CI=true, where that is a failure.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, hasStackTrace, localProject, type RunResult } from '../helpers/cli.js';

const ROOT = process.getuid?.() === 0;
const NS = [...(ROOT ? [] : ['-r']), '-m', '--propagation', 'private'];

function mountsWork(): boolean {
  const probe = 'd=$(mktemp -d) && mount -t tmpfs -o size=16k tmpfs "$d" && umount "$d" && rmdir "$d"';
  return spawnSync('unshare', [...NS, 'sh', '-c', probe]).status === 0;
}
const CAN_MOUNT = mountsWork();
if (!CAN_MOUNT && process.env.CI === 'true') throw new Error('these tests need mount namespaces (unshare -m); run them as root or enable user namespaces');
const withMount = CAN_MOUNT ? it : it.skip;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell lines putting a small tmpfs over `dir` (its files copied in), then filling it or making it read-only. */
function over(dir: string, how: 'full' | 'read-only'): string {
  return [
    `d=${q(dir)}`,
    'mkdir -p "$d"',
    's=$(mktemp -d)',
    'cp -a "$d"/. "$s"/',
    'mount -t tmpfs -o size=256k tmpfs "$d"',
    'cp -a "$s"/. "$d"/',
    'rm -rf "$s"',
    how === 'full' ? '(head -c 8M /dev/zero > "$d/.fill") 2>/dev/null || true' : 'mount -o remount,ro "$d"',
  ].join('\n');
}

/** Run the CLI after `setup` in a private mount namespace; `listing` gets `ls -A` of the mounted dir afterwards. */
function runMounted(dir: string, setup: string, args: string[], listing?: string): RunResult {
  const after = listing ? `ls -A "$d" > ${q(listing)}` : ':';
  const script = `set -e\n${setup}\nset +e\n"$@"\nrc=$?\n${after}\nexit $rc`;
  const r = spawnSync('unshare', [...NS, 'sh', '-c', script, 'sh', process.execPath, CLI, ...args], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function expectClearFailure(r: RunResult, message: RegExp, hint: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(hint);
  expect(r.stderr).not.toMatch(/This is a bug/);
  expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
}

let project: ReturnType<typeof localProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** A local-stack project with dev (current) and alice. */
function withAlice(): ReturnType<typeof localProject> {
  project = localProject();
  const created = project.run(['create', 'alice']);
  expect(created.code, created.stderr).toBe(0);
  return project;
}

const fsDir = (p: { dir: string }, ...parts: string[]) => path.join(p.dir, '.fork-stack', ...parts);
const current = (p: { dir: string }) => readFileSync(path.join(p.dir, '.current-env'), 'utf8').trim();

describe('no space left on device (ENOSPC)', () => {
  withMount('a full disk when taking the lock: switch exits 1 naming the lock and the cause (it printed "This is a bug")', () => {
    const p = withAlice();
    const r = runMounted(p.dir, over(fsDir(p, 'locks'), 'full'), ['switch', 'alice']);
    expectClearFailure(r, /^error: could not take the lock \.fork-stack\/locks\/alice\.lock: no space left on device$/m, /hint: Free some space .*df -h/);
    expect(current(p)).toBe('dev');
  });

  withMount('a full disk when writing the journal: create exits 1 naming the journal, and leaves no environment behind', () => {
    const p = withAlice();
    const listing = path.join(p.dir, '..', 'listing');
    const r = runMounted(p.dir, over(fsDir(p, 'meta'), 'full'), ['create', 'bob'], listing);
    expectClearFailure(r, /^error: could not write \.fork-stack\/meta\/bob\.json: no space left on device$/m, /hint: Free some space/);
    // Nothing of bob: no journal or temp file of it, no database, no lock left held.
    expect(readFileSync(listing, 'utf8').split('\n').filter((n) => n.includes('bob'))).toEqual([]);
    expect(existsSync(fsDir(p, 'data', 'app.bob.db'))).toBe(false);
    expect(p.run(['switch', 'alice']).code).toBe(0);
  });

  withMount('a full disk in switch: exits 1 naming the variables file, no temp file left, .current-env unchanged', () => {
    const p = withAlice();
    rmSync(fsDir(p, 'envs', 'alice.env'));
    const listing = path.join(p.dir, '..', 'listing');
    const r = runMounted(p.dir, over(fsDir(p, 'envs'), 'full'), ['switch', 'alice'], listing);
    expectClearFailure(r, /^error: could not write \.fork-stack\/envs\/alice\.env: no space left on device$/m, /hint: Free some space/);
    expect(readFileSync(listing, 'utf8').split('\n').filter((n) => n.includes('alice'))).toEqual([]);
    expect(current(p)).toBe('dev');
  });

  withMount('a failed write of the secrets file leaves no temp file holding the secret behind', () => {
    const p = withAlice();
    const listing = path.join(p.dir, '..', 'listing');
    const grep = path.join(p.dir, '..', 'grep');
    const setup = over(fsDir(p, 'secrets'), 'full');
    const script = `set -e\n${setup}\nset +e\n"$@"\nrc=$?\nls -A "$d" > ${q(listing)}\ngrep -rl s3cr3t-value "$d" > ${q(grep)}\nexit $rc`;
    const r = spawnSync('unshare', [...NS, 'sh', '-c', script, 'sh', process.execPath, CLI, 'secrets', 'set', 'TOKEN', 's3cr3t-value'], {
      cwd: p.dir,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expectClearFailure({ code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }, /could not write \.fork-stack\/secrets\/dev\.env: no space left on device/, /hint: Free some space/);
    expect(readFileSync(listing, 'utf8').split('\n').filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(grep, 'utf8')).toBe('');
  });
});

describe('read-only file system (EROFS)', () => {
  withMount('switch on a read-only variables directory exits 1 naming the file', () => {
    const p = withAlice();
    rmSync(fsDir(p, 'envs', 'alice.env'));
    const r = runMounted(p.dir, over(fsDir(p, 'envs'), 'read-only'), ['switch', 'alice']);
    expectClearFailure(r, /^error: could not write \.fork-stack\/envs\/alice\.env: read-only file system$/m, /hint: .*mounted read-only/);
    expect(current(p)).toBe('dev');
  });

  withMount('taking the lock on a read-only file system exits 1 naming the lock', () => {
    const p = withAlice();
    const r = runMounted(p.dir, over(fsDir(p, 'locks'), 'read-only'), ['secrets', 'set', 'K', 'v']);
    expectClearFailure(r, /^error: could not take the lock \.fork-stack\/locks\/dev\.lock: read-only file system$/m, /hint: .*mounted read-only/);
  });

  withMount('writing the journal on a read-only file system exits 1 naming the journal', () => {
    const p = withAlice();
    const r = runMounted(p.dir, over(fsDir(p, 'meta'), 'read-only'), ['create', 'bob']);
    expectClearFailure(r, /^error: could not write \.fork-stack\/meta\/bob\.json: read-only file system$/m, /hint: .*mounted read-only/);
    expect(existsSync(fsDir(p, 'data', 'app.bob.db'))).toBe(false);
  });
});

describe('permission denied and files in the way', () => {
  it('permission denied (EACCES) when taking the lock: switch exits 1 naming the lock and the user', () => {
    const p = withAlice();
    mkdirSync(fsDir(p, 'locks'), { recursive: true });
    let r: RunResult;
    if (ROOT) {
      // root ignores permission bits: run as nobody, who may read the project but not write to it.
      chmodSync(path.dirname(p.dir), 0o755);
      chmodSync(p.dir, 0o755);
      const s = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'switch', 'alice'], {
        cwd: p.dir,
        env: cleanEnv({ HOME: '/tmp' }),
        encoding: 'utf8',
      });
      r = { code: s.status, signal: s.signal, stdout: s.stdout, stderr: s.stderr };
    } else {
      chmodSync(fsDir(p, 'locks'), 0o555);
      r = p.run(['switch', 'alice']);
      chmodSync(fsDir(p, 'locks'), 0o755);
    }
    expectClearFailure(r, /^error: could not take the lock \.fork-stack\/locks\/alice\.lock: permission denied$/m, /hint: Check who owns \.fork-stack\/locks .*fork-stack runs as/);
    expect(current(p)).toBe('dev');
  });

  it('a file where the locks directory should be: exits 1 naming it', () => {
    const p = withAlice();
    rmSync(fsDir(p, 'locks'), { recursive: true, force: true });
    writeFileSync(fsDir(p, 'locks'), 'not a directory\n');
    const r = p.run(['switch', 'alice']);
    expectClearFailure(r, /^error: could not take the lock \.fork-stack\/locks\/alice\.lock: \.fork-stack\/locks: a file is in the way/m, /hint: Move \.fork-stack\/locks elsewhere/);
  });

  it('a file where the journal directory should be (ENOTDIR, through the CLI fallback): exits 1 naming the path, not "This is a bug"', () => {
    const p = withAlice();
    rmSync(fsDir(p, 'meta'), { recursive: true, force: true });
    writeFileSync(fsDir(p, 'meta'), 'not a directory\n');
    const r = p.run(['create', 'bob']);
    expectClearFailure(r, /^error: could not \w+ \.fork-stack\/meta\/bob\.json: a part of that path is a file, not a directory$/m, /hint: Move the file on the way/);
  });
});
