import type { OpenApiDoc, Operation, Parameter, Schema } from '../../core/openapi-types.js';

// Doppler publishes no OpenAPI spec. This one is written from its generated SDK (@dopplerhq/node-sdk 1.3,
// src/services/{projects,environments,configs,secrets}): the same paths, query parameters and JSON bodies,
// with the response fields fork-stack reads. Only the operations fork-stack plausibly calls are listed.

const query = (name: string, required = false, schema: Schema = { type: 'string' }): Parameter => ({ name, in: 'query', required, schema });
const PAGE = [query('page', false, { type: 'integer', minimum: 1 }), query('per_page', false, { type: 'integer', minimum: 1, maximum: 100 })];
const json = (schema: Schema, required = true) => ({ required, content: { 'application/json': { schema } } });
const ok = (schema: Schema) => ({ 200: { content: { 'application/json': { schema } } } });
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const string = { type: 'string' };

const config = object({
  name: string, root: { type: 'boolean' }, locked: { type: 'boolean' }, initial_fetch_at: { type: 'string', nullable: true },
  last_fetch_at: { type: 'string', nullable: true }, created_at: string, environment: string, project: string, slug: string,
}, ['name', 'root', 'locked', 'environment', 'project']);
const secretValue = object({ raw: { type: 'string', nullable: true }, computed: { type: 'string', nullable: true }, note: string });
const secretMap = { type: 'object', additionalProperties: secretValue };
const success = { success: { type: 'boolean' } };

const get = (parameters: Parameter[], response: Schema): Operation => ({ parameters, responses: ok(response) });
const post = (body: Schema, response: Schema, parameters: Parameter[] = []): Operation => ({ parameters, requestBody: json(body), responses: ok(response) });

export const dopplerSpec: OpenApiDoc = {
  openapi: '3.0.3',
  security: [{ bearer: [] }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/v3/me': { get: get([], object({ workplace: object({ slug: string, name: string }), type: string, name: string })) },
    '/v3/projects': {
      get: get(PAGE, object({ page: { type: 'integer' }, projects: { type: 'array', items: object({ id: string, slug: string, name: string, description: string, created_at: string }) }, ...success })),
    },
    '/v3/projects/project': {
      get: get([query('project', true)], object({ project: object({ id: string, slug: string, name: string, description: string, created_at: string }), ...success })),
    },
    '/v3/environments': {
      get: get([query('project', true)], object({ page: { type: 'integer' }, environments: { type: 'array', items: object({ id: string, slug: string, name: string, created_at: string, project: string }) }, ...success })),
    },
    '/v3/configs': {
      get: get([query('project', true), query('environment'), ...PAGE], object({ page: { type: 'integer' }, configs: { type: 'array', items: config }, ...success }, ['configs'])),
      post: post(object({ project: string, environment: string, name: string }, ['project', 'environment', 'name']), object({ config, ...success })),
    },
    '/v3/configs/config': {
      get: get([query('project', true), query('config', true)], object({ config, ...success })),
      post: post(object({ project: string, config: string, name: string }, ['project', 'config', 'name']), object({ config, ...success })),
      delete: { requestBody: json(object({ project: string, config: string }, ['project', 'config'])), responses: ok(object(success)) },
    },
    '/v3/configs/config/clone': {
      post: post(object({ project: string, config: string, name: string }, ['project', 'config', 'name']), object({ config, ...success })),
    },
    '/v3/configs/config/lock': { post: post(object({ project: string, config: string }, ['project', 'config']), object({ config, ...success })) },
    '/v3/configs/config/unlock': { post: post(object({ project: string, config: string }, ['project', 'config']), object({ config, ...success })) },
    '/v3/configs/config/secrets': {
      get: get([query('project', true), query('config', true), query('include_dynamic_secrets', false, { type: 'boolean' }),
        query('dynamic_secrets_ttl_sec', false, { type: 'integer' }), query('secrets'), query('include_managed_secrets', false, { type: 'boolean' })],
      object({ secrets: secretMap, ...success }, ['secrets'])),
      post: post(object({
        project: string, config: string,
        // A null value deletes the secret from the config.
        secrets: { type: 'object', additionalProperties: { type: 'string', nullable: true } },
        change_requests: { type: 'array', items: object({ name: string, originalName: string, value: { type: 'string', nullable: true }, shouldDelete: { type: 'boolean' } }, ['name', 'originalName', 'value']) },
      }, ['project', 'config']), object({ secrets: secretMap, ...success })),
    },
    '/v3/configs/config/secrets/download': {
      get: {
        parameters: [query('project', true), query('config', true), query('format', false, { type: 'string', enum: ['json', 'dotnet-json', 'env', 'yaml', 'docker', 'env-no-quotes'] }),
          query('name_transformer', false, { type: 'string', enum: ['camel', 'upper-camel', 'lower-snake', 'tf-var', 'dotnet', 'dotnet-env', 'lower-kebab'] }),
          query('include_dynamic_secrets', false, { type: 'boolean' }), query('dynamic_secrets_ttl_sec', false, { type: 'integer' }), query('secrets')],
        responses: { 200: { content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } } },
      },
    },
    '/v3/configs/config/secret': {
      get: get([query('project', true), query('config', true), query('name', true)], object({ name: string, value: secretValue, ...success })),
      // The SDK sends the identifiers both in the query and as a JSON body.
      delete: {
        parameters: [query('project', true), query('config', true), query('name', true)],
        requestBody: json(object({ project: string, config: string, name: string }), false),
        responses: ok(object(success)),
      },
    },
  },
};
