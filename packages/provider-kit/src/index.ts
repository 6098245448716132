/**
 * @fork-stack/provider-kit: what a provider published as its own package builds on. Nothing here is a
 * copy: every export is fork-stack's own module (packages/fork-stack/src), bundled into this package at
 * build time, so a package's provider talks to the same interface, HTTP client and naming rules as the
 * built-in ones. How to write one: docs/contributing/add-backend.md, "Out of tree".
 */

// The interface (types.ts) and what a package declares about itself (package-api.ts).
export type {
  Capabilities,
  Check,
  CheckStatus,
  Description,
  ForkRequest,
  Kind,
  ProgressUpdate,
  Provider,
  ProviderContext,
  ProviderModule,
  ProviderSchemaModule,
  RemoveRequest,
  Resource,
  ResourceState,
  SecretsProvider,
  SeedObject,
} from '../../fork-stack/src/providers/types.js';
export { KINDS, isSecretsProvider } from '../../fork-stack/src/providers/types.js';
export { PACKAGE_PREFIX, PROVIDER_API_VERSION, defineProviderSchema, type PackageSchemaModule } from '../../fork-stack/src/providers/package-api.js';

// Errors with exit codes (2 usage/config, 1 operation), recognised by the engine across package copies.
export { ForkStackError, OperationError, UsageError, describeError, isForkStackError, type ErrorOptions, type ExitCode } from '../../fork-stack/src/core/errors.js';

// Calling a cloud API: timeouts, retries with backoff on transient answers only, scrubbed errors.
export { DEFAULT_TIMEOUT_MS, HttpClient, ProviderHttpError, classifyHttpError, type HttpClientOptions, type HttpResponse, type RequestOptions } from '../../fork-stack/src/core/http.js';
export {
  TRANSIENT_HTTP_STATUSES,
  backoffDelay,
  isTransientHttpStatus,
  retryAfterMs,
  sleep,
  withRetry,
  type RetryDecision,
  type RetryOptions,
} from '../../fork-stack/src/core/retry.js';
export { maskUrlPasswords, registerSecret, scrub } from '../../fork-stack/src/core/scrub.js';
export { apiBaseUrl, requireEnv } from '../../fork-stack/src/core/credentials.js';
export { providerHttp } from '../../fork-stack/src/providers/cloud/http.js';
export { pollUntil, POLL_INTERVAL_MS, type PollOptions, type PollResult } from '../../fork-stack/src/providers/cloud/poll.js';
export { untilRecorded } from '../../fork-stack/src/providers/cloud/until-recorded.js';

// Naming: environment names, `name`/`names` patterns, and the zod pieces the provider schemas share.
export { Naming, isAdoptedEnv, type NameRules, type NamingOptions } from '../../fork-stack/src/providers/cloud/naming.js';
export { ENV_NAME_MAX_LENGTH, ENV_NAME_PATTERN, envFromName, envNameProblem, isValidEnvName, renderPattern, resourceNameFor, type PatternValues } from '../../fork-stack/src/core/names.js';
export { envNameSchema, nameOverrides, namePattern } from '../../fork-stack/src/core/config-schema.js';
// The zod these helpers are made with: a package's schema uses it rather than a zod of its own.
export { z } from 'zod';
