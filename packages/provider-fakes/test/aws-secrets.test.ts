import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand,
  RestoreSecretCommand, SecretsManagerClient, paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake, type Fake, type FakeOptions } from '../src/index.js';
import { expectClean } from './helpers.js';

let fake: Fake<'aws-secrets'> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function aws(options: FakeOptions = {}, env?: Record<string, string>) {
  fake = await startFake('aws-secrets', options);
  const vars = env ?? fake.env;
  const sdk = new SecretsManagerClient({
    endpoint: vars.AWS_ENDPOINT_URL_SECRETS_MANAGER!, region: vars.AWS_REGION!, maxAttempts: 1,
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! },
  });
  return { fake, sdk };
}

describe('aws secrets manager fake', () => {
  it('creates, reads, versions, describes and tags a secret through the official SDK', async () => {
    const { fake, sdk } = await aws();
    const created = await sdk.send(new CreateSecretCommand({ Name: 'myapp/alice', SecretString: '{"A":"1"}', Tags: [{ Key: 'fork-stack:env', Value: 'alice' }] }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:myapp\/alice-[A-Za-z]{6}$/);
    const put = await sdk.send(new PutSecretValueCommand({ SecretId: 'myapp/alice', SecretString: '{"A":"2"}' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await sdk.send(new GetSecretValueCommand({ SecretId: created.ARN! }))).SecretString).toBe('{"A":"2"}');
    expect((await sdk.send(new GetSecretValueCommand({ SecretId: 'myapp/alice', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('{"A":"1"}');
    const described = await sdk.send(new DescribeSecretCommand({ SecretId: 'myapp/alice' }));
    expect(described.Tags).toEqual([{ Key: 'fork-stack:env', Value: 'alice' }]);
    expect(described.CreatedDate).toBeInstanceOf(Date);
    await expect(sdk.send(new CreateSecretCommand({ Name: 'myapp/alice', SecretString: '{}' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(sdk.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expectClean(fake);
  });

  it('keeps a deleted name reserved until it is purged; RestoreSecret brings it back', async () => {
    const { fake, sdk } = await aws({ async: { polls: 1 } });
    await sdk.send(new CreateSecretCommand({ Name: 'myapp/bob', SecretString: 'x' }));
    const deleted = await sdk.send(new DeleteSecretCommand({ SecretId: 'myapp/bob', RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await expect(sdk.send(new GetSecretValueCommand({ SecretId: 'myapp/bob' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(sdk.send(new CreateSecretCommand({ Name: 'myapp/bob', SecretString: 'y' }))).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('scheduled for deletion') });
    expect((await sdk.send(new DescribeSecretCommand({ SecretId: 'myapp/bob' }))).DeletedDate).toBeInstanceOf(Date);
    await sdk.send(new RestoreSecretCommand({ SecretId: 'myapp/bob' }));
    expect((await sdk.send(new GetSecretValueCommand({ SecretId: 'myapp/bob' }))).SecretString).toBe('x');

    // Forced deletion is asynchronous too: the name frees up only after the purge completes.
    await sdk.send(new DeleteSecretCommand({ SecretId: 'myapp/bob', ForceDeleteWithoutRecovery: true }));
    await expect(sdk.send(new CreateSecretCommand({ Name: 'myapp/bob', SecretString: 'z' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect((await sdk.send(new CreateSecretCommand({ Name: 'myapp/bob', SecretString: 'z' }))).Name).toBe('myapp/bob');
    await expect(sdk.send(new DeleteSecretCommand({ SecretId: 'myapp/bob', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterException' });
    expectClean(fake);
  });

  it('walks ListSecrets with NextToken and filters by name prefix', async () => {
    const { fake, sdk } = await aws({ pageSize: 2 });
    for (let i = 0; i < 5; i += 1) fake.seed.secret(`app/env-${i}`, '{}');
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSecrets({ client: sdk }, { Filters: [{ Key: 'name', Values: ['app/'] }], MaxResults: 50, SortOrder: 'asc' })) {
      names.push(...(page.SecretList ?? []).map((s) => s.Name!));
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(names.sort()).toEqual(['app/env-0', 'app/env-1', 'app/env-2', 'app/env-3', 'app/env-4']);
    await expect(sdk.send(new ListSecretsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    expectClean(fake);
  });

  it('requires a SigV4 Authorization header and the JSON 1.1 framing', async () => {
    const { fake } = await aws();
    const post = (headers: Record<string, string>, body = '{"SecretId":"myapp/dev"}') => fetch(fake.url, { method: 'POST', headers, body });
    const unsigned = await post({ 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    const auth = { authorization: `AWS4-HMAC-SHA256 Credential=${fake.env.AWS_ACCESS_KEY_ID}/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc` };
    const wrongType = await post({ ...auth, 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/json' });
    expect(wrongType.status).toBe(400);
    const ok = await post({ ...auth, 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' });
    expect(ok.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(((await ok.json()) as { SecretString: string }).SecretString).toContain('localhost');
    expect((await post({ ...auth, 'x-amz-target': 'secretsmanager.Nope', 'content-type': 'application/x-amz-json-1.1' })).status).toBe(404);
    expect(fake.violations.map((v) => v.problems[0])).toEqual([
      expect.stringContaining('missing credentials'),
      'Content-Type application/json is not accepted; expected application/x-amz-json-1.1',
      'POST /secretsmanager.Nope is not an operation of the AWS Secrets Manager API',
    ]);
  });

  it('answers unknown keys with UnrecognizedClientException and read-only keys with AccessDeniedException', async () => {
    const started = await aws();
    const readOnly = started.fake.addReadOnlyCredentials();
    const reader = new SecretsManagerClient({
      endpoint: readOnly.AWS_ENDPOINT_URL_SECRETS_MANAGER!, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: readOnly.AWS_ACCESS_KEY_ID!, secretAccessKey: readOnly.AWS_SECRET_ACCESS_KEY! },
    });
    expect((await reader.send(new GetSecretValueCommand({ SecretId: 'myapp/dev' }))).SecretString).toContain('localhost');
    // Reads and writes are all POST in AWS JSON: the fake knows which operations only read.
    await expect(reader.send(new CreateSecretCommand({ Name: 'ro', SecretString: 'x' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const stranger = new SecretsManagerClient({
      endpoint: started.fake.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new ListSecretsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('throttles as AWS does (400 ThrottlingException) at the configured rate', async () => {
    const { sdk } = await aws({ faults: { rate: 0.5, seed: 5, kinds: ['429'] } });
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      outcomes.push(await sdk.send(new ListSecretsCommand({})).then(() => 'ok', (error: { name: string }) => error.name));
    }
    expect(new Set(outcomes)).toEqual(new Set(['ok', 'ThrottlingException']));
  });
});
