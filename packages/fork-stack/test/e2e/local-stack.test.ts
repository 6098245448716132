/**
 * End to end: the built CLI on the local stack, in a temp project, exactly as a user types it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, localProject, runCliAsync, type RunResult } from '../helpers/cli.js';

let project: ReturnType<typeof localProject>;
beforeAll(() => {
  project = localProject('my-app');
});
afterAll(() => project.cleanup());

function ok(result: RunResult): RunResult {
  expect(result.stderr, result.stderr).not.toMatch(/^error:/m);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('the local stack, end to end', () => {
  it('init wrote the config, git-ignored local state and made dev current', () => {
    const toml = readFileSync(path.join(project.dir, 'fork-stack.toml'), 'utf8');
    expect(toml).toMatch(/project = "my-app"/);
    expect(toml).toMatch(/default_parent = "dev"/);
    expect(readFileSync(path.join(project.dir, '.gitignore'), 'utf8')).toMatch(/\.current-env\n\.fork-stack\/\n\.env\.local/);
    expect(ok(project.run(['current'])).stdout).toBe('dev\n');
    expect(statSync(path.join(project.dir, '.fork-stack/envs/dev.env')).mode & 0o777).toBe(0o600);
  });

  it('create → switch → run → list → status → delete', async () => {
    const devUrl = JSON.parse(ok(project.run(['env', 'dev', '--format', 'json'])).stdout).DATABASE_URL as string;
    const dev = createClient({ url: devUrl });
    await dev.execute('CREATE TABLE notes (body TEXT)');
    await dev.execute("INSERT INTO notes VALUES ('dev row')");
    dev.close();
    ok(project.run(['secrets', 'set', 'API_TOKEN', 'tok_dev_123456']));

    const created = ok(project.run(['create', 'alice']));
    expect(created.stderr).toMatch(/created alice from dev/);
    ok(project.run(['switch', 'alice']));
    expect(readFileSync(path.join(project.dir, '.current-env'), 'utf8')).toBe('alice\n');
    expect(readFileSync(path.join(project.dir, '.env.local'), 'utf8')).toMatch(/FORK_STACK_ENV=alice/);

    const run = ok(project.run(['run', '--', process.execPath, '-e', 'console.log(process.env.FORK_STACK_ENV, process.env.API_TOKEN, process.env.DATABASE_URL)']));
    expect(run.stdout).toMatch(/^alice tok_dev_123456 file:.*my-app\.alice\.db\n$/);

    const aliceUrl = JSON.parse(ok(project.run(['env', '--format', 'json'])).stdout).DATABASE_URL as string;
    const alice = createClient({ url: aliceUrl });
    await alice.execute("INSERT INTO notes VALUES ('alice row')");
    expect((await alice.execute('SELECT count(*) AS n FROM notes')).rows[0]?.n).toBe(2);
    alice.close();
    const devAgain = createClient({ url: devUrl });
    expect((await devAgain.execute('SELECT count(*) AS n FROM notes')).rows[0]?.n).toBe(1);
    devAgain.close();

    const list = JSON.parse(ok(project.run(['list', '--json'])).stdout);
    expect(list.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'alice']);
    expect(list.environments[1]).toMatchObject({ name: 'alice', state: 'ready', parent: 'dev', current: true });
    expect(ok(project.run(['list'])).stdout).toMatch(/\* alice\s+ready\s+dev/);

    const status = JSON.parse(ok(project.run(['status', 'alice', '--json'])).stdout);
    expect(status.resources).toHaveLength(3);

    const deleted = ok(project.run(['delete', 'alice', '--yes']));
    expect(deleted.stderr).toMatch(/deleted alice/);
    expect(ok(project.run(['current'])).stdout).toBe('dev\n');
    expect(existsSync(path.join(project.dir, '.fork-stack/data/my-app.alice.db'))).toBe(false);
  });

  it('masks secrets unless --reveal, in every format', () => {
    for (const format of ['dotenv', 'json', 'shell']) {
      const masked = ok(project.run(['env', 'dev', '--format', format]));
      expect(masked.stdout).not.toMatch(/tok_dev_123456/);
      expect(masked.stdout).toMatch(/API_TOKEN/);
      expect(ok(project.run(['env', 'dev', '--format', format, '--reveal'])).stdout).toMatch(/tok_dev_123456/);
    }
    expect(ok(project.run(['secrets', 'list'])).stdout).not.toMatch(/tok_dev_123456/);
    expect(ok(project.run(['secrets', 'get', 'API_TOKEN'])).stdout).toBe('tok_dev_123456\n');
  });

  it('reads a secret value from stdin', () => {
    ok(project.run(['secrets', 'set', 'MULTI'], { input: 'line1\nline2\n' }));
    expect(ok(project.run(['secrets', 'get', 'MULTI'])).stdout).toBe('line1\nline2\n');
    ok(project.run(['secrets', 'unset', 'MULTI']));
  });

  it('run passes exit codes and signals through', async () => {
    expect(project.run(['run', '--', 'sh', '-c', 'exit 7']).code).toBe(7);
    const killed = project.run(['run', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(killed.signal ?? killed.code).toSatisfy((v: unknown) => v === 'SIGTERM' || v === 143);
    const notFound = project.run(['run', '--', 'definitely-not-a-command-xyz']);
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toMatch(/command not found: definitely-not-a-command-xyz/);
    // A signal sent to fork-stack reaches the child.
    const pending = runCliAsync(['run', '--', process.execPath, '-e', "process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(42) }); setInterval(() => {}, 1000); console.log('ready')"], { cwd: project.dir });
    await new Promise<void>((resolve) => pending.child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    pending.child.kill('SIGTERM');
    const result = await pending;
    expect(result.stdout).toMatch(/child got SIGTERM/);
    expect(result.code).toBe(42);
  });

  it('keeps the user lines of .env.local byte for byte', () => {
    const file = path.join(project.dir, '.env.local');
    const current = readFileSync(file, 'utf8');
    writeFileSync(file, `MINE="keep me"\r\n${current}# trailing comment without newline`);
    ok(project.run(['create', 'bob', '--switch']));
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith('MINE="keep me"\r\n')).toBe(true);
    expect(after.endsWith('# trailing comment without newline')).toBe(true);
    expect(after).toMatch(/FORK_STACK_ENV=bob/);
    ok(project.run(['delete', 'bob', '--yes']));
  });

  it('the .env.local warning says which value wins: the block over a line above it, a line below it over the block', () => {
    const file = path.join(project.dir, '.env.local');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, `BUCKET_NAME=mine-above\n${original}${original.endsWith('\n') ? '' : '\n'}DATABASE_URL=file:mine-below.db\n`);
      const switched = ok(project.run(['switch', 'dev']));
      expect(switched.stderr).toMatch(/\.env\.local also sets BUCKET_NAME above the fork-stack block; the block's values win with dotenv, python-dotenv and node --env-file/);
      expect(switched.stderr).toMatch(/\.env\.local sets DATABASE_URL below the fork-stack block, so your line wins over the environment's value/);
      expect(switched.stderr).not.toMatch(/comes later and wins/);
      // What the warnings say is what node --env-file does.
      const node = spawnSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(JSON.stringify([process.env.BUCKET_NAME, process.env.DATABASE_URL]))'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
      const [bucket, url] = JSON.parse(node.stdout) as [string, string];
      expect(bucket).not.toBe('mine-above');
      expect(url).toBe('file:mine-below.db');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('two creates of the same env at once: one succeeds, the other fails clearly and changes nothing', async () => {
    const [a, b] = await Promise.all([runCliAsync(['create', 'carol'], { cwd: project.dir }), runCliAsync(['create', 'carol'], { cwd: project.dir })]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toMatch(/busy: another fork-stack process|already exists/);
    expect(hasStackTrace(loser.stderr)).toBe(false);
    const list = JSON.parse(ok(project.run(['list', '--json'])).stdout);
    expect(list.environments.find((e: { name: string }) => e.name === 'carol')).toMatchObject({ state: 'ready' });
    ok(project.run(['delete', 'carol', '--yes']));
  });

  it('doctor reports every provider healthy', () => {
    const doctor = JSON.parse(ok(project.run(['doctor', '--json'])).stdout);
    expect(doctor.ok).toBe(true);
    expect(doctor.sections.map((s: { slot: string }) => s.slot)).toEqual(['database', 'storage.uploads', 'secrets']);
  });
});
