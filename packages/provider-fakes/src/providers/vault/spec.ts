import type { OpenApiDoc, Operation, Parameter, Schema } from '../../core/openapi-types.js';

// Vault publishes its OpenAPI only from a running server (sys/internal/specs/openapi). This spec is
// written from the KV v2 API docs (developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2) for the
// operations fork-stack plausibly calls. `{path+}` spans several segments (secret paths contain slashes).

const path: Parameter[] = [
  { name: 'mount', in: 'path', required: true, schema: { type: 'string' } },
  { name: 'path', in: 'path', required: true, schema: { type: 'string' } },
];
const mountOnly: Parameter[] = [path[0]!];
const namespace: Parameter = { name: 'X-Vault-Namespace', in: 'header', required: false, schema: { type: 'string' } };
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const json = (schema: Schema) => ({ required: true, content: { 'application/json': { schema } } });
const envelope = (data: Schema): Schema => object({
  request_id: { type: 'string' }, lease_id: { type: 'string' }, renewable: { type: 'boolean' }, lease_duration: { type: 'integer' },
  data, wrap_info: {}, warnings: {}, auth: {}, mount_type: { type: 'string' },
}, ['data']);
const ok = (data: Schema) => ({ 200: { content: { 'application/json': { schema: envelope(data) } } } });
const noContent = { 204: {} };
const versionMetadata = object({
  created_time: { type: 'string' }, custom_metadata: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
  deletion_time: { type: 'string' }, destroyed: { type: 'boolean' }, version: { type: 'integer' },
}, ['created_time', 'deletion_time', 'destroyed', 'version']);
const metadata = object({
  cas_required: { type: 'boolean' }, created_time: { type: 'string' }, current_version: { type: 'integer' }, delete_version_after: { type: 'string' },
  max_versions: { type: 'integer' }, oldest_version: { type: 'integer' }, updated_time: { type: 'string' },
  custom_metadata: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
  versions: { type: 'object', additionalProperties: object({ created_time: { type: 'string' }, deletion_time: { type: 'string' }, destroyed: { type: 'boolean' } }) },
}, ['current_version', 'versions']);
const keys = object({ keys: { type: 'array', items: { type: 'string' } } }, ['keys']);
const write = json(object({ data: { type: 'object' }, options: object({ cas: { type: 'integer', minimum: 0 } }) }, ['data']));
const versions = json(object({ versions: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 } }, ['versions']));
const list: Parameter = { name: 'list', in: 'query', schema: { type: 'boolean' } };

const op = (parameters: Parameter[], rest: Omit<Operation, 'parameters'>): Operation => ({ parameters: [...parameters, namespace], ...rest });

export const vaultSpec: OpenApiDoc = {
  openapi: '3.0.3',
  security: [{ token: [] }, { bearer: [] }],
  components: {
    securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'X-Vault-Token' }, bearer: { type: 'http', scheme: 'bearer' } },
  },
  paths: {
    '/v1/sys/health': { get: { security: [], responses: { 200: { content: { 'application/json': { schema: object({ initialized: { type: 'boolean' }, sealed: { type: 'boolean' }, version: { type: 'string' } }) } } } } } },
    '/v1/auth/token/lookup-self': { get: op([], { responses: ok(object({ id: { type: 'string' }, policies: { type: 'array', items: { type: 'string' } } })) }) },
    '/v1/{mount}/config': { get: op(mountOnly, { responses: ok(object({ cas_required: { type: 'boolean' }, delete_version_after: { type: 'string' }, max_versions: { type: 'integer' } })) }) },
    '/v1/{mount}/data/{path+}': {
      get: op([...path, { name: 'version', in: 'query', schema: { type: 'integer', minimum: 0 } }], { responses: ok(object({ data: { type: 'object', nullable: true }, metadata: versionMetadata }, ['data', 'metadata'])) }),
      post: op(path, { requestBody: write, responses: ok(versionMetadata) }),
      put: op(path, { requestBody: write, responses: ok(versionMetadata) }),
      delete: op(path, { responses: noContent }),
    },
    '/v1/{mount}/delete/{path+}': { post: op(path, { requestBody: versions, responses: noContent }) },
    '/v1/{mount}/undelete/{path+}': { post: op(path, { requestBody: versions, responses: noContent }) },
    '/v1/{mount}/destroy/{path+}': { put: op(path, { requestBody: versions, responses: noContent }), post: op(path, { requestBody: versions, responses: noContent }) },
    '/v1/{mount}/metadata': {
      list: op(mountOnly, { responses: ok(keys) }),
      get: op([...mountOnly, list], { responses: ok(keys) }),
    },
    '/v1/{mount}/metadata/{path+}': {
      get: op([...path, list], { responses: ok({ anyOf: [metadata, keys] }) }),
      list: op(path, { responses: ok(keys) }),
      post: op(path, {
        requestBody: json(object({ max_versions: { type: 'integer', minimum: 0 }, cas_required: { type: 'boolean' }, delete_version_after: { type: 'string' }, custom_metadata: { type: 'object', additionalProperties: { type: 'string' } } })),
        responses: noContent,
      }),
      delete: op(path, { responses: noContent }),
    },
  },
};
