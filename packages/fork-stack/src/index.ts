/**
 * fork-stack as a library: the engine the CLI uses, for scripts and integrations.
 * The runtime reader for apps is the separate, dependency-free `fork-stack/runtime`.
 */
export { loadConfig, parseConfig, type ProjectConfig, type SlotConfig } from './config/load.js';
export { createEngine, type Engine, type EngineOptions, type Reporter } from './engine/context.js';
export { createEnvironment, type CreateOptions, type CreateResult } from './engine/create.js';
export { deleteEnvironment, type DeleteResult } from './engine/remove.js';
export { resetEnvironment, type ResetResult } from './engine/reset.js';
export { collectGarbage, type GcOptions, type GcResult } from './engine/gc.js';
export { projectPaths, type ProjectPaths } from './core/project.js';
export { listEnvironments, type EnvSummary, type ListResult } from './engine/list.js';
export { switchEnvironment, type SwitchResult } from './engine/switch.js';
export { environmentStatus, type StatusResult } from './engine/status.js';
export { doctor, type DoctorResult } from './engine/doctor.js';
export { initProject, LOCAL_STACK, prepareRoots, projectNameFrom, renderConfig, type InitChoices } from './engine/init.js';
export { resolveVariables, type ResolvedVariables } from './engine/variables.js';
export { changeSecrets, getSecret, readSecrets } from './engine/secrets.js';
export { ForkStackError, OperationError, UsageError } from './core/errors.js';
export { formatDotenv, parseDotenv, quoteValue } from './core/files/dotenv.js';
export { envNameProblem, isValidEnvName } from './core/names.js';
export { registry } from './providers/registry.js';
export type * from './providers/types.js';
export { PACKAGE_PREFIX, PROVIDER_API_VERSION, defineProviderSchema, type PackageSchemaModule } from './providers/package-api.js';
export { VERSION, CONTRACT_VERSION } from './version.js';
