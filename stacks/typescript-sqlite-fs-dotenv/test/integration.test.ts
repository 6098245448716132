/**
 * Integration test: the real CLI creates an environment, switches to it, the example reads that
 * environment's values through envUtils.ts and writes a note there, dev stays as it was, and the
 * environment is deleted.
 *
 *   make test-integration          (runs `make envs-init` first; FORK_STACK=... picks the CLI)
 *
 * Runs only with FORK_STACK_INTEGRATION=1. The CLI is FORK_STACK_CLI (default `npx --no-install
 * fork-stack`); the environment's name is FORK_STACK_TEST_ENV (default itest).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EnvConfig } from '../envUtils.js';
import { addNote, status } from '../example/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = (process.env.FORK_STACK_CLI || 'npx --no-install fork-stack').split(/\s+/).filter(Boolean);
const NAME = process.env.FORK_STACK_TEST_ENV || 'itest';
const ENV: Record<string, string> = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'FORK_STACK_ENV' && e[0] !== 'ENV'),
);
const current = () => new EnvConfig({ cwd: ROOT, env: ENV });

async function cli(...args: string[]): Promise<string> {
  const [command, ...rest] = CLI as [string, ...string[]];
  try {
    return (await promisify(execFile)(command, [...rest, ...args], { cwd: ROOT, env: ENV })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`fork-stack ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}
const names = async () => (JSON.parse(await cli('list', '--json')) as { environments: { name: string }[] }).environments.map((e) => e.name);

test('create → switch → read and write → dev unchanged → delete', { skip: process.env.FORK_STACK_INTEGRATION !== '1' && 'set FORK_STACK_INTEGRATION=1 (make test-integration)' }, async () => {
  let finished = false;
  try {
    await cli('switch', 'dev');
    const before = await status(current());
    await addNote(current(), 'written in dev before the fork');
    const dev = await status(current());
    assert.equal(dev.notes.length, before.notes.length + 1);

    await cli('create', NAME, '--switch');
    const created = JSON.parse(await cli('env', NAME, '--format', 'json', '--reveal')) as Record<string, string>;
    let mine = await status(current());
    assert.equal(mine.env, NAME);
    assert.equal(mine.database_url, created.DATABASE_URL);
    assert.equal(mine.bucket, created.BUCKET_NAME);
    assert.ok(mine.bucket.endsWith(`/myapp-bucket-${NAME}`), mine.bucket);
    assert.deepEqual([mine.notes, mine.files], [dev.notes, dev.files]); // a fork starts as a copy

    const added = await addNote(current(), `written in ${NAME}`);
    mine = await status(current());
    assert.equal(mine.notes.length, dev.notes.length + 1);
    assert.ok(mine.files.includes(`notes/${added.id}.txt`));
    assert.deepEqual(await status(new EnvConfig({ cwd: ROOT, env: { ...ENV, FORK_STACK_ENV: 'dev' } })), dev);

    await cli('switch', 'dev');
    assert.deepEqual(await status(current()), dev);
    await cli('delete', NAME, '--yes');
    assert.ok(!(await names()).includes(NAME));
    assert.equal(existsSync(mine.bucket), false);
    assert.equal(existsSync(fileURLToPath(mine.database_url)), false);
    finished = true;
  } finally {
    if (!finished) {
      await cli('switch', 'dev').catch(() => undefined);
      await cli('delete', NAME, '--yes').catch(() => undefined);
    }
  }
});
