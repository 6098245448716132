/**
 * AWS Secrets Manager: one secret per environment (default name `{project}/{env}`) holding a JSON object
 * of key/value pairs. A fork reads the parent's current value and creates the child, tagged
 * `fork-stack:project` / `fork-stack:env` / `fork-stack:parent` so that fork-stack only ever deletes or
 * revives secrets it made.
 *
 * Deletion is asynchronous in AWS: a deleted secret is "scheduled for deletion" for its recovery window
 * (7–30 days) and its name cannot be reused meanwhile. Re-creating an environment whose secret is ours
 * and scheduled for deletion restores it and writes the new values; one that is not ours is refused with
 * the date the name frees up. With force_delete the secret goes without recovery, and a create that
 * races the (seconds-long) purge waits for the name.
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateSecretResponse,
  DescribeSecretResponse,
  GetSecretValueResponse,
  ListSecretsResponse,
  Tag,
} from '@aws-sdk/client-secrets-manager';
import { OperationError } from '../../core/errors.js';
import { envFromName, envNameProblem, resourceNameFor } from '../../core/names.js';
import { withRetry } from '../../core/retry.js';
import type { Check, ProviderContext, Resource, SecretsProvider } from '../types.js';
import { AwsSecretsClient, describeAwsError, isAwsError } from './aws-client.js';
import { SECRET_NAME_CHARS, SECRET_NAME_MAX, type AwsSecretsOptions } from './aws-secrets.schema.js';
import { applyPolicy, parseJsonValues, registered, variablesOnly, withChanges } from './values.js';

type Ctx = ProviderContext<AwsSecretsOptions>;

export const TAG_PROJECT = 'fork-stack:project';
export const TAG_ENV = 'fork-stack:env';
export const TAG_PARENT = 'fork-stack:parent';
/** SecretString limit (bytes). */
const MAX_SECRET_BYTES = 65_536;
const SCHEDULED = /scheduled for deletion|marked for deletion/i;

const secretName = (ctx: Ctx, env: string) => resourceNameFor(ctx.options.name, { project: ctx.project }, env, ctx.options.names);

function tagsOf(described: DescribeSecretResponse): Record<string, string> {
  return Object.fromEntries((described.Tags ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])));
}

function isOurs(ctx: Ctx, env: string, described: DescribeSecretResponse): boolean {
  const tags = tagsOf(described);
  return tags[TAG_PROJECT] === ctx.project && tags[TAG_ENV] === env;
}

function toResource(ctx: Ctx, env: string, described: DescribeSecretResponse): Resource {
  const tags = tagsOf(described);
  const owned = isOurs(ctx, env, described);
  return {
    env,
    name: described.Name ?? secretName(ctx, env),
    id: described.ARN,
    parent: owned ? tags[TAG_PARENT] || undefined : undefined,
    createdAt: described.CreatedDate ? new Date(described.CreatedDate).toISOString() : undefined,
    state: 'ready',
    owned,
    // Tagged by fork-stack for another project or environment: say whose it is in the refusal.
    ...(!owned && tags[TAG_PROJECT] && tags[TAG_ENV] ? { markedFor: { project: tags[TAG_PROJECT], env: tags[TAG_ENV] } } : {}),
  };
}

