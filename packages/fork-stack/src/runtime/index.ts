/**
 * fork-stack/runtime — the TypeScript reader for apps. Zero dependencies.
 * "Which environment am I in, and what are its values?" by docs/architecture.md ("Environment resolution", "Variables contract") and conformance/README.md.
 *
 * Every function takes optional `{ cwd, env }` overrides (working directory, process environment);
 * without them it uses the default EnvConfig, which setDefaultEnvConfig can replace with a subclass.
 */
import { EnvConfig, type ReaderOptions } from './env-config.js';

export { CONTRACT_VERSION } from '../version.js';
export {
  resolveEnv,
  findProjectDir,
  ForkStackRuntimeError,
  DEFAULT_ENV,
  type ResolveOptions,
  type ResolvedEnv,
  type RuntimeErrorCode,
  type EnvSource,
} from './resolve.js';
export { EnvConfig, type ReaderOptions } from './env-config.js';

let defaultConfig = new EnvConfig();

/** Make the module-level functions use `config` (typically a subclass of EnvConfig). */
export function setDefaultEnvConfig(config: EnvConfig): void {
  defaultConfig = config;
}

export function getDefaultEnvConfig(): EnvConfig {
  return defaultConfig;
}

function reader(options: ReaderOptions | undefined): EnvConfig {
  if (options === undefined) return defaultConfig;
  const Config = defaultConfig.constructor as new (options: ReaderOptions) => EnvConfig;
  return new Config({ ...defaultConfig.options, ...options });
}

export const getCurrentEnv = (options?: ReaderOptions): string => reader(options).getCurrentEnv();
export const getProjectRoot = (options?: ReaderOptions): string | undefined => reader(options).getProjectRoot();
export const getProjectName = (options?: ReaderOptions): string => reader(options).getProjectName();
export const getDatabaseUrl = (options?: ReaderOptions): string => reader(options).getDatabaseUrl();
export const getDatabaseAuthToken = (options?: ReaderOptions): string | undefined => reader(options).getDatabaseAuthToken();
export const getLocalDbPath = (options?: ReaderOptions): string => reader(options).getLocalDbPath();
export const getBucketName = (name?: string, options?: ReaderOptions): string => reader(options).getBucketName(name);
export const getS3Key = (resourceType: string, filename: string, options?: ReaderOptions): string => reader(options).getS3Key(resourceType, filename);
export const getSecret = (key: string, options?: ReaderOptions): string => reader(options).getSecret(key);
export const lookupSecret = (key: string, options?: ReaderOptions): string | undefined => reader(options).lookupSecret(key);
export const getAllSecrets = (options?: ReaderOptions): Record<string, string> => reader(options).getAllSecrets();
export const setSecret = (key: string, value: string, options?: ReaderOptions): Promise<void> => reader(options).setSecret(key, value);
export const getCacheUrl = (options?: ReaderOptions): string => reader(options).getCacheUrl();
export const getCacheKeyPrefix = (options?: ReaderOptions): string => reader(options).getCacheKeyPrefix();
export const getQueueUrl = (options?: ReaderOptions): string => reader(options).getQueueUrl();
export const getQueuePrefix = (options?: ReaderOptions): string => reader(options).getQueuePrefix();
