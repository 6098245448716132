/**
 * The aws-secrets provider against moto's Secrets Manager, an AWS mock the project did not write
 * (test/helpers/moto-server.ts): the shared provider contract, the ownership contract (secrets with no
 * tags, with a value, tagged for another project or another environment), and the key cases of
 * aws-secrets.test.ts — tags on create, deletion with a recovery window and restore, force delete and a
 * re-create, a foreign secret scheduled for deletion. Fingerprints hold the value, every version and its
 * stages, the tags, the description and the deletion date.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { provider } from '../../src/providers/secrets/aws-secrets.js';
import { schema, type AwsSecretsOptions } from '../../src/providers/secrets/aws-secrets.schema.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { MOTO_ACCESS_KEY, MOTO_SECRET_KEY, skipWithoutMoto, startMoto, type MotoServer } from '../helpers/moto-server.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { providerContract } from '../helpers/provider-contract.js';
import { failure } from '../helpers/s3-objects.js';

const skip = skipWithoutMoto();
const roots: string[] = [];
let moto: Promise<MotoServer> | undefined;
const server = () => (moto ??= startMoto());
const sdk: SecretsManagerClient[] = [];
afterAll(async () => {
  for (const c of sdk) c.destroy();
  if (moto) await (await moto).close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function clientOf(m: MotoServer): SecretsManagerClient {
  const c = new SecretsManagerClient({ endpoint: m.endpoint, region: 'us-east-1', credentials: { accessKeyId: MOTO_ACCESS_KEY, secretAccessKey: MOTO_SECRET_KEY } });
  sdk.push(c);
  return c;
}

let n = 0;
function ctxFor(m: MotoServer, options: Record<string, unknown> = {}, project = `s${++n}`) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-secrets-moto-'));
  roots.push(root);
  return testContext<AwsSecretsOptions>({ kind: 'secrets', project, root, schema, options, env: m.env, roots: ['dev'] });
}

const tagsFor = (project: string, env: string): Tag[] => [
  { Key: 'fork-stack:project', Value: project },
  { Key: 'fork-stack:env', Value: env },
  { Key: 'fork-stack:parent', Value: 'dev' },
];

/** Everything observable of a secret, deleted or not. */
async function secretFingerprint(c: SecretsManagerClient, name: string): Promise<string> {
  const described = await c.send(new DescribeSecretCommand({ SecretId: name })).catch(() => undefined);
  if (!described) return JSON.stringify({ name, exists: false });
  const value = await c.send(new GetSecretValueCommand({ SecretId: name })).then(
    (v) => v.SecretString ?? `binary:${v.SecretBinary?.length}`,
    (e: Error) => `error:${e.name}`,
  );
  const versions = await c.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true })).then(
    (v) => (v.Versions ?? []).map((x) => `${x.VersionId}:${(x.VersionStages ?? []).sort().join(',')}`).sort(),
    (e: Error) => `error:${e.name}`,
  );
  return JSON.stringify({
    name,
    arn: described.ARN,
    description: described.Description,
    tags: (described.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
    deleted: described.DeletedDate?.toISOString(),
    stages: described.VersionIdsToStages,
    value,
    versions,
  });
}

async function forceDelete(c: SecretsManagerClient, name: string): Promise<void> {
  await c.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
}

