/**
 * @fork-stack/provider-kit/fakes: the fake-server core fork-stack tests its cloud providers against
 * (packages/provider-fakes/src/core): an in-process HTTP server on a loopback port that checks every
 * request and answer against the provider's OpenAPI document, with credentials, pagination, asynchronous
 * work and injected faults. A package describes its API with a ProviderDefinition and a trimmed spec.
 */
export { FakeServer, type FakeOptions, type ForbiddenCall, type RequestRecord, type Violation } from '../../provider-fakes/src/core/server.js';
export type { AuthFailure, ErrorReply, Handler, HandlerContext, Principal, ProviderDefinition, Reply, SeedContext } from '../../provider-fakes/src/core/provider.js';
export type { OpenApiDoc } from '../../provider-fakes/src/core/openapi-types.js';
export { HttpError, badRequest, conflict, notFound } from '../../provider-fakes/src/core/http-error.js';
export { encodeCursor, keysetPage, numberedPage, type SortKey } from '../../provider-fakes/src/core/pagination.js';
export { basicCredentials, bearerToken, header } from '../../provider-fakes/src/core/auth.js';
export { Progress, type AsyncOptions } from '../../provider-fakes/src/core/progress.js';
export type { FailRule, FaultKind, FaultOptions } from '../../provider-fakes/src/core/faults.js';