async function describe(client: AwsSecretsClient, name: string): Promise<DescribeSecretResponse | undefined> {
  try {
    return await client.send<DescribeSecretResponse>(new client.sdk.DescribeSecretCommand({ SecretId: name }), `describe secret ${name}`, ['ResourceNotFoundException']);
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * When a name scheduled for deletion is free again. DescribeSecret gives the date of the delete request,
 * not the recovery window (7–30 days), so the honest answer is a range.
 */
function whenFree(described: DescribeSecretResponse): string {
  if (!described.DeletedDate) return 'its recovery window has to end first';
  const deleted = new Date(described.DeletedDate);
  const day = (n: number) => new Date(deleted.getTime() + n * 86_400_000).toISOString().slice(0, 10);
  return `it was deleted on ${deleted.toISOString().slice(0, 10)}, so its name is free again at the end of its recovery window, between ${day(7)} and ${day(30)}`;
}

async function readValues(client: AwsSecretsClient, env: string, name: string): Promise<Record<string, string>> {
  let answer: GetSecretValueResponse;
  try {
    answer = await client.send<GetSecretValueResponse>(new client.sdk.GetSecretValueCommand({ SecretId: name }), `read secret ${name}`, [
      'ResourceNotFoundException',
      'InvalidRequestException',
    ]);
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      throw new OperationError(`environment "${env}" has no AWS secret ${name}`, { hint: `Create it, or name the existing one with names = { ${env} = "…" } in [secrets].` });
    }
    if (isAwsError(error, 'InvalidRequestException', SCHEDULED)) {
      throw new OperationError(`the AWS secret ${name} of "${env}" is scheduled for deletion`, { hint: `Restore it (aws secretsmanager restore-secret --secret-id ${name}) to use it again.` });
    }
    throw describeAwsError(error, `read secret ${name}`);
  }
  if (answer.SecretString === undefined) {
    throw new OperationError(`AWS secret ${name} holds binary data, not a JSON object of key/value pairs`, { hint: 'fork-stack reads SecretString only.' });
  }
  return parseJsonValues(answer.SecretString, `AWS secret ${name}`);
}

function serialize(name: string, values: Record<string, string>): string {
  const text = JSON.stringify(values);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SECRET_BYTES) {
    throw new OperationError(`AWS secret ${name} would be ${bytes} bytes; Secrets Manager stores at most ${MAX_SECRET_BYTES}`, {
      hint: 'Remove large values, or keep them elsewhere (a file, a bucket).',
    });
  }
  return text;
}

function ownershipTags(ctx: Ctx, env: string, parent: string): Tag[] {
  return [
    { Key: TAG_PROJECT, Value: ctx.project },
    { Key: TAG_ENV, Value: env },
    { Key: TAG_PARENT, Value: parent },
  ];
}

class PurgePending extends OperationError {
  constructor(name: string) {
    super(`the name ${name} is still being purged after a deletion without recovery; try again in a minute`);
  }
}

/** Bring back our secret that is scheduled for deletion, with the fork's new values and parent. */
async function revive(client: AwsSecretsClient, ctx: Ctx, env: string, parent: string, name: string, secret: string): Promise<void> {
  try {
    await client.send(new client.sdk.RestoreSecretCommand({ SecretId: name }), `restore secret ${name}`, ['InvalidRequestException', 'ResourceNotFoundException']);
  } catch (error) {
    // Deleted without recovery: it cannot come back, and its name is free once the purge is done (or
    // already is).
    if (isAwsError(error, 'InvalidRequestException') || isAwsError(error, 'ResourceNotFoundException')) throw new PurgePending(name);
    throw error;
  }
  await client.send(new client.sdk.PutSecretValueCommand({ SecretId: name, SecretString: secret, ClientRequestToken: randomUUID() }), `write secret ${name}`);
  await client.send(new client.sdk.TagResourceCommand({ SecretId: name, Tags: ownershipTags(ctx, env, parent) }), `tag secret ${name}`);
  ctx.warn(`AWS secret ${name} was scheduled for deletion; it was restored and given "${parent}"'s values`);
}

