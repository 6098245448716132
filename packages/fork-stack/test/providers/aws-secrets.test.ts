/**
 * The aws-secrets provider: the official SDK against the AWS Secrets Manager fake (AWS JSON 1.1, every
 * request checked against the SDK's input shapes), reached through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { UsageError } from '../../src/core/errors.js';
import { provider } from '../../src/providers/secrets/aws-secrets.js';
import { schema, type AwsSecretsOptions } from '../../src/providers/secrets/aws-secrets.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { closeClean, fakeContractSetup } from '../helpers/fake-setup.js';
import { providerContract } from '../helpers/provider-contract.js';
import { secretsCliProject } from '../safety/cloud-project.js';
import { expectCleanFailure } from './cloud-db.cli.js';

type Fake = Awaited<ReturnType<typeof startFake<'aws-secrets'>>>;
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'aws-secrets-provider-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function contextFor(fake: Fake, options: Record<string, unknown> = {}, env: Record<string, string | undefined> = fake.env) {
  return testContext<AwsSecretsOptions>({ kind: 'secrets', project: 'myapp', root: tmpRoot, schema, options, env, roots: ['dev'] });
}

const secret = (fake: Fake, name: string) => fake.state.secrets.get(name);
const valueOf = (fake: Fake, name: string) => JSON.parse(secret(fake, name)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.value ?? 'null') as unknown;
const tags = (fake: Fake, name: string) => Object.fromEntries((secret(fake, name)?.tags ?? []).map((t) => [t.Key, t.Value]));

providerContract('aws-secrets', provider as Provider<unknown>, async () => {
  const fake = await startFake('aws-secrets');
  const ctx = contextFor(fake);
  return fakeContractSetup(fake, ctx, { parent: 'dev', fingerprint: async (env) => JSON.stringify(await provider.read(ctx, env)) });
});

describe('aws-secrets provider', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('aws-secrets');
  });
  afterEach(() => closeClean(fake));

  it('forks the parent\'s JSON secret into a new one tagged as ours, with the copy policy applied', async () => {
    const ctx = contextFor(fake);
    const resource = await provider.fork(ctx, { env: 'pr-12', parent: 'dev', keep: (k) => k !== 'FEATURE_FLAG' });
    expect(resource).toMatchObject({ env: 'pr-12', name: 'myapp/pr-12', owned: true, parent: 'dev', state: 'ready', details: { keys: 1, excluded: 1 } });
    expect(resource.id).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:myapp\/pr-12-/);
    expect(valueOf(fake, 'myapp/pr-12')).toEqual({ API_URL: 'http://localhost:3000' });
    expect(tags(fake, 'myapp/pr-12')).toEqual({ 'fork-stack:project': 'myapp', 'fork-stack:env': 'pr-12', 'fork-stack:parent': 'dev' });
    expect(secret(fake, 'myapp/pr-12')?.description).toContain('forked from "dev"');
    expect(await provider.variables(ctx, 'pr-12')).toEqual({ API_URL: 'http://localhost:3000' });
    expect(valueOf(fake, 'myapp/dev')).toEqual({ API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' });
  });

  it('lists every page by name prefix, with adopted names and without secrets scheduled for deletion', async () => {
    await fake.close();
    fake = await startFake('aws-secrets', { pageSize: 2 });
    const ctx = contextFor(fake, { names: { prod: 'legacy/production' } });
    for (let i = 0; i < 7; i++) fake.seed.secret(`myapp/env${i}`, '{}');
    fake.seed.secret('other/app', '{}');
    fake.seed.secret('legacy/production', '{"A":"1"}');
    fake.seed.secret('myapp/Not_An_Env', '{}');
    const listed = (await provider.list(ctx)).map((r) => `${r.env}=${r.name}`).sort();
    expect(listed).toEqual([...Array.from({ length: 7 }, (_, i) => `env${i}=myapp/env${i}`), 'dev=myapp/dev', 'prod=legacy/production'].sort());
    expect(fake.requests.filter((r) => r.operation === 'POST /secretsmanager.ListSecrets').length).toBeGreaterThanOrEqual(5);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.remove(ctx, { env: 'alice' });
    expect((await provider.list(ctx)).map((r) => r.env)).not.toContain('alice');
  });

  it('deletes with the configured recovery window; re-creating the environment restores our secret with new values', async () => {
    const ctx = contextFor(fake, { recovery_window_days: 14 });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.remove(ctx, { env: 'alice' });
    const deleted = secret(fake, 'myapp/alice');
    expect(deleted?.deletedDate).toBeDefined();
    expect(Math.round(((deleted?.deletionDate ?? 0) - (deleted?.deletedDate ?? 0)) / 86_400)).toBe(14);
    expect(await provider.find(ctx, 'alice')).toBeUndefined();
    await provider.remove(ctx, { env: 'alice' });
    fake.seed.secret('myapp/staging', JSON.stringify({ FROM: 'staging' }));
    const again = await provider.fork(ctx, { env: 'alice', parent: 'staging', keep: () => true });
    expect(again).toMatchObject({ env: 'alice', owned: true, parent: 'staging' });
    expect(secret(fake, 'myapp/alice')?.deletedDate).toBeUndefined();
    expect(valueOf(fake, 'myapp/alice')).toEqual({ FROM: 'staging' });
    expect(tags(fake, 'myapp/alice')['fork-stack:parent']).toBe('staging');
    expect(ctx.warnings.join('\n')).toContain('was scheduled for deletion; it was restored');
  });

  it('refuses a name scheduled for deletion that is not ours, saying when it frees up', async () => {
    const bob = fake.seed.secret('myapp/bob', '{"X":"1"}');
    bob.deletedDate = Date.UTC(2026, 0, 10) / 1000;
    bob.deletionDate = bob.deletedDate + 30 * 86_400;
    await expect(provider.fork(contextFor(fake), { env: 'bob', parent: 'dev', keep: () => true })).rejects.toMatchObject({
      message: expect.stringMatching(/myapp\/bob is scheduled for deletion and was not made by fork-stack.*deleted on 2026-01-10.*between 2026-01-17 and 2026-02-09/),
      hint: expect.stringContaining('restore-secret'),
    });
    expect(secret(fake, 'myapp/bob')?.deletedDate).toBe(bob.deletedDate);
  });

  it('with force_delete, deletes without recovery and a re-create waits for the purge', async () => {
    await fake.close();
    fake = await startFake('aws-secrets', { async: { polls: 3 } });
    const ctx = contextFor(fake, { force_delete: true });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.remove(ctx, { env: 'alice' });
    expect(fake.requests.some((r) => r.operation === 'POST /secretsmanager.DeleteSecret')).toBe(true);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(secret(fake, 'myapp/alice')?.deletedDate).toBeUndefined();
    expect(secret(fake, 'myapp/alice')?.versions).toHaveLength(1);
  });

  it('never takes over or deletes a secret it did not make', async () => {
    fake.seed.secret('myapp/carol', '{"MINE":"yes"}');
    const ctx = contextFor(fake);
    await expect(provider.fork(ctx, { env: 'carol', parent: 'dev', keep: () => true })).rejects.toThrow(/already exists and was not made by fork-stack/);
    await expect(provider.remove(ctx, { env: 'carol' })).rejects.toThrow(/was not made by fork-stack.*not deleted/);
    expect(secret(fake, 'myapp/carol')?.deletedDate).toBeUndefined();
  });

  it('is idempotent, also when a create went through but its answer was lost', async () => {
    const ctx = contextFor(fake);
    fake.failNth({ operation: 'POST /secretsmanager.CreateSecret', fault: '500', afterApply: true });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    expect(secret(fake, 'myapp/alice')?.versions).toHaveLength(1);
  });

  it('round-trips values with newlines, quotes and unicode exactly', async () => {
    const ctx = contextFor(fake);
    await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
    const tricky = { PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', QUOTES: `it's "x" \\ $y #z`, UNICODE: 'grüße 日本 🚀', EMPTY: '' };
    await provider.write(ctx, 'alice', { set: tricky });
    await provider.write(ctx, 'alice', { unset: ['FEATURE_FLAG'] });
    expect(await provider.read(ctx, 'alice')).toEqual({ API_URL: 'http://localhost:3000', ...tricky });
  });

  it('reports keys that are not variable names, and a secret that is not a JSON object, without its value', async () => {
    fake.seed.secret('myapp/odd', JSON.stringify({ 'db.password': 'p', OK: '1', PORT: 5432 }));
    fake.seed.secret('myapp/plain', 'just-a-plain-text-secret');
    const ctx = contextFor(fake);
    expect(await provider.variables(ctx, 'odd')).toEqual({ OK: '1', PORT: '5432' });
    expect(ctx.warnings.join('\n')).toMatch(/environment "odd": "db\.password" in AWS secret myapp\/odd is not a valid variable name/);
    const plain = await provider.variables(ctx, 'plain').catch((e: Error) => e);
    expect(plain).toMatchObject({ message: 'AWS secret myapp/plain is not JSON' });
    expect(JSON.stringify(plain)).not.toContain('just-a-plain-text-secret');
  });

  it('retries throttling and server errors', async () => {
    fake.failNth({ operation: 'POST /secretsmanager.GetSecretValue', fault: '429', times: 2 });
    fake.failNth({ operation: 'POST /secretsmanager.CreateSecret', fault: '503' });
    await provider.fork(contextFor(fake), { env: 'alice', parent: 'dev', keep: () => true });
    expect(valueOf(fake, 'myapp/alice')).toMatchObject({ FEATURE_FLAG: 'on' });
  });

  it('explains rejected and read-only credentials, a missing region, a missing parent', async () => {
    const wrong = contextFor(fake, {}, { ...fake.env, AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0' });
    await expect(provider.find(wrong, 'dev')).rejects.toMatchObject({ message: expect.stringContaining('AWS rejected the credentials (UnrecognizedClientException') });
    expect(await provider.check(wrong)).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('rejected the credentials') })]);
    const readOnly = contextFor(fake, {}, fake.addReadOnlyCredentials());
    await expect(provider.fork(readOnly, { env: 'alice', parent: 'dev', keep: () => true })).rejects.toMatchObject({ message: expect.stringContaining('access denied'), hint: expect.stringContaining('IAM policy') });
    expect(secret(fake, 'myapp/alice')).toBeUndefined();
    await expect(provider.find(contextFor(fake, {}, { ...fake.env, AWS_REGION: undefined }), 'dev')).rejects.toBeInstanceOf(UsageError);
    expect(await provider.find(contextFor(fake, { region: 'us-east-1' }, { ...fake.env, AWS_REGION: undefined }), 'dev')).toMatchObject({ name: 'myapp/dev' });
    await expect(provider.fork(contextFor(fake), { env: 'alice', parent: 'staging', keep: () => true })).rejects.toThrow('environment "staging" has no AWS secret myapp/staging');
    expect(await provider.check(contextFor(fake))).toEqual([expect.objectContaining({ status: 'ok' })]);
  });

  it('validates names against Secrets Manager\'s rules before any call', () => {
    expect(provider.checkName(contextFor(fake), 'alice')).toBeUndefined();
    expect(provider.checkName(contextFor(fake, { name: `${'x'.repeat(510)}/{env}` }), 'alice')).toMatch(/the limit is 512/);
    expect(() => schema.parse({ name: '{project} {env}' })).toThrow(/ASCII letters, digits/);
    expect(() => schema.parse({ recovery_window_days: 3 })).toThrow(/at least 7/);
  });
});

describe('aws-secrets through the CLI', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake('aws-secrets');
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  });

  it('create → switch → run sees the secrets → secrets set → delete (scheduled) → create again (restored)', async () => {
    const project = await secretsCliProject('provider = "aws-secrets"', fake.env, { local: true });
    try {
      const created = await project.run(['create', 'alice', '--switch']);
      expect(created.code, created.stderr).toBe(0);
      const run = await project.run(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.API_URL + "|" + process.env.FEATURE_FLAG)']);
      expect(run.stdout).toBe('http://localhost:3000|on');
      expect((await project.run(['secrets', 'set', 'QUOTED', 'it\'s "fine"'])).code).toBe(0);
      expect(valueOf(fake, 'myapp/alice')).toMatchObject({ QUOTED: 'it\'s "fine"' });
      expect((await project.run(['delete', 'alice', '--yes'])).code).toBe(0);
      expect(secret(fake, 'myapp/alice')?.deletedDate).toBeDefined();
      const again = await project.run(['create', 'alice']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('restored');
      expect(secret(fake, 'myapp/alice')?.deletedDate).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('rolls back a create that fails part-way: no active secret is left', async () => {
    const project = await secretsCliProject('provider = "aws-secrets"\nforce_delete = true', fake.env, { local: true });
    try {
      fake.failNth({ operation: 'POST /secretsmanager.CreateSecret', fault: '500', afterApply: true, times: 20 });
      const created = await project.run(['create', 'alice']);
      expectCleanFailure(created, 1, /could not create "alice"/, /rolled back/);
      expect(await provider.find(contextFor(fake), 'alice')).toBeUndefined();
      fake.seed.purgeDeleted();
      expect(secret(fake, 'myapp/alice')).toBeUndefined();
    } finally {
      project.cleanup();
    }
  });

  it('reports missing credentials with exit 2 and a missing region with exit 2', async () => {
    const project = await secretsCliProject('provider = "aws-secrets"', fake.env);
    try {
      const noCreds = await project.run(['create', 'alice'], {
        AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: 'fork-stack-no-such-profile',
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmpRoot, 'none'), AWS_CONFIG_FILE: path.join(tmpRoot, 'none'), AWS_EC2_METADATA_DISABLED: 'true',
      });
      expectCleanFailure(noCreds, 2, /no AWS credentials found/, /AWS_ACCESS_KEY_ID/);
      expectCleanFailure(await project.run(['create', 'alice'], { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }), 2, /no AWS region/);
    } finally {
      project.cleanup();
    }
  });
});
