/**
 * Unit tests of this stack: its fork-stack.toml read through envUtils.ts, and the example on the values
 * `fork-stack switch` writes. No account, no CLI, no network (`make test-integration` runs the CLI).
 *
 *   node --import tsx --test test/stack.test.ts
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EnvConfig, ForkStackRuntimeError } from '../envUtils.js';
import { describe, main, maskUrl } from '../example/app.js';

const STACK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What fork-stack.toml's naming gives before any switch (null: the value only comes from the env file). */
const CONVENTIONS: Record<string, { databaseUrl: string | null; bucket: string }> = {
  "prod": {
    "databaseUrl": null,
    "bucket": "myapp-bucket-prod"
  },
  "dev": {
    "databaseUrl": null,
    "bucket": "myapp-bucket-dev"
  },
  "alice": {
    "databaseUrl": null,
    "bucket": "myapp-bucket-alice"
  }
};

/** What `fork-stack switch alice` writes for this stack (values shaped like the providers'). */
const ALICE_ENV_FILE: Record<string, string> = {
  "FORK_STACK_ENV": "alice",
  "DATABASE_URL": "mysql://abc123user:pw-alice@aws.connect.psdb.cloud/myapp?sslaccept=strict",
  "BUCKET_NAME": "myapp-bucket-alice",
  "BUCKET_UPLOADS": "myapp-bucket-alice",
  "AWS_REGION": "auto",
  "AWS_ENDPOINT_URL_S3": "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
  "API_URL": "http://localhost:3000",
  "STRIPE_KEY": "sk_test_pw-alice"
};

const ALICE_DESCRIBED = {
  "env": "alice",
  "project": "myapp",
  "database": {
    "provider": "planetscale",
    "url": "mysql://abc123user:****@aws.connect.psdb.cloud/myapp?sslaccept=strict",
    "auth_token": null
  },
  "storage": {
    "provider": "r2",
    "bucket": "myapp-bucket-alice",
    "endpoint": "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
    "region": "auto"
  },
  "secrets": [
    "API_URL",
    "STRIPE_KEY"
  ]
};

let root: string;
beforeEach(() => {
  // A copy of the stack's config in a fresh project: what a user has after copying the stack.
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'stack-typescript-planetscale-r2-doppler-')));
  copyFileSync(path.join(STACK, 'fork-stack.toml'), path.join(root, 'fork-stack.toml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const config = (env: Record<string, string> = {}) => new EnvConfig({ cwd: root, env });

function switchTo(name: string, values: Record<string, string>): void {
  mkdirSync(path.join(root, '.fork-stack', 'envs'), { recursive: true });
  writeFileSync(path.join(root, '.fork-stack', 'envs', `${name}.env`), Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join(''));
  writeFileSync(path.join(root, '.current-env'), `${name}\n`);
}

test('the config names the project and the conventions', () => {
  for (const [env, expected] of Object.entries(CONVENTIONS)) {
    const c = config({ FORK_STACK_ENV: env });
    assert.equal(c.getProjectName(), 'myapp');
    assert.equal(c.getBucketName(), expected.bucket);
    assert.equal(c.getBucketName('uploads'), expected.bucket);
    if (expected.databaseUrl === null) {
      assert.throws(() => c.getDatabaseUrl(), (e: unknown) => e instanceof ForkStackRuntimeError && e.code === 'missing-value' && e.message.includes(`fork-stack switch ${env}`));
    } else {
      assert.equal(c.getDatabaseUrl(), expected.databaseUrl);
    }
  }
});

test('the app reads what switch wrote, passwords masked', () => {
  switchTo('alice', ALICE_ENV_FILE);
  const described = describe(config());
  assert.deepEqual(described, ALICE_DESCRIBED);
  assert.ok(!JSON.stringify(described).includes('pw-alice'));
});

test('production needs no file; the process environment wins', () => {
  const { FORK_STACK_ENV: _ignored, ...injected } = ALICE_ENV_FILE;
  const described = describe(config({ ...injected, ENV: 'production' }));
  assert.equal(described.env, 'prod');
  assert.equal(described.storage.bucket, ALICE_ENV_FILE.BUCKET_NAME);
  switchTo('alice', ALICE_ENV_FILE);
  assert.equal(describe(config({ BUCKET_NAME: 'override-bucket' })).storage.bucket, 'override-bucket');
});

test('a broken env file is a clear error, exit code 1', async () => {
  switchTo('alice', {});
  writeFileSync(path.join(root, '.fork-stack', 'envs', 'alice.env'), 'not a line\n');
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assert.equal(await main([], config()), 1);
  } finally {
    console.error = original;
  }
  assert.match(errors.join('\n'), /alice\.env/);
});

test('maskUrl hides passwords only', () => {
  assert.equal(maskUrl('postgresql://u:secret@h.example:5432/db?x=1'), 'postgresql://u:****@h.example:5432/db?x=1');
  assert.equal(maskUrl('libsql://db-org.turso.io'), 'libsql://db-org.turso.io');
});