/** Create the secret, or settle what is already there under its name. Returns the secret as it now is. */
async function createOrSettle(client: AwsSecretsClient, ctx: Ctx, env: string, parent: string, name: string, secret: string): Promise<DescribeSecretResponse> {
  // One token for every attempt: AWS treats a repeat with the same token and value as the same request.
  const token = randomUUID();
  let described = await describe(client, name);
  if (!described) {
    try {
      await client.send<CreateSecretResponse>(
        new client.sdk.CreateSecretCommand({
          Name: name,
          SecretString: secret,
          ClientRequestToken: token,
          KmsKeyId: ctx.options.kms_key_id,
          Description: `fork-stack environment "${env}" of ${ctx.project}, forked from "${parent}"`,
          Tags: ownershipTags(ctx, env, parent),
        }),
        `create secret ${name}`,
        ['InvalidRequestException', 'ResourceExistsException'],
      );
    } catch (error) {
      if (!isAwsError(error, 'ResourceExistsException') && !isAwsError(error, 'InvalidRequestException', SCHEDULED)) throw describeAwsError(error, `create secret ${name}`);
      // Someone (or our own earlier attempt) holds the name: look at what is there.
      described = await describe(client, name);
      if (!described) throw new PurgePending(name);
    }
    described ??= await describe(client, name);
    if (!described) throw new OperationError(`AWS secret ${name} was created but cannot be found`, { hint: 'Run the command again.' });
  }
  if (!isOurs(ctx, env, described)) {
    throw new OperationError(
      described.DeletedDate
        ? `AWS secret ${name} is scheduled for deletion and was not made by fork-stack for "${env}"; ${whenFree(described)}`
        : `AWS secret ${name} already exists and was not made by fork-stack for "${env}"`,
      {
        hint: described.DeletedDate
          ? `Wait until then, restore and delete it yourself (aws secretsmanager restore-secret, then delete-secret --force-delete-without-recovery --secret-id ${name}), or use another environment name.`
          : `Use another environment name, map "${env}" to another secret with names = { ${env} = "…" }, or tag it ${TAG_PROJECT}=${ctx.project} ${TAG_ENV}=${env} to adopt it.`,
      },
    );
  }
  if (!described.DeletedDate) return described;
  await revive(client, ctx, env, parent, name, secret);
  return (await describe(client, name)) ?? described;
}

