import type { OpenApiDoc, Operation, Schema } from '../../core/openapi-types.js';

// AWS Secrets Manager speaks the AWS JSON 1.1 protocol: every call is `POST /` with
// `X-Amz-Target: secretsmanager.<Operation>` and `Content-Type: application/x-amz-json-1.1`. The fake
// routes each target to a pseudo-path `/secretsmanager.<Operation>` so the same validator applies. The
// input shapes are written from @aws-sdk/client-secrets-manager (models_0: CreateSecretRequest, …);
// constraints (lengths, ranges) from the API reference.

const MEDIA = 'application/x-amz-json-1.1';
const string = { type: 'string' };
const secretId = { type: 'string', minLength: 1, maxLength: 2048 };
const token = { type: 'string', minLength: 32, maxLength: 64 };
const tags = { type: 'array', items: { type: 'object', properties: { Key: { type: 'string', minLength: 1, maxLength: 128 }, Value: { type: 'string', maxLength: 256 } }, required: ['Key', 'Value'] } };
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });

function op(input: Schema, output: Schema): Operation {
  return {
    parameters: [{ name: 'X-Amz-Target', in: 'header', required: true, schema: string }],
    requestBody: { required: true, content: { [MEDIA]: { schema: input } } },
    responses: { 200: { content: { 'application/json': { schema: output } } } },
  };
}

const timestamp = { type: 'number' };
const arnName = { ARN: string, Name: string };

export const awsSecretsSpec: OpenApiDoc = {
  openapi: '3.0.3',
  security: [{ sigv4: [] }],
  components: { securitySchemes: { sigv4: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
  paths: {
    '/secretsmanager.CreateSecret': {
      post: op(object({
        Name: { type: 'string', minLength: 1, maxLength: 512 }, ClientRequestToken: token, Description: { type: 'string', maxLength: 2048 },
        KmsKeyId: string, SecretBinary: string, SecretString: { type: 'string', maxLength: 65536 }, Tags: tags,
        AddReplicaRegions: { type: 'array', items: object({ Region: string, KmsKeyId: string }) }, ForceOverwriteReplicaSecret: { type: 'boolean' }, Type: string,
      }, ['Name']), object({ ...arnName, VersionId: string }, ['ARN', 'Name'])),
    },
    '/secretsmanager.GetSecretValue': {
      post: op(object({ SecretId: secretId, VersionId: token, VersionStage: { type: 'string', minLength: 1, maxLength: 256 } }, ['SecretId']),
        object({ ...arnName, VersionId: string, SecretString: string, SecretBinary: string, VersionStages: { type: 'array', items: string }, CreatedDate: timestamp }, ['ARN', 'Name', 'VersionId'])),
    },
    '/secretsmanager.PutSecretValue': {
      post: op(object({ SecretId: secretId, ClientRequestToken: token, SecretBinary: string, SecretString: { type: 'string', maxLength: 65536 }, VersionStages: { type: 'array', items: string }, RotationToken: string }, ['SecretId']),
        object({ ...arnName, VersionId: string, VersionStages: { type: 'array', items: string } }, ['ARN', 'Name', 'VersionId'])),
    },
    '/secretsmanager.DescribeSecret': {
      post: op(object({ SecretId: secretId }, ['SecretId']), object({
        ...arnName, Description: string, LastChangedDate: timestamp, LastAccessedDate: timestamp, DeletedDate: timestamp, CreatedDate: timestamp,
        Tags: tags, VersionIdsToStages: { type: 'object', additionalProperties: { type: 'array', items: string } },
      }, ['ARN', 'Name'])),
    },
    '/secretsmanager.ListSecrets': {
      post: op(object({
        IncludePlannedDeletion: { type: 'boolean' }, MaxResults: { type: 'integer', minimum: 1, maximum: 100 }, NextToken: { type: 'string', minLength: 1, maxLength: 4096 },
        Filters: { type: 'array', items: object({ Key: { type: 'string', enum: ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'] }, Values: { type: 'array', items: string, minItems: 1, maxItems: 10 } }) },
        SortOrder: { type: 'string', enum: ['asc', 'desc'] }, SortBy: { type: 'string', enum: ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] },
      }), object({ SecretList: { type: 'array', items: object({ ...arnName, Description: string, DeletedDate: timestamp, CreatedDate: timestamp, LastChangedDate: timestamp, Tags: tags }, ['ARN', 'Name']) }, NextToken: string }, ['SecretList'])),
    },
    '/secretsmanager.DeleteSecret': {
      post: op(object({ SecretId: secretId, RecoveryWindowInDays: { type: 'integer', minimum: 7, maximum: 30 }, ForceDeleteWithoutRecovery: { type: 'boolean' } }, ['SecretId']),
        object({ ...arnName, DeletionDate: timestamp }, ['ARN', 'Name', 'DeletionDate'])),
    },
    '/secretsmanager.RestoreSecret': {
      post: op(object({ SecretId: secretId }, ['SecretId']), object(arnName, ['ARN', 'Name'])),
    },
    '/secretsmanager.TagResource': {
      post: op(object({ SecretId: secretId, Tags: tags }, ['SecretId', 'Tags']), object({})),
    },
    '/secretsmanager.UntagResource': {
      post: op(object({ SecretId: secretId, TagKeys: { type: 'array', items: string } }, ['SecretId', 'TagKeys']), object({})),
    },
  },
};
