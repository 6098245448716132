/**
 * Unit tests of this stack: its fork-stack.toml read through envUtils.ts, and the notes example in two
 * environments. No CLI needed (`make test-integration` runs the CLI).
 *
 *   node --import tsx --test test/stack.test.ts
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EnvConfig } from '../envUtils.js';
import { addNote, main, status } from '../example/app.js';

const STACK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'stack-ts-local-')));
  copyFileSync(path.join(STACK, 'fork-stack.toml'), path.join(root, 'fork-stack.toml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const config = (env: string, extra: Record<string, string> = {}) => new EnvConfig({ cwd: root, env: { FORK_STACK_ENV: env, ...extra } });

/** What `fork-stack create` leaves for the app: the database file and the bucket directory. */
function create(...envs: string[]): void {
  for (const env of envs) {
    const c = config(env);
    mkdirSync(path.dirname(c.getLocalDbPath()), { recursive: true });
    writeFileSync(c.getLocalDbPath(), '');
    mkdirSync(c.getBucketName(), { recursive: true });
  }
}

test('each environment has its own database file and bucket directory', () => {
  const alice = config('alice');
  assert.equal(alice.getProjectName(), 'myapp');
  assert.equal(alice.getDatabaseUrl(), `file:${root}/.fork-stack/data/myapp.alice.db`);
  assert.equal(alice.getBucketName(), `${root}/.fork-stack/buckets/myapp-bucket-alice`);
  assert.equal(config('dev').getBucketName(), `${root}/.fork-stack/buckets/myapp-bucket-dev`);
  assert.equal(config('production').getCurrentEnv(), 'prod');
});

test('a note lands in the current environment only', async () => {
  create('dev', 'alice');
  await addNote(config('dev'), "dev's note");
  assert.deepEqual(await addNote(config('alice'), "alice's note"), { env: 'alice', id: 1, key: 'notes/1.txt' });
  await addNote(config('alice'), 'another');
  const alice = await status(config('alice'));
  assert.deepEqual(alice.notes.map((n) => n.body), ["alice's note", 'another']);
  assert.deepEqual(alice.files, ['notes/1.txt', 'notes/2.txt']);
  assert.equal(readFileSync(path.join(alice.bucket, 'notes', '2.txt'), 'utf8'), 'another\n');
  const dev = await status(config('dev'));
  assert.deepEqual(dev.notes.map((n) => n.body), ["dev's note"]);
  assert.deepEqual(dev.files, ['notes/1.txt']);
});

test('secrets come from the env file; the process environment wins', async () => {
  create('alice');
  mkdirSync(path.join(root, '.fork-stack', 'envs'), { recursive: true });
  writeFileSync(path.join(root, '.fork-stack', 'envs', 'alice.env'), "GREETING='hi alice'\n");
  assert.equal((await status(config('alice'))).greeting, 'hi alice');
  assert.equal((await status(config('alice', { GREETING: 'from the platform' }))).greeting, 'from the platform');
});

test('an environment that was never created is an error, and nothing is created', async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assert.equal(await main(['add', 'boo'], config('ghost')), 1);
  } finally {
    console.error = original;
  }
  assert.match(errors.join('\n'), /make envs-new ghost/);
  assert.equal(existsSync(config('ghost').getLocalDbPath()), false);
});
