/**
 * End to end: the built CLI with an s3 bucket pointing at s3rver — create → switch → env → list →
 * delete — exactly as a user runs it, credentials and endpoint from the environment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hasStackTrace, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';
import { createBucket, listing, seed } from '../helpers/s3-objects.js';
import { startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';

let server: S3Server;
let project: ReturnType<typeof tempDir>;
let dir: string;
beforeAll(async () => {
  server = await startS3Server();
  project = tempDir();
  dir = path.join(project.dir, 'shop');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    ['project = "shop"', 'default_parent = "dev"', '', '[storage.uploads]', 'provider = "s3"', 'concurrency = 16', ''].join('\n'),
  );
});
afterAll(async () => {
  project.cleanup();
  await server.close();
});

// Asynchronous: s3rver runs in this process, so a synchronous spawn would block it.
const run = (args: string[]): Promise<RunResult> => runCliAsync(args, { cwd: dir, env: server.env });

function ok(result: RunResult): RunResult {
  expect(result.code, result.stderr).toBe(0);
  expect(hasStackTrace(result.stderr)).toBe(false);
  return result;
}

it('create → switch → env → list → delete with an s3 bucket', async () => {
  const client = server.client();
  await createBucket(client, 'shop-bucket-dev');
  await seed(client, 'shop-bucket-dev', [
    { Key: 'products/1.jpg', Body: 'jpeg', ContentType: 'image/jpeg' },
    { Key: 'products/2 + 2.jpg', Body: 'jpeg 2', ContentType: 'image/jpeg' },
  ]);
  const doctor = await run(['doctor']);
  expect(doctor.stdout + doctor.stderr).toMatch(/shop-bucket-dev/);

  ok(await run(['create', 'alice']));
  expect(await listing(client, 'shop-bucket-alice')).toEqual(await listing(client, 'shop-bucket-dev'));
  ok(await run(['switch', 'alice']));
  const vars = JSON.parse(ok(await run(['env', '--format', 'json'])).stdout) as Record<string, string>;
  expect(vars).toMatchObject({ FORK_STACK_ENV: 'alice', BUCKET_NAME: 'shop-bucket-alice', BUCKET_UPLOADS: 'shop-bucket-alice', AWS_ENDPOINT_URL_S3: server.endpoint, AWS_REGION: 'us-east-1' });

  const list = JSON.parse(ok(await run(['list', '--json'])).stdout) as { environments: { name: string; state: string }[] };
  expect(list.environments.map((e) => `${e.name}:${e.state}`)).toEqual(['dev:ready', 'alice:ready']);

  ok(await run(['delete', 'alice', '--yes']));
  expect(server.requests.some((r) => r.op === 'DeleteBucket' && r.bucket === 'shop-bucket-alice')).toBe(true);
  expect((await listing(client, 'shop-bucket-dev')).size).toBe(2);
  expect(JSON.parse(ok(await run(['list', '--json'])).stdout).environments.map((e: { name: string }) => e.name)).toEqual(['dev']);

  // A name that cannot work is refused before any call, exit code 2.
  server.resetLog();
  const bad = await run(['create', 'Bad_Name']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/invalid environment name/);
  expect(server.requests).toHaveLength(0);
});
