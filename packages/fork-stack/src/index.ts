/**
 * fork-stack as a library: the engine the CLI uses, for scripts and integrations.
 * The runtime reader for apps is the separate, dependency-free `fork-stack/runtime`.
 */
export { loadConfig, parseConfig, type ProjectConfig, type SlotConfig } from './core/config/load.js';
export { createEngine, type Engine, type EngineOptions, type Reporter } from './core/engine/context.js';
export { createEnvironment, type CreateOptions, type CreateResult } from './core/engine/create.js';
export { deleteEnvironment, type DeleteResult } from './core/engine/remove.js';
export { listEnvironments, type EnvSummary, type ListResult } from './core/engine/list.js';
export { switchEnvironment, type SwitchResult } from './core/engine/switch.js';
export { environmentStatus, type StatusResult } from './core/engine/status.js';
export { doctor, type DoctorResult } from './core/engine/doctor.js';
export { initProject, LOCAL_STACK, prepareRoots, projectNameFrom, renderConfig, type InitChoices } from './core/engine/init.js';
export { resolveVariables, type ResolvedVariables } from './core/engine/variables.js';
export { changeSecrets, getSecret, readSecrets } from './core/engine/secrets.js';
export { ForkStackError, OperationError, UsageError } from './core/errors.js';
export { formatDotenv, parseDotenv, quoteValue } from './core/files/dotenv.js';
export { envNameProblem, isValidEnvName } from './core/names.js';
export { registry } from './providers/registry.js';
export type * from './providers/types.js';
export { VERSION, CONTRACT_VERSION } from './version.js';
