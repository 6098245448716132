/**
 * Lifecycle hooks ([hooks], docs/hooks.md) end to end: the built CLI on the local stack (sqlite + fs +
 * dotenv). The hooks are small Node scripts in the project that log what they saw to a file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, localProject, type RunResult } from '../helpers/cli.js';
import { hasScript, runOnPty } from '../helpers/pty.js';

const SECRET = 'tok_hook_secret_4815162342';
const node = JSON.stringify(process.execPath);

const LOG_SCRIPT = `
import { appendFileSync } from 'node:fs';
const e = process.env;
appendFileSync('hook-log.jsonl', JSON.stringify({ arg: process.argv[2], cwd: process.cwd(), env: e.FORK_STACK_ENV, parent: e.FORK_STACK_PARENT, hook: e.FORK_STACK_HOOK, db: e.DATABASE_URL, token: e.API_TOKEN, path: Boolean(e.PATH) }) + '\\n');
console.log('ran', process.argv[2], 'with token', e.API_TOKEN);
`;
// Fails (exit 3) until the file gate-open exists: a hook that is fixed between two runs.
const GATE_SCRIPT = `
import { appendFileSync, existsSync } from 'node:fs';
appendFileSync('hook-log.jsonl', JSON.stringify({ arg: 'gate', env: process.env.FORK_STACK_ENV }) + '\\n');
if (!existsSync('gate-open')) { console.error('gate is closed'); process.exit(3); }
`;
// Waits until interrupted; records the signal it got.
const WAIT_SCRIPT = `
import { writeFileSync } from 'node:fs';
process.on('SIGINT', () => { writeFileSync('hook-signal', 'SIGINT'); process.exit(130); });
console.log('waiting for a signal');
setInterval(() => {}, 1000);
`;

let project: ReturnType<typeof localProject>;
let baseToml: string;

function setHooks(hooks: Record<string, string[]>): void {
  const lines = Object.entries(hooks).map(([name, cmds]) => `${name} = [${cmds.map((c) => JSON.stringify(c)).join(', ')}]`);
  writeFileSync(path.join(project.dir, 'fork-stack.toml'), `${baseToml}\n[hooks]\n${lines.join('\n')}\n`);
}

function log(): { arg: string; cwd?: string; env: string; parent?: string; hook?: string; db?: string; token?: string; path?: boolean }[] {
  const file = path.join(project.dir, 'hook-log.jsonl');
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  writeFileSync(file, '');
  return lines;
}

function ok(result: RunResult): RunResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** A digest of every file of the dev environment: database, bucket, secrets. */
function devDigest(): string {
  const hash = createHash('sha256');
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(path.join(p, n));
    else hash.update(p).update(readFileSync(p));
  };
  const state = path.join(project.dir, '.fork-stack');
  for (const p of ['data/hooks-app.dev.db', 'secrets/dev.env', 'buckets/hooks-app-bucket-dev']) walk(path.join(state, p));
  return hash.digest('hex');
}

function envNames(): string[] {
  return (JSON.parse(ok(project.run(['list', '--json'])).stdout) as { environments: { name: string }[] }).environments.map((e) => e.name);
}

beforeAll(() => {
  project = localProject('hooks-app');
  baseToml = readFileSync(path.join(project.dir, 'fork-stack.toml'), 'utf8');
  writeFileSync(path.join(project.dir, 'log.mjs'), LOG_SCRIPT);
  writeFileSync(path.join(project.dir, 'gate.mjs'), GATE_SCRIPT);
  writeFileSync(path.join(project.dir, 'wait.mjs'), WAIT_SCRIPT);
  mkdirSync(path.join(project.dir, '.fork-stack/buckets/hooks-app-bucket-dev'), { recursive: true });
  writeFileSync(path.join(project.dir, '.fork-stack/buckets/hooks-app-bucket-dev/avatar.txt'), 'dev object');
  ok(project.run(['secrets', 'set', 'API_TOKEN', SECRET, '--env', 'dev']));
});
afterAll(() => project.cleanup());

