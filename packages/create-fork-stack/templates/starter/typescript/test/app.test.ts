/**
 * The example app reads the right environment's values: npm test
 *
 * Each test lays out a copy of this project's fork-stack.toml in a temporary directory, with the files
 * fork-stack writes (.current-env, .fork-stack/envs/<env>.env), so nothing here touches your environments.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describe } from '../src/app.js';
import { ForkStackRuntimeError } from '../src/envUtils.js';

const config = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fork-stack.toml');
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-example-'));
  copyFileSync(config, path.join(dir, 'fork-stack.toml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
  writeFileSync(path.join(dir, relative), text);
}

const values = (env: Record<string, string>) => Object.fromEntries(describe({ cwd: dir, env }));

test('an environment gets its own values', () => {
  write('.fork-stack/envs/alice.env', 'DATABASE_URL=postgres://db/alice\nBUCKET_NAME=app-bucket-alice\n');
  write('.fork-stack/envs/bob.env', 'DATABASE_URL=postgres://db/bob\nBUCKET_NAME=app-bucket-bob\n');
  for (const env of ['alice', 'bob']) {
    const got = values({ FORK_STACK_ENV: env });
    assert.deepEqual([got.environment, got.DATABASE_URL, got.BUCKET_NAME], [env, `postgres://db/${env}`, `app-bucket-${env}`]);
  }
});

test('the current environment comes from .current-env', () => {
  write('.current-env', 'alice\n');
  write('.fork-stack/envs/alice.env', 'CACHE_URL=redis://cache:6379/3\n');
  const got = values({});
  assert.deepEqual([got.environment, got.CACHE_URL], ['alice', 'redis://cache:6379/3']);
});

test('production reads the process environment only', () => {
  const got = values({ ENV: 'production', DATABASE_URL: 'postgres://prod/app', QUEUE_URL: 'redis://queue' });
  assert.deepEqual([got.environment, got.DATABASE_URL, got.QUEUE_URL], ['prod', 'postgres://prod/app', 'redis://queue']);
});

test('the project name is the one in fork-stack.toml', () => {
  const got = values({});
  assert.ok(readFileSync(config, 'utf8').includes(`project = "${got.project}"`), String(got.project));
});

test('a malformed .current-env is a clear error', () => {
  write('.current-env', 'Not A Name\n');
  assert.throws(() => values({}), (error: unknown) => error instanceof ForkStackRuntimeError && error.code === 'invalid-current-env');
});