describe.skipIf(skip)('aws-secrets against moto', () => {
  providerContract('aws-secrets (moto)', provider as Provider<unknown>, async () => {
    const m = await server();
    const c = clientOf(m);
    const ctx = ctxFor(m, {}, 'contract');
    await c.send(new CreateSecretCommand({ Name: 'contract/dev', SecretString: JSON.stringify({ API_URL: 'http://localhost:3000', TOKEN: 'dev-token' }) }));
    return { ctx: ctx as ProviderContext<unknown>, parent: 'dev', fingerprint: async (env) => JSON.stringify(await provider.read(ctx, env)) };
  });

  ownershipContract('aws-secrets (moto)', provider as Provider<unknown>, async () => {
    const m = await server();
    const c = clientOf(m);
    const ctx = ctxFor(m, {}, 'own');
    await c.send(new CreateSecretCommand({ Name: 'own/dev', SecretString: JSON.stringify({ A: '1' }) }));
    const name = (env: string) => provider.resourceName(ctx, env);
    const plant = (env: string, o: { value?: string; tags?: Tag[] }) =>
      c.send(new CreateSecretCommand({ Name: name(env), ...(o.value !== undefined ? { SecretString: o.value } : {}), ...(o.tags ? { Tags: o.tags } : {}) })).then(() => undefined);
    return {
      ctx: ctx as ProviderContext<unknown>,
      parent: 'dev',
      foreign: {
        plant: {
          // A secret with no value yet (CreateSecret without SecretString) and no tags.
          empty: (env) => plant(env, {}),
          'non-empty': (env) => plant(env, { value: JSON.stringify({ DATABASE_URL: 'postgres://prod' }) }),
          'other-project': (env) => plant(env, { value: '{"X":"1"}', tags: tagsFor('own-x', env) }),
          'other-env': (env) => plant(env, { value: '{"X":"1"}', tags: tagsFor('own', 'someone-else') }),
        },
        fingerprint: (env) => secretFingerprint(c, name(env)),
        clear: (env) => forceDelete(c, name(env)),
      },
    };
  });

  describe('aws-secrets provider (moto)', () => {
    it('forks the parent\'s JSON secret into a new one tagged as ours, with the copy policy applied', async () => {
      const m = await server();
      const c = clientOf(m);
      const ctx = ctxFor(m);
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/dev`, SecretString: JSON.stringify({ API_URL: 'http://x', FLAG: 'on' }) }));
      const resource = await provider.fork(ctx, { env: 'pr-1', parent: 'dev', keep: (k) => k !== 'FLAG' });
      expect(resource).toMatchObject({ env: 'pr-1', owned: true, parent: 'dev', state: 'ready', details: { keys: 1, excluded: 1 } });
      expect(await provider.read(ctx, 'pr-1')).toEqual({ API_URL: 'http://x' });
      const tags = JSON.parse(await secretFingerprint(c, `${ctx.project}/pr-1`)).tags as string[];
      expect(tags).toEqual([`fork-stack:env=pr-1`, 'fork-stack:parent=dev', `fork-stack:project=${ctx.project}`]);
      expect(await provider.find(ctx, 'pr-1')).toMatchObject({ owned: true });
      expect((await provider.list(ctx)).map((r) => r.env).sort()).toEqual(['dev', 'pr-1']);
    });

    it('deletes with the recovery window; re-creating the environment restores our secret with new values', async () => {
      const m = await server();
      const c = clientOf(m);
      const ctx = ctxFor(m, { recovery_window_days: 7 });
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/dev`, SecretString: '{"A":"1"}' }));
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/staging`, SecretString: '{"FROM":"staging"}' }));
      await provider.fork(ctx, { env: 'alice', parent: 'dev', keep: () => true });
      await provider.remove(ctx, { env: 'alice' });
      expect(JSON.parse(await secretFingerprint(c, `${ctx.project}/alice`)).deleted).toBeDefined();
      expect(await provider.find(ctx, 'alice')).toBeUndefined();
      const again = await provider.fork(ctx, { env: 'alice', parent: 'staging', keep: () => true });
      expect(again).toMatchObject({ owned: true, parent: 'staging' });
      expect(await provider.read(ctx, 'alice')).toEqual({ FROM: 'staging' });
      expect(ctx.warnings.join('\n')).toContain('was scheduled for deletion; it was restored');
    });

    it('with force_delete, deletes without recovery and a re-create succeeds', async () => {
      const m = await server();
      const c = clientOf(m);
      const ctx = ctxFor(m, { force_delete: true });
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/dev`, SecretString: '{"A":"1"}' }));
      await provider.fork(ctx, { env: 'bob', parent: 'dev', keep: () => true });
      await provider.remove(ctx, { env: 'bob' });
      expect(JSON.parse(await secretFingerprint(c, `${ctx.project}/bob`)).exists).toBe(false);
      expect(await provider.fork(ctx, { env: 'bob', parent: 'dev', keep: () => true })).toMatchObject({ owned: true });
    });

    it('a foreign secret scheduled for deletion is refused and left byte-identical', async () => {
      const m = await server();
      const c = clientOf(m);
      const ctx = ctxFor(m);
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/dev`, SecretString: '{"A":"1"}' }));
      const name = `${ctx.project}/carol`;
      await c.send(new CreateSecretCommand({ Name: name, SecretString: '{"PROD":"yes"}' }));
      await c.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 30 }));
      const before = await secretFingerprint(c, name);
      expect(await failure(provider.fork(ctx, { env: 'carol', parent: 'dev', keep: () => true }))).toMatchObject({
        message: expect.stringMatching(/scheduled for deletion and was not made by fork-stack/),
      });
      await expect(provider.remove(ctx, { env: 'carol' })).rejects.toThrow(/not made by fork-stack/);
      expect(await secretFingerprint(c, name)).toBe(before);
    });

    it('a secret tagged for another project is reported as theirs (markedFor) and refused', async () => {
      const m = await server();
      const c = clientOf(m);
      const ctx = ctxFor(m);
      await c.send(new CreateSecretCommand({ Name: `${ctx.project}/dev`, SecretString: '{"A":"1"}' }));
      const name = `${ctx.project}/dan`;
      await c.send(new CreateSecretCommand({ Name: name, SecretString: '{"B":"2"}', Tags: tagsFor('other', 'dan') }));
      const before = await secretFingerprint(c, name);
      expect(await provider.find(ctx, 'dan')).toMatchObject({ owned: false, markedFor: { project: 'other', env: 'dan' } });
      await expect(provider.remove(ctx, { env: 'dan' })).rejects.toThrow(/not made by fork-stack/);
      await expect(provider.fork(ctx, { env: 'dan', parent: 'dev', keep: () => true })).rejects.toThrow(/not made by fork-stack/);
      expect(await secretFingerprint(c, name)).toBe(before);
    });
  });
});