describe('lifecycle hooks on the local stack', () => {
  it('after_create runs its commands in order, in the project root, with the environment variables and FORK_STACK_*', () => {
    setHooks({ after_create: [`${node} log.mjs one`, `${node} log.mjs two`] });
    const created = ok(project.run(['create', 'alice', '--json']));
    const seen = log();
    expect(seen.map((s) => s.arg)).toEqual(['one', 'two']);
    for (const s of seen) {
      expect(s).toMatchObject({ cwd: project.dir, env: 'alice', parent: 'dev', hook: 'after_create', token: SECRET, path: true });
      expect(s.db).toMatch(/hooks-app\.alice\.db/);
    }
    // Streamed on stderr, prefixed with the hook's name (also with --json: stdout is the result).
    expect(created.stderr).toMatch(/^\[after_create\] ran one with token/m);
    const data = JSON.parse(created.stdout) as { hooks: { ok: boolean; commands: { command: string; exitCode: number; durationMs: number }[]; durationMs: number } };
    expect(data.hooks.ok).toBe(true);
    expect(data.hooks.commands.map((c) => c.exitCode)).toEqual([0, 0]);
    for (const c of data.hooks.commands) expect(typeof c.durationMs).toBe('number');
    expect(typeof data.hooks.durationMs).toBe('number');
    const status = JSON.parse(ok(project.run(['status', 'alice', '--json'])).stdout) as { state: string; hooks: Record<string, { state: string }> };
    expect(status).toMatchObject({ state: 'ready', hooks: { after_create: { state: 'succeeded' } } });
  });

  it('hook output never prints a secret value (scrubbed like all other output)', () => {
    setHooks({ after_create: [`${node} log.mjs scrub`] });
    const created = ok(project.run(['create', 'scrubbed']));
    expect(log()[0]?.token).toBe(SECRET);
    expect(created.stderr).toMatch(/\[after_create\] ran scrub with token \*\*\*\*/);
    expect(created.stderr).not.toContain(SECRET);
  });

  it('a failing after_create fails the create (exit 1), stops at the failure, rolls back and leaves the parent byte-identical', () => {
    setHooks({ after_create: [`${node} log.mjs one`, `${node} gate.mjs`, `${node} log.mjs never`] });
    const before = devDigest();
    const result = project.run(['create', 'bob']);
    expect(result.code, result.stderr).toBe(1);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).toMatch(/error: could not create "bob": hook after_create failed: `.*gate\.mjs` exited with 3/);
    expect(result.stderr).toMatch(/\[after_create\] gate is closed/);
    expect(result.stderr).toMatch(/rolled back/);
    expect(log().map((s) => s.arg)).toEqual(['one', 'gate']);
    expect(envNames()).not.toContain('bob');
    expect(existsSync(path.join(project.dir, '.fork-stack/data/hooks-app.bob.db'))).toBe(false);
    expect(existsSync(path.join(project.dir, '.fork-stack/meta/bob.json'))).toBe(false);
    expect(devDigest()).toBe(before);
  });

  it('--json on a failed hook carries each command\'s exit code and duration', () => {
    setHooks({ after_create: [`${node} log.mjs one`, `${node} gate.mjs`] });
    const result = project.run(['create', 'bob', '--json']);
    expect(result.code).toBe(1);
    log();
    const error = (JSON.parse(result.stdout) as { error: { exitCode: number; hook: { ok: boolean; commands: { exitCode: number; durationMs: number }[] } } }).error;
    expect(error.exitCode).toBe(1);
    expect(error.hook.ok).toBe(false);
    expect(error.hook.commands.map((c) => c.exitCode)).toEqual([0, 3]);
    expect(error.hook.commands.every((c) => typeof c.durationMs === 'number')).toBe(true);
  });

  it('--keep-partial keeps a failed environment, list and status name the hook, and "hooks run" resumes from the failed command', () => {
    setHooks({ after_create: [`${node} log.mjs one`, `${node} gate.mjs`, `${node} log.mjs three`] });
    const failed = project.run(['create', 'carol', '--keep-partial']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/"carol" is kept and listed as failed \(--keep-partial\)/);
    expect(failed.stderr).toMatch(/hooks run after_create --env carol/);
    log();
    const listed = (JSON.parse(ok(project.run(['list', '--json'])).stdout) as { environments: { name: string; state: string; hooks?: Record<string, { state: string; failedCommand?: string; exitCode?: number }> }[] }).environments.find((e) => e.name === 'carol');
    expect(listed).toMatchObject({ state: 'failed', hooks: { after_create: { state: 'failed', exitCode: 3 } } });
    expect(listed?.hooks?.after_create?.failedCommand).toMatch(/gate\.mjs/);
    expect(ok(project.run(['status', 'carol'])).stdout).toMatch(/carol {2}failed[\s\S]*hook {5}after_create failed at `.*gate\.mjs` \(exit 3\)/);

    writeFileSync(path.join(project.dir, 'gate-open'), '');
    const resumed = ok(project.run(['hooks', 'run', 'after_create', '--env', 'carol']));
    expect(resumed.stderr).toMatch(/resuming after_create of "carol"/);
    expect(log().map((s) => s.arg)).toEqual(['gate', 'three']);
    const status = JSON.parse(ok(project.run(['status', 'carol', '--json'])).stdout) as { state: string; hooks: Record<string, { state: string }> };
    expect(status).toMatchObject({ state: 'ready', hooks: { after_create: { state: 'succeeded' } } });
    expect(existsSync(path.join(project.dir, '.fork-stack/envs/carol.env'))).toBe(true);
  });

  it('"create" again on an environment kept as failed resumes after_create from the failed command', () => {
    setHooks({ after_create: [`${node} log.mjs one`, `${node} gate.mjs`, `${node} log.mjs three`] });
    const gate = path.join(project.dir, 'gate-open');
    rmSync(gate, { force: true });
    expect(project.run(['create', 'dave', '--keep-partial']).code).toBe(1);
    log();
    writeFileSync(gate, '');
    const again = ok(project.run(['create', 'dave', '--json']));
    expect(log().map((s) => s.arg)).toEqual(['gate', 'three']);
    expect(JSON.parse(again.stdout)).toMatchObject({ env: 'dave', resumed: true, hooks: { ok: true, from: 1 } });
    expect(envNames()).toContain('dave');
  });

  it('--no-hooks skips after_create, after_reset and before_delete', () => {
    setHooks({ after_create: [`${node} log.mjs create`], after_reset: [`${node} log.mjs reset`], before_delete: [`${node} log.mjs delete`] });
    const created = JSON.parse(ok(project.run(['create', 'erin', '--no-hooks', '--json'])).stdout) as { hooks: { skipped: string } };
    expect(created.hooks.skipped).toBe('--no-hooks');
    ok(project.run(['reset', 'erin', '--yes', '--no-hooks']));
    ok(project.run(['delete', 'erin', '--yes', '--no-hooks']));
    expect(log()).toEqual([]);
  });

  it('after_reset runs after a reset, and a failing before_delete stops the delete before anything is removed', () => {
    setHooks({ after_reset: [`${node} log.mjs reset`], before_delete: [`${node} log.mjs delete`, `${node} -e "process.exit(4)"`] });
    ok(project.run(['create', 'frank']));
    const reset = JSON.parse(ok(project.run(['reset', 'frank', '--yes', '--json'])).stdout) as { hooks: { ok: boolean; commands: { exitCode: number }[] } };
    expect(reset.hooks.commands.map((c) => c.exitCode)).toEqual([0]);
    expect(log()).toMatchObject([{ arg: 'reset', env: 'frank', parent: 'dev', hook: 'after_reset' }]);
    const refused = project.run(['delete', 'frank', '--yes']);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/hook before_delete failed: `.*process\.exit\(4\)"?` exited with 4/);
    expect(log().map((s) => s.arg)).toEqual(['delete']);
    expect(envNames()).toContain('frank');
    ok(project.run(['delete', 'frank', '--yes', '--no-hooks']));
  });

  it('hooks never run against a root or protected environment', () => {
    setHooks({ after_create: [`${node} log.mjs root`], after_switch: [`${node} log.mjs switch`] });
    const refused = project.run(['hooks', 'run', 'after_create', '--env', 'dev']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error: not running after_create: "dev" is a root environment: hooks never run against a root's resources/);
    const switched = ok(project.run(['switch', 'dev']));
    expect(switched.stderr).toMatch(/not running after_switch: "dev" is a root environment/);
    expect(log()).toEqual([]);
  });

  it('after_switch runs after switch makes an environment current', () => {
    setHooks({ after_switch: [`${node} log.mjs switch`] });
    ok(project.run(['switch', 'alice']));
    expect(log()).toMatchObject([{ arg: 'switch', env: 'alice', hook: 'after_switch' }]);
    ok(project.run(['switch', 'dev']));
  });

  it('an unknown hook name and a hook with no commands are usage errors (exit 2)', () => {
    setHooks({});
    const unknown = project.run(['hooks', 'run', 'after_deploy', '--env', 'alice']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/after_deploy/);
    const empty = project.run(['hooks', 'run', 'after_reset', '--env', 'alice']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no after_reset hook is configured/);
  });

  it.skipIf(!hasScript())('ctrl-c during after_create on a terminal signals the hook, rolls the create back and exits 130', async () => {
    setHooks({ after_create: [`${node} wait.mjs`] });
    const before = devDigest();
    const session = runOnPty(['create', 'gina'], { cwd: project.dir });
    await session.waitFor('waiting for a signal', 30_000);
    session.send('\x03');
    const result = await session.done;
    expect(result.code, result.screen).toBe(130);
    expect(readFileSync(path.join(project.dir, 'hook-signal'), 'utf8')).toBe('SIGINT');
    expect(envNames()).not.toContain('gina');
    expect(existsSync(path.join(project.dir, '.fork-stack/data/hooks-app.gina.db'))).toBe(false);
    expect(devDigest()).toBe(before);
  }, 60_000);
});
