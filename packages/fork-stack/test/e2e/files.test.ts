/**
 * Files and the operating system, on the CLI (issue 14 §5): `.env.local` is always 0600 and a looser one
 * is tightened with a warning; `run` with variables too large to exec (E2BIG) fails clearly; `secrets set`
 * reads a slow or large pipe to the end.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, hasStackTrace, localProject, type RunResult } from '../helpers/cli.js';

let project: ReturnType<typeof localProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const mode = (file: string) => statSync(file).mode & 0o777;

/** `sh -c script` in the project, the CLI as "$FS": pipes built by a shell, as users build them. */
function shell(dir: string, script: string): RunResult {
  const r = spawnSync('sh', ['-c', script], { cwd: dir, env: cleanEnv({ FS: `${process.execPath} ${CLI}` }), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('.env.local holds secrets: always 0600', () => {
  it('a pre-existing 0644 .env.local is made 0600 by switch, and the user is told (it stayed 0644)', () => {
    project = localProject();
    const envLocal = path.join(project.dir, '.env.local');
    expect(project.run(['create', 'alice']).code).toBe(0);
    chmodSync(envLocal, 0o644);
    const r = project.run(['switch', 'alice']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(envLocal)).toBe(0o600);
    expect(r.stderr).toMatch(/warning: \.env\.local could be read by other users \(mode 0644\); fork-stack made it 0600, because it holds secrets/);
    // Once tight, nothing more is said.
    expect(project.run(['switch', 'alice']).stderr).not.toMatch(/could be read by other users/);
  });

  it('secrets set on the current environment tightens a 0664 .env.local too, with the warning', () => {
    project = localProject();
    const envLocal = path.join(project.dir, '.env.local');
    chmodSync(envLocal, 0o664);
    const r = project.run(['secrets', 'set', 'API_TOKEN', 'tok']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(envLocal)).toBe(0o600);
    expect(r.stderr).toMatch(/\.env\.local could be read by other users \(mode 0664\)/);
  });

  it('a user-made 0644 .env.local without a block is made 0600 when switch adds the block', () => {
    project = localProject();
    const envLocal = path.join(project.dir, '.env.local');
    writeFileSync(envLocal, 'MY_OWN=1\n');
    chmodSync(envLocal, 0o644);
    const r = project.run(['switch', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(envLocal)).toBe(0o600);
    expect(r.stderr).toMatch(/could be read by other users \(mode 0644\)/);
  });
});

describe('run', () => {
  it('run with a variable too large to exec (E2BIG) exits 1 with a clear error naming it (it printed "This is a bug")', () => {
    project = localProject();
    const huge = 'x'.repeat(200 * 1024);
    expect(project.run(['secrets', 'set', 'HUGE_VALUE'], { input: huge }).code).toBe(0);
    const r = project.run(['run', '--', 'true']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot start true: the variables of "dev" are too large to pass to a command \(E2BIG\)$/m);
    expect(r.stderr).toMatch(/HUGE_VALUE is over the 128 KiB a single variable may hold/);
    expect(r.stderr).toMatch(/hint: Keep large values in a file .*secrets set HUGE_VALUE --env dev/);
    expect(r.stderr).not.toMatch(/This is a bug/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('secrets set reads stdin to the end', () => {
  it('a slow pipe: (sleep 1; printf late) | secrets set LATE stores "late" (it exited 2: "not valid UTF-8")', () => {
    project = localProject();
    const r = shell(project.dir, '(sleep 1; printf late) | $FS secrets set LATE');
    expect(r.code, r.stderr).toBe(0);
    expect(project.run(['secrets', 'get', 'LATE']).stdout).toBe('late\n');
  });

  it('a pipe that delivers part of the value, pauses, then the rest stores all of it (the first part was read, then EAGAIN)', () => {
    project = localProject();
    // The CLI is reading before the pause ends however slowly it starts here: 4 s is longer than its start.
    const r = shell(project.dir, '(printf la; sleep 4; printf te) | $FS secrets set TRICKLE');
    expect(r.code, r.stderr).toBe(0);
    expect(project.run(['secrets', 'get', 'TRICKLE']).stdout).toBe('late\n');
  });

  it('a 1 MiB value from a pipe is stored exactly (it failed 5 of 5 times)', () => {
    project = localProject();
    const value = Array.from({ length: 1024 * 1024 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7919) % 36]).join('');
    const file = path.join(project.dir, '..', 'value');
    writeFileSync(file, value);
    for (let i = 0; i < 3; i++) {
      const r = shell(project.dir, `cat ${file} | $FS secrets set BIG_${i}`);
      expect(r.code, r.stderr).toBe(0);
      const got = project.run(['secrets', 'get', `BIG_${i}`]).stdout;
      expect(got.length).toBe(value.length + 1);
      expect(got === `${value}\n`).toBe(true);
    }
  });

  it('a leading byte order mark from a pipe is kept as part of the value, and invalid UTF-8 is still refused', () => {
    project = localProject();
    expect(shell(project.dir, "printf '\\357\\273\\277bom' | $FS secrets set WITH_BOM").code).toBe(0);
    expect(project.run(['secrets', 'get', 'WITH_BOM']).stdout).toBe('\ufeffbom\n');
    const bad = shell(project.dir, "printf '\\377\\376' | $FS secrets set BAD");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the value on stdin is not valid UTF-8/);
  });
});
