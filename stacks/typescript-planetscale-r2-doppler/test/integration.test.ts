/**
 * Integration test: the real CLI creates an environment from dev, switches to it, the example reads
 * that environment's values through envUtils.ts — exactly what the CLI created — writes an object into
 * its bucket (which dev's bucket does not get), then dev is current again and the environment is deleted.
 *
 *   make test-integration
 *
 * Runs only with FORK_STACK_INTEGRATION=1, against whatever the credentials in your shell reach (your
 * accounts: it creates and deletes a throwaway environment; or the provider fakes and the S3 server
 * fork-stack's own tests use). The CLI is FORK_STACK_CLI (default `npx --no-install fork-stack`); the
 * environment's name is FORK_STACK_TEST_ENV (default itest).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { EnvConfig } from '../envUtils.js';
import { bucketClient, describe, maskUrl, putObject } from '../example/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = (process.env.FORK_STACK_CLI || 'npx --no-install fork-stack').split(/\s+/).filter(Boolean);
const NAME = process.env.FORK_STACK_TEST_ENV || 'itest';
const PARENT = 'dev';
// The app and the CLI pick the environment from .current-env, as on a developer's machine.
const ENV: Record<string, string> = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'FORK_STACK_ENV' && e[0] !== 'ENV'),
);
const config = () => new EnvConfig({ cwd: ROOT, env: ENV });

async function cli(...args: string[]): Promise<string> {
  const [command, ...rest] = CLI as [string, ...string[]];
  try {
    return (await promisify(execFile)(command, [...rest, ...args], { cwd: ROOT, env: ENV })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`fork-stack ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}

async function exists(bucket: string, key: string): Promise<boolean> {
  const client = bucketClient(config());
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

const states = async () => Object.fromEntries((JSON.parse(await cli('list', '--json')) as { environments: { name: string; state: string }[] }).environments.map((e) => [e.name, e.state]));

test('create → switch → the app reads what the CLI created, writes in its own bucket → delete', { skip: process.env.FORK_STACK_INTEGRATION !== '1' && 'set FORK_STACK_INTEGRATION=1 (make test-integration)' }, async () => {
  let finished = false;
  try {
    await cli('switch', PARENT);
    const parent = describe(config());
    assert.equal(parent.env, PARENT);

    await cli('create', NAME, '--switch');
    assert.equal(readFileSync(path.join(ROOT, '.current-env'), 'utf8').trim(), NAME);
    const created = JSON.parse(await cli('env', NAME, '--format', 'json', '--reveal')) as Record<string, string>;
    const mine = describe(config());
    // The app reads exactly what the CLI created, through the reader.
    assert.equal(mine.env, NAME);
    assert.equal(mine.database.url, maskUrl(created.DATABASE_URL ?? ''));
    assert.equal(mine.storage.bucket, created.BUCKET_NAME);
    assert.equal(mine.storage.endpoint, created.AWS_ENDPOINT_URL_S3 ?? null);
    assert.equal(mine.storage.region, created.AWS_REGION ?? null);
    // Its own resources, not the parent's; the parent's secrets were copied.
    assert.equal(mine.storage.bucket, `myapp-bucket-${NAME}`);
    assert.notEqual(mine.database.url, parent.database.url);
    assert.deepEqual(mine.secrets, parent.secrets);
    assert.equal((await states())[NAME], 'ready');

    // What the app writes lands in its environment's bucket only.
    const written = await putObject(config(), `hello-${NAME}.txt`, 'hello');
    assert.deepEqual(written, { env: NAME, bucket: mine.storage.bucket, key: `notes/hello-${NAME}.txt` });
    assert.equal(await exists(mine.storage.bucket, written.key), true);
    assert.equal(await exists(parent.storage.bucket, written.key), false);

    await cli('switch', PARENT);
    assert.deepEqual(describe(config()), parent);
    await cli('delete', NAME, '--yes');
    assert.equal((await states())[NAME], undefined);
    finished = true;
  } finally {
    if (!finished) {
      await cli('switch', PARENT).catch(() => undefined);
      await cli('delete', NAME, '--yes').catch(() => undefined);
    }
  }
});
