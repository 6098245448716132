import { header } from '../../core/auth.js';
import { HttpError } from '../../core/http-error.js';
import { keysetPage } from '../../core/pagination.js';
import type { Progress } from '../../core/progress.js';
import type { Handler, HandlerContext, ProviderDefinition, SeedContext } from '../../core/provider.js';
import { awsSecretsSpec } from './spec.js';

export interface AwsSecretVersion {
  id: string;
  value: string;
  /** SecretBinary (base64) rather than SecretString. */
  binary: boolean;
  stages: string[];
  created: number;
}

export interface AwsSecret {
  arn: string;
  name: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  versions: AwsSecretVersion[];
  created: number;
  changed: number;
  /** Set once DeleteSecret scheduled it; the name stays taken until it is purged. */
  deletedDate?: number;
  deletionDate?: number;
  /** ForceDeleteWithoutRecovery: deletion is asynchronous; the name frees up when this completes. */
  purge?: Progress;
}

export interface AwsSecretsState {
  region: string;
  account: string;
  secrets: Map<string, AwsSecret>;
  /** CreateSecret/PutSecretValue idempotency: ClientRequestToken → version id. */
  requestTokens: Map<string, string>;
}

export interface AwsSecretsSeed {
  secret(name: string, value: string, options?: { tags?: Record<string, string>; description?: string }): AwsSecret;
  /** End every recovery window now (what AWS does when the window expires). */
  purgeDeleted(): void;
}

type Ctx = HandlerContext<AwsSecretsState>;
const NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const seconds = () => Date.now() / 1000;
const fail = (type: string, message: string) => new HttpError(400, message, { code: type });

function suffix(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let value = n * 2654435761;
  let out = '';
  for (let i = 0; i < 6; i += 1) {
    out += alphabet[value % alphabet.length];
    value = Math.floor(value / alphabet.length) + 7;
  }
  return out;
}

/** SecretId is a name or a full ARN. A secret whose forced deletion finished is gone. */
function find(ctx: Ctx, id: string): AwsSecret | undefined {
  const found = ctx.state.secrets.get(id) ?? [...ctx.state.secrets.values()].find((s) => s.arn === id);
  if (found?.purge?.poll()) {
    ctx.state.secrets.delete(found.name);
    return undefined;
  }
  return found;
}