export const provider = {
  kind: 'secrets',
  name: 'aws-secrets',
  publicVariables: [],

  resourceName: secretName,

  checkName(ctx, env) {
    const problem = envNameProblem(env);
    if (problem) return `invalid environment name: ${problem}`;
    const name = secretName(ctx, env);
    if (name.length > SECRET_NAME_MAX) return `AWS secret name ${name} is ${name.length} characters; the limit is ${SECRET_NAME_MAX}`;
    if (!SECRET_NAME_CHARS.test(name)) return `AWS secret name ${name} may only use ASCII letters, digits and / _ + = . @ -`;
    return undefined;
  },

  async find(ctx, env) {
    const client = await AwsSecretsClient.create(ctx);
    const described = await describe(client, secretName(ctx, env));
    // A secret scheduled for deletion is on its way out: the environment no longer has it.
    return described && !described.DeletedDate ? toResource(ctx, env, described) : undefined;
  },

  async fork(ctx, { env, parent, keep }) {
    const client = await AwsSecretsClient.create(ctx);
    const name = secretName(ctx, env);
    const { kept, dropped } = applyPolicy(await readValues(client, parent, secretName(ctx, parent)), keep);
    const secret = serialize(name, kept);
    const details = { keys: Object.keys(kept).length, excluded: dropped.length };
    // A name deleted without recovery is purged asynchronously (seconds): wait for it rather than fail.
    const described = await withRetry(
      () => createOrSettle(client, ctx, env, parent, name, secret),
      (error) => (error instanceof PurgePending ? { retry: true, reason: 'name still being purged' } : { retry: false, reason: 'final' }),
      { signal: ctx.signal, attempts: 8, baseDelayMs: 500 },
    );
    return { ...toResource(ctx, env, described), parent, details };
  },

  async remove(ctx, { env, reason }) {
    const client = await AwsSecretsClient.create(ctx);
    const name = secretName(ctx, env);
    const described = await describe(client, name);
    if (!described) return;
    if (!isOurs(ctx, env, described)) {
      throw new OperationError(`AWS secret ${name} was not made by fork-stack for "${env}" (no ${TAG_PROJECT}/${TAG_ENV} tags); it was not deleted`, {
        hint: 'Delete it yourself if it really belongs to this environment, or set keep_on_delete = true in [secrets].',
      });
    }
    // A rollback removes a secret create made moments ago: purge it, so the name is free for the retry.
    const force = ctx.options.force_delete || reason === 'rollback';
    // Already scheduled: done, unless the name is wanted back now.
    if (described.DeletedDate && !force) return;
    const window = force ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: ctx.options.recovery_window_days };
    try {
      await client.send(new client.sdk.DeleteSecretCommand({ SecretId: name, ...window }), `delete secret ${name}`, ['ResourceNotFoundException']);
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  },

  async list(ctx) {
    const client = await AwsSecretsClient.create(ctx);
    const values = { project: ctx.project };
    // The name filter is a prefix match: everything before {env}, with {project} filled in.
    const literalPrefix = (ctx.options.name.split('{env}')[0] ?? '').replace(/\{project\}/g, ctx.project);
    const found = new Map<string, Resource>();
    let token: string | undefined;
    do {
      const page: ListSecretsResponse = await client.send<ListSecretsResponse>(
        new client.sdk.ListSecretsCommand({
          MaxResults: 100,
          NextToken: token,
          Filters: literalPrefix ? [{ Key: 'name', Values: [literalPrefix] }] : undefined,
        }),
        'list secrets',
      );
      for (const secret of page.SecretList ?? []) {
        if (!secret.Name || secret.DeletedDate) continue;
        const env = envFromName(ctx.options.name, values, secret.Name, ctx.options.names);
        if (env && !found.has(env)) found.set(env, toResource(ctx, env, secret));
      }
      token = page.NextToken || undefined;
    } while (token);
    // Adopted secrets with explicit names may not share the pattern's prefix.
    const explicit = Object.entries(ctx.options.names).filter(([env]) => !found.has(env));
    const described = await Promise.all(explicit.map(async ([env, name]) => [env, await describe(client, name)] as const));
    for (const [env, d] of described) if (d && !d.DeletedDate) found.set(env, toResource(ctx, env, d));
    return [...found.values()];
  },

  async variables(ctx, env) {
    const client = await AwsSecretsClient.create(ctx);
    const name = secretName(ctx, env);
    return variablesOnly(ctx, env, `AWS secret ${name}`, await readValues(client, env, name));
  },

  async read(ctx, env) {
    const client = await AwsSecretsClient.create(ctx);
    return readValues(client, env, secretName(ctx, env));
  },

  async write(ctx, env, changes) {
    const client = await AwsSecretsClient.create(ctx);
    const name = secretName(ctx, env);
    // Secrets Manager has no compare-and-set: this read-modify-write is last-writer-wins per secret.
    const next = registered(withChanges(await readValues(client, env, name), changes));
    await client.send(new client.sdk.PutSecretValueCommand({ SecretId: name, SecretString: serialize(name, next), ClientRequestToken: randomUUID() }), `write secret ${name}`);
  },

  async check(ctx): Promise<Check[]> {
    let client: AwsSecretsClient;
    try {
      client = await AwsSecretsClient.create(ctx);
    } catch (error) {
      const e = error as OperationError;
      return [{ name: 'configuration', status: 'fail', message: e.message, fix: e.hint }];
    }
    try {
      await client.send(new client.sdk.ListSecretsCommand({ MaxResults: 1 }), 'list secrets');
      return [{ name: 'credentials', status: 'ok', message: `credentials accepted; can list secrets in ${client.region}` }];
    } catch (error) {
      const e = error as OperationError;
      const denied = /access denied/i.test(e.message);
      return [
        {
          name: 'credentials',
          status: 'fail',
          message: e.message,
          fix: denied ? 'Allow secretsmanager:ListSecrets (fork-stack list uses it) along with the actions in docs/backends/secrets.md.' : e.hint,
        },
      ];
    }
  },
} satisfies SecretsProvider<AwsSecretsOptions>;
