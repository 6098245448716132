import type { OpenApiDoc, Parameter, Schema } from '../../core/openapi-types.js';

// No Redis Cloud spec is stored here; this one follows the Redis Cloud REST API docs (Swagger UI at
// api.redislabs.com/v1/swagger-ui, "Create a database", "Process lifecycle / tasks") for the Pro
// subscription database operations fork-stack plausibly calls.

const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const string = { type: 'string' };
const integer = { type: 'integer' };
const subscriptionId: Parameter = { name: 'subscriptionId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const databaseId: Parameter = { name: 'databaseId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const links = { type: 'array', items: { type: 'object' } };
const task = object({
  taskId: string, commandType: string, status: { type: 'string', enum: ['received', 'processing-in-progress', 'processing-completed', 'processing-error'] },
  description: string, timestamp: string, response: object({ resourceId: integer, additionalResourceId: integer, error: object({ type: string, status: string, description: string }) }), links,
}, ['taskId', 'status']);
const database = object({
  databaseId: integer, name: string, protocol: string, provider: string, region: string, redisVersion: string, respVersion: string,
  status: string, datasetSizeInGb: { type: 'number' }, memoryStorage: string, publicEndpoint: string, privateEndpoint: string,
  security: object({ enableDefaultUser: { type: 'boolean' }, password: string, enableTls: { type: 'boolean' }, sourceIps: { type: 'array', items: string } }),
  links,
}, ['databaseId', 'name', 'status']);
const accepted = { 202: { content: { 'application/json': { schema: task } } } };
const ok = (schema: Schema) => ({ 200: { content: { 'application/json': { schema } } } });

const createDatabase = object({
  dryRun: { type: 'boolean' }, name: { type: 'string', minLength: 1, maxLength: 40 }, protocol: { type: 'string', enum: ['redis', 'memcached'] },
  port: { type: 'integer', minimum: 10000, maximum: 19999 }, memoryLimitInGb: { type: 'number', minimum: 0.1 }, datasetSizeInGb: { type: 'number', minimum: 0.1 },
  redisVersion: string, respVersion: { type: 'string', enum: ['resp2', 'resp3'] }, supportOSSClusterApi: { type: 'boolean' },
  useExternalEndpointForOSSClusterApi: { type: 'boolean' },
  dataPersistence: { type: 'string', enum: ['none', 'aof-every-1-second', 'aof-every-write', 'snapshot-every-1-hour', 'snapshot-every-6-hours', 'snapshot-every-12-hours'] },
  dataEvictionPolicy: { type: 'string', enum: ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'noeviction'] },
  replication: { type: 'boolean' }, replicaOf: { type: 'array', items: string }, replica: { type: 'object' },
  throughputMeasurement: object({ by: { type: 'string', enum: ['operations-per-second', 'number-of-shards'] }, value: integer }, ['by', 'value']),
  averageItemSizeInBytes: integer, remoteBackup: { type: 'object' }, sourceIp: { type: 'array', items: string }, clientSslCertificate: string,
  clientTlsCertificates: { type: 'array', items: { type: 'object' } }, enableTls: { type: 'boolean' }, password: string,
  saslUsername: string, saslPassword: string, alerts: { type: 'array', items: object({ name: string, value: integer }) },
  modules: { type: 'array', items: object({ name: string, parameters: { type: 'object' } }, ['name']) }, queryPerformanceFactor: string,
  shardingType: string, regexRules: { type: 'array', items: string },
}, ['name']);

export const redisCloudSpec: OpenApiDoc = {
  openapi: '3.0.3',
  security: [{ apiKey: [], secretKey: [] }],
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }, secretKey: { type: 'apiKey', in: 'header', name: 'x-api-secret-key' } },
  },
  paths: {
    '/subscriptions': { get: { responses: ok(object({ accountId: integer, subscriptions: { type: 'array', items: object({ id: integer, name: string, status: string }) } })) } },
    '/subscriptions/{subscriptionId}': { get: { parameters: [subscriptionId], responses: ok(object({ id: integer, name: string, status: string, numberOfDatabases: integer })) } },
    '/subscriptions/{subscriptionId}/databases': {
      get: {
        parameters: [subscriptionId, { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } }],
        responses: ok(object({ accountId: integer, subscription: { type: 'array', items: object({ subscriptionId: integer, numberOfDatabases: integer, databases: { type: 'array', items: database } }) }, links })),
      },
      post: { parameters: [subscriptionId], requestBody: { required: true, content: { 'application/json': { schema: createDatabase } } }, responses: accepted },
    },
    '/subscriptions/{subscriptionId}/databases/{databaseId}': {
      get: { parameters: [subscriptionId, databaseId], responses: ok(database) },
      delete: { parameters: [subscriptionId, databaseId], responses: accepted },
    },
    '/tasks': { get: { responses: ok({ type: 'array', items: task }) } },
    '/tasks/{taskId}': { get: { parameters: [{ name: 'taskId', in: 'path', required: true, schema: string }], responses: ok(task) } },
  },
};