function existing(ctx: Ctx, id: string, allowDeleted = false): AwsSecret {
  const found = find(ctx, id);
  if (!found) throw fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  if (found.deletedDate !== undefined && !allowDeleted) {
    throw fail('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  }
  return found;
}

function addVersion(ctx: Ctx, secret: AwsSecret, body: { SecretString?: string; SecretBinary?: string; ClientRequestToken?: string }): AwsSecretVersion {
  const version: AwsSecretVersion = {
    id: body.ClientRequestToken ?? `${ctx.nextId('version').toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    value: body.SecretString ?? body.SecretBinary ?? '', binary: body.SecretString === undefined, stages: ['AWSCURRENT'], created: seconds(),
  };
  for (const old of secret.versions) {
    old.stages = old.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : old.stages.filter((stage) => stage !== 'AWSPREVIOUS');
  }
  secret.versions = secret.versions.filter((v) => v.stages.length > 0);
  secret.versions.push(version);
  secret.changed = version.created;
  if (body.ClientRequestToken) ctx.state.requestTokens.set(`${secret.name}:${body.ClientRequestToken}`, version.id);
  return version;
}

const current = (secret: AwsSecret) => secret.versions.find((v) => v.stages.includes('AWSCURRENT'));

const listEntry = (secret: AwsSecret) => ({
  ARN: secret.arn, Name: secret.name, ...(secret.description ? { Description: secret.description } : {}), CreatedDate: secret.created,
  LastChangedDate: secret.changed, Tags: secret.tags, ...(secret.deletedDate !== undefined ? { DeletedDate: secret.deletedDate } : {}),
});

function matchesFilters(secret: AwsSecret, filters: { Key?: string; Values?: string[] }[]): boolean {
  return filters.every(({ Key, Values = [] }) => Values.some((raw) => {
    const negate = raw.startsWith('!');
    const value = (negate ? raw.slice(1) : raw).toLowerCase();
    const prefix = (text: string | undefined) => (text ?? '').toLowerCase().startsWith(value);
    let hit: boolean;
    if (Key === 'name') hit = prefix(secret.name);
    else if (Key === 'description') hit = prefix(secret.description);
    else if (Key === 'tag-key') hit = secret.tags.some((t) => prefix(t.Key));
    else if (Key === 'tag-value') hit = secret.tags.some((t) => prefix(t.Value));
    else if (Key === 'all') hit = prefix(secret.name) || prefix(secret.description) || secret.tags.some((t) => prefix(t.Key) || prefix(t.Value));
    else hit = false;
    return negate ? !hit : hit;
  }));
}

const handlers: Record<string, Handler<AwsSecretsState>> = {
  'POST /secretsmanager.CreateSecret': (ctx) => {
    const body = ctx.body as { Name: string; ClientRequestToken?: string; Description?: string; SecretString?: string; SecretBinary?: string; Tags?: { Key: string; Value: string }[] };
    if (!NAME.test(body.Name)) throw fail('ValidationException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    if (body.SecretString !== undefined && body.SecretBinary !== undefined) throw fail('InvalidParameterException', 'You can\'t specify both a binary secret value and a string secret value in the same secret.');
    const found = find(ctx, body.Name);
    if (found) {
      const version = body.ClientRequestToken ? ctx.state.requestTokens.get(`${found.name}:${body.ClientRequestToken}`) : undefined;
      // The SDK sends an idempotency token: a retried create with the same token and value succeeds again.
      if (version && found.deletedDate === undefined && current(found)?.id === version && (current(found)?.value === (body.SecretString ?? body.SecretBinary ?? ''))) {
        return { body: { ARN: found.arn, Name: found.name, VersionId: version } };
      }
      if (found.deletedDate !== undefined) {
        throw fail('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      throw fail('ResourceExistsException', `The operation failed because the secret ${body.Name} already exists.`);
    }
    const now = seconds();
    const secret: AwsSecret = {
      arn: `arn:aws:secretsmanager:${ctx.state.region}:${ctx.state.account}:secret:${body.Name}-${suffix(ctx.nextId('arn'))}`, name: body.Name,
      ...(body.Description ? { description: body.Description } : {}), tags: body.Tags ?? [], versions: [], created: now, changed: now,
    };
    ctx.state.secrets.set(secret.name, secret);
    const version = body.SecretString === undefined && body.SecretBinary === undefined ? undefined : addVersion(ctx, secret, body);
    return { body: { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) } };
  },
  'POST /secretsmanager.GetSecretValue': (ctx) => {
    const body = ctx.body as { SecretId: string; VersionId?: string; VersionStage?: string };
    const secret = existing(ctx, body.SecretId);
    const version = body.VersionId
      ? secret.versions.find((v) => v.id === body.VersionId)
      : secret.versions.find((v) => v.stages.includes(body.VersionStage ?? 'AWSCURRENT'));
    if (!version) throw fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: " + (body.VersionStage ?? 'AWSCURRENT'));
    return {
      body: {
        ARN: secret.arn, Name: secret.name, VersionId: version.id, ...(version.binary ? { SecretBinary: version.value } : { SecretString: version.value }),
        VersionStages: version.stages, CreatedDate: version.created,
      },
    };
  },
  'POST /secretsmanager.PutSecretValue': (ctx) => {
    const body = ctx.body as { SecretId: string; ClientRequestToken?: string; SecretString?: string; SecretBinary?: string };
    const secret = existing(ctx, body.SecretId);
    const known = body.ClientRequestToken ? ctx.state.requestTokens.get(`${secret.name}:${body.ClientRequestToken}`) : undefined;
    if (known) {
      const version = secret.versions.find((v) => v.id === known);
      if (version && version.value !== (body.SecretString ?? body.SecretBinary ?? '')) {
        throw fail('ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
      }
      if (version) return { body: { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages } };
    }
    const version = addVersion(ctx, secret, body);
    return { body: { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages } };
  },
  'POST /secretsmanager.DescribeSecret': (ctx) => {
    const secret = existing(ctx, (ctx.body as { SecretId: string }).SecretId, true);
    return { body: { ...listEntry(secret), VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.id, v.stages])) } };
  },
  'POST /secretsmanager.ListSecrets': (ctx) => {
    const body = (ctx.body ?? {}) as { MaxResults?: number; NextToken?: string; IncludePlannedDeletion?: boolean; Filters?: { Key?: string; Values?: string[] }[]; SortOrder?: 'asc' | 'desc' };
    for (const name of [...ctx.state.secrets.keys()]) find(ctx, name);
    const all = [...ctx.state.secrets.values()]
      .filter((s) => (body.IncludePlannedDeletion || s.deletedDate === undefined) && matchesFilters(s, body.Filters ?? []));
    // Documented: the service may return fewer than MaxResults even when more remain; follow NextToken.
    const limit = ctx.pageSize(body.MaxResults, 100);
    let page;
    try {
      page = keysetPage(all, { key: (s) => [s.created, s.name], cursor: body.NextToken, limit, descending: body.SortOrder !== 'asc' });
    } catch {
      throw fail('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    return { body: { SecretList: page.page.map(listEntry), ...(page.next ? { NextToken: page.next } : {}) } };
  },
  'POST /secretsmanager.DeleteSecret': (ctx) => {
    const body = ctx.body as { SecretId: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean };
    if (body.RecoveryWindowInDays !== undefined && body.ForceDeleteWithoutRecovery) {
      throw fail('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const secret = existing(ctx, body.SecretId, true);
    if (secret.deletedDate !== undefined && !body.ForceDeleteWithoutRecovery) {
      throw fail('InvalidRequestException', "You can't perform this operation on the secret because it was already scheduled for deletion.");
    }
    const now = seconds();
    secret.deletedDate = now;
    if (body.ForceDeleteWithoutRecovery) {
      secret.deletionDate = now;
      secret.purge = ctx.progress();
    } else {
      secret.deletionDate = now + (body.RecoveryWindowInDays ?? 30) * 86_400;
    }
    return { body: { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate } };
  },
  'POST /secretsmanager.RestoreSecret': (ctx) => {
    const secret = existing(ctx, (ctx.body as { SecretId: string }).SecretId, true);
    if (secret.purge) throw fail('InvalidRequestException', "You can't restore a secret that is being deleted without recovery.");
    delete secret.deletedDate;
    delete secret.deletionDate;
    return { body: { ARN: secret.arn, Name: secret.name } };
  },
  'POST /secretsmanager.TagResource': (ctx) => {
    const body = ctx.body as { SecretId: string; Tags: { Key: string; Value: string }[] };
    const secret = existing(ctx, body.SecretId);
    for (const tag of body.Tags) secret.tags = [...secret.tags.filter((t) => t.Key !== tag.Key), tag];
    return { body: {} };
  },
  'POST /secretsmanager.UntagResource': (ctx) => {
    const body = ctx.body as { SecretId: string; TagKeys: string[] };
    const secret = existing(ctx, body.SecretId);
    secret.tags = secret.tags.filter((t) => !body.TagKeys.includes(t.Key));
    return { body: {} };
  },
};

function seeder(state: AwsSecretsState, ctx: SeedContext): AwsSecretsSeed {
  return {
    secret(name, value, options = {}) {
      const now = seconds();
      const secret: AwsSecret = {
        arn: `arn:aws:secretsmanager:${state.region}:${state.account}:secret:${name}-${suffix(ctx.nextId('arn'))}`, name,
        ...(options.description ? { description: options.description } : {}),
        tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), created: now, changed: now,
        versions: [{ id: `seed${ctx.nextId('version').toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`, value, binary: false, stages: ['AWSCURRENT'], created: now }],
      };
      state.secrets.set(name, secret);
      return secret;
    },
    purgeDeleted() {
      for (const [name, secret] of state.secrets) if (secret.deletedDate !== undefined) state.secrets.delete(name);
    },
  };
}

/**
 * AWS Secrets Manager (https://docs.aws.amazon.com/secretsmanager/latest/apireference/). AWS JSON 1.1:
 * `POST /` with X-Amz-Target. Requires a SigV4-shaped Authorization header; signatures are not verified.
 */
export const awsSecrets: ProviderDefinition<AwsSecretsState, AwsSecretsSeed> = {
  name: 'aws-secrets',
  title: 'AWS Secrets Manager API',
  spec: awsSecretsSpec,
  basePath: '',
  urlVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  credentials: { AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key' },
  extraEnv: { AWS_REGION: 'us-east-1' },
  jsonContentType: 'application/x-amz-json-1.1',
  readOperations: ['POST /secretsmanager.GetSecretValue', 'POST /secretsmanager.DescribeSecret', 'POST /secretsmanager.ListSecrets'],
  credentialKey: (env) => env.AWS_ACCESS_KEY_ID ?? '',
  credentialOf: (headers) => /^AWS4-HMAC-SHA256\s+Credential=([^/\s]+)\//.exec(header(headers, 'authorization') ?? '')?.[1],
  route: (method, path, headers) => {
    const target = header(headers, 'x-amz-target');
    return method === 'POST' && path === '/' && target ? { method, path: `/${target}` } : { method, path };
  },
  authError: (failure) => {
    if (failure === 'missing') return awsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (failure === 'invalid') return awsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    return awsError(400, 'AccessDeniedException', 'User is not authorized to perform this action on the secret.');
  },
  error: (status, message, code) => awsError(status, code ?? (status >= 500 ? 'InternalServiceError' : status === 404 ? 'UnknownOperationException' : 'ValidationException'), message),
  // AWS JSON services throttle with HTTP 400 ThrottlingException (the SDK retries it); Retry-After is added.
  faultReply: (kind) => kind === '429'
    ? awsError(400, 'ThrottlingException', 'Rate exceeded')
    : awsError(Number(kind), kind === '503' ? 'ServiceUnavailable' : 'InternalServiceError', 'injected server error'),
  createState: () => ({ region: 'us-east-1', account: '123456789012', secrets: new Map(), requestTokens: new Map() }),
  resource: (state, name) => state.secrets.get(name),
  seeder,
  seed(seed, scenario) {
    const secrets = (scenario?.secrets as { name: string; value: string; tags?: Record<string, string> }[] | undefined)
      ?? [{ name: 'myapp/prod', value: JSON.stringify({ API_URL: 'https://api.example.com', FEATURE_FLAG: 'off' }) }, { name: 'myapp/dev', value: JSON.stringify({ API_URL: 'http://localhost:3000', FEATURE_FLAG: 'on' }) }];
    for (const s of secrets) seed.secret(s.name, s.value, s.tags ? { tags: s.tags } : {});
  },
  handlers,
};

function awsError(status: number, type: string, message: string) {
  return { status, body: { __type: type, message }, headers: { 'x-amzn-errortype': type, 'content-type': 'application/x-amz-json-1.1' } };
}
