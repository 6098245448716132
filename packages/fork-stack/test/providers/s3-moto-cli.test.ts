/**
 * Issue 14 at the command line, against moto (an AWS mock the project did not write): the built CLI, run
 * as a user runs it, never takes a foreign bucket for its own — not a versioned one that lists empty,
 * not an empty public one offered to --resume — and reaches an endpoint given only as AWS_ENDPOINT_URL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';
import { skipWithoutMoto, startMoto, type MotoServer } from '../helpers/moto-server.js';
import { bucketFingerprint, plantBucket } from '../helpers/s3-fingerprint.js';
import { listing, seed } from '../helpers/s3-objects.js';

const skip = skipWithoutMoto();

describe.skipIf(skip)('s3 at the command line, against moto', () => {
  let moto: MotoServer;
  let client: S3Client;
  const dirs: { cleanup(): void }[] = [];
  beforeAll(async () => {
    moto = await startMoto();
    client = moto.client();
  }, 90_000);
  afterAll(async () => {
    for (const d of dirs) d.cleanup();
    await moto?.close();
  });

  /** A project `name` with one s3 bucket, its dev bucket seeded with 10 objects. */
  async function project(name: string): Promise<{ run(args: string[], env?: Record<string, string | undefined>): Promise<RunResult> }> {
    const tmp = tempDir();
    dirs.push(tmp);
    const dir = path.join(tmp.dir, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'fork-stack.toml'), [`project = "${name}"`, 'default_parent = "dev"', '', '[storage.uploads]', 'provider = "s3"', ''].join('\n'));
    await plantBucket(client, `${name}-bucket-dev`);
    await seed(client, `${name}-bucket-dev`, Array.from({ length: 10 }, (_, i) => ({ Key: `products/${i}.jpg`, Body: `jpeg ${i}` })));
    return { run: (args, env = moto.env) => runCliAsync(args, { cwd: dir, env }) };
  }

  it('delete of a versioned foreign bucket whose only version is a delete marker exits 1 and leaves it byte-identical', async () => {
    const p = await project('mta');
    await plantBucket(client, 'mta-bucket-uma', { versioned: true, objects: { 'ledger.csv': 'a,b\n1,2\n', 'photo.jpg': 'jpeg' }, deleteAll: true });
    expect(await listing(client, 'mta-bucket-uma')).toEqual(new Map());
    const before = await bucketFingerprint(client, 'mta-bucket-uma');
    const result = await p.run(['delete', 'uma', '--yes']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/deleted uma/);
    expect(result.stderr).toMatch(/mta-bucket-uma/);
    expect(result.stderr).toMatch(/not fork-stack's|not made by fork-stack|not created by fork-stack/);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(await bucketFingerprint(client, 'mta-bucket-uma')).toBe(before);
  });

  it('create --resume into a foreign, empty, public-read bucket exits 1, copies nothing and leaves objects, versions, tags, policy and ACL byte-identical', async () => {
    const p = await project('mtb');
    await plantBucket(client, 'mtb-bucket-vic', { publicRead: true });
    const before = await bucketFingerprint(client, 'mtb-bucket-vic');
    const result = await p.run(['create', 'vic', '--resume']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/mtb-bucket-vic/);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(await bucketFingerprint(client, 'mtb-bucket-vic')).toBe(before);
    expect(await listing(client, 'mtb-bucket-vic')).toEqual(new Map());
  });

  it('with only AWS_ENDPOINT_URL=http://localhost:PORT set, create reaches it (path-style) and the app gets AWS_ENDPOINT_URL_S3', async () => {
    const p = await project('mtc');
    const local = moto.endpoint.replace('127.0.0.1', 'localhost');
    const env = { ...moto.env, AWS_ENDPOINT_URL_S3: undefined, AWS_ENDPOINT_URL_SECRETS_MANAGER: undefined, AWS_ENDPOINT_URL: local };
    const created = await p.run(['create', 'alice'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(await listing(client, 'mtc-bucket-alice')).toEqual(await listing(client, 'mtc-bucket-dev'));
    const vars = await p.run(['env', 'alice', '--format', 'json'], env);
    expect(vars.code, vars.stderr).toBe(0);
    expect(JSON.parse(vars.stdout)).toMatchObject({ BUCKET_NAME: 'mtc-bucket-alice', AWS_ENDPOINT_URL_S3: local });
    const deleted = await p.run(['delete', 'alice', '--yes'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(await bucketFingerprint(client, 'mtc-bucket-alice'))).toMatchObject({ exists: false });
  });
});
