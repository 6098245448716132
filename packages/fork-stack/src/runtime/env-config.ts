/**
 * EnvConfig: every accessor of the reader as a method, so a stack can subclass it and override one
 * (say, getDatabaseUrl for a provider with its own URL shape) while the rest keeps working. Each call
 * reads the files afresh: `fork-stack switch` in another terminal takes effect on the next call.
 */
import path from 'node:path';
import { CONTRACT_VERSION } from '../version.js';
import {
  bucketFallback,
  bucketVariable,
  cachePrefixFallback,
  databaseUrlFallback,
  keyPrefixFallback,
  localDbPath,
  queuePrefixFallback,
  type NamingValues,
} from './conventions.js';
import { envFilePath, readEnvFile } from './env-file.js';
import { readConfig, type ReaderConfig } from './project-config.js';
import { ForkStackRuntimeError, resolveEnv, type ResolveOptions, type ResolvedEnv } from './resolve.js';
import { checkSecretKey, runSetSecret } from './set-secret.js';

export type ReaderOptions = ResolveOptions;

function present(value: string | undefined): string | undefined {
  // An empty variable counts as unset, as for ENV: shells and platforms often export empty ones.
  return value === undefined || value === '' ? undefined : value;
}

/** values[key] for own keys only: "constructor" or "toString" are variable names, not Object.prototype members. */
function own(values: Readonly<Record<string, string | undefined>> | undefined, key: string): string | undefined {
  return values && Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
}

export class EnvConfig {
  readonly contractVersion = CONTRACT_VERSION;

  constructor(readonly options: ReaderOptions = {}) {}

  /** The process environment this reader sees (options.env when given). */
  protected get environ(): Readonly<Record<string, string | undefined>> {
    return this.options.env ?? process.env;
  }

  protected get cwd(): string {
    return path.resolve(this.options.cwd ?? process.cwd());
  }

  protected resolve(): ResolvedEnv {
    return resolveEnv({ cwd: this.cwd, env: this.environ });
  }

  protected config(root: string | undefined): ReaderConfig | undefined {
    return readConfig(root);
  }

  /** Process environment, then the env file; undefined when neither has a non-empty value. */
  protected lookup(key: string, resolved: ResolvedEnv = this.resolve()): string | undefined {
    return present(own(this.environ, key)) ?? present(own(readEnvFile(resolved.root, resolved.name), key));
  }

  protected missing(key: string, resolved: ResolvedEnv, why: string): ForkStackRuntimeError {
    const env = resolved.name;
    const file = resolved.root ? envFilePath(resolved.root, env) : '.fork-stack/envs/<env>.env (no fork-stack project found)';
    return new ForkStackRuntimeError(
      'missing-value',
      `${key} is not set for environment "${env}": not in the process environment, not in ${file}, and ${why}; run "fork-stack switch ${env}" (or "fork-stack create ${env}") to write it, or set ${key}`,
    );
  }

  protected naming(resolved: ResolvedEnv): NamingValues {
    return { project: this.projectName(resolved), env: resolved.name };
  }

  private projectName(resolved: ResolvedEnv): string {
    return this.lookup('PROJECT_NAME', resolved) ?? this.config(resolved.root)?.project ?? path.basename(resolved.root ?? this.cwd);
  }

  getCurrentEnv(): string {
    return this.resolve().name;
  }

  /** The directory holding fork-stack.toml or .current-env, if any. */
  getProjectRoot(): string | undefined {
    return this.resolve().root;
  }

  getProjectName(): string {
    return this.projectName(this.resolve());
  }

  getDatabaseUrl(): string {
    const resolved = this.resolve();
    const value = this.lookup('DATABASE_URL', resolved) ?? databaseUrlFallback(this.config(resolved.root), resolved.root ?? this.cwd, this.naming(resolved));
    if (value === undefined) throw this.missing('DATABASE_URL', resolved, 'fork-stack.toml has no [database] naming convention for it (sqlite and turso have one)');
    return value;
  }

  getDatabaseAuthToken(): string | undefined {
    return this.lookup('DATABASE_AUTH_TOKEN');
  }

  getLocalDbPath(): string {
    const resolved = this.resolve();
    return localDbPath(this.config(resolved.root), resolved.root ?? this.cwd, this.naming(resolved));
  }

  /** The default bucket (BUCKET_NAME), or the bucket of `[storage.<name>]` (BUCKET_<NAME>). */
  getBucketName(name?: string): string {
    const resolved = this.resolve();
    const key = name === undefined ? 'BUCKET_NAME' : bucketVariable(name);
    const value = this.lookup(key, resolved);
    if (value !== undefined) return value;
    const config = this.config(resolved.root);
    const buckets = config?.buckets ?? [];
    const bucket = name === undefined ? buckets.find((b) => b.isDefault) : buckets.find((b) => bucketVariable(b.name) === key);
    const conventional = config && bucket ? bucketFallback(config, bucket, resolved.root ?? this.cwd, this.naming(resolved)) : undefined;
    if (conventional !== undefined) return conventional;
    // No storage configured at all: the original templates' convention for the default bucket.
    if (name === undefined && buckets.length === 0) {
      const { project, env } = this.naming(resolved);
      return `${project}-bucket-${env}`;
    }
    if (bucket) throw this.missing(key, resolved, `${bucket.label} is in prefix mode without its shared bucket (bucket = "…")`);
    const known = buckets.map((b) => b.name).join(', ');
    throw this.missing(key, resolved, known ? `fork-stack.toml has no [storage.${name}] (buckets: ${known})` : `fork-stack.toml has no [storage.${name}]`);
  }

  /** `{BUCKET_KEY_PREFIX}{resourceType}/{filename}`: the object key, prefixed where storage isolates by prefix. */
  getS3Key(resourceType: string, filename: string): string {
    const resolved = this.resolve();
    const prefix = this.lookup('BUCKET_KEY_PREFIX', resolved) ?? keyPrefixFallback(this.config(resolved.root), this.naming(resolved));
    return `${prefix}${resourceType}/${filename}`;
  }

  getSecret(key: string): string {
    const resolved = this.resolve();
    const value = this.lookup(key, resolved);
    if (value === undefined) throw this.missing(key, resolved, 'secrets have no naming convention');
    return value;
  }

  /** Like getSecret, but undefined when the secret is not set. */
  lookupSecret(key: string): string | undefined {
    return this.lookup(key);
  }

  /** Every value of the env file, each overridden by a non-empty process variable of the same name. */
  getAllSecrets(): Record<string, string> {
    const resolved = this.resolve();
    const values = readEnvFile(resolved.root, resolved.name) ?? {};
    const out: Record<string, string> = {};
    for (const key of Object.keys(values)) out[key] = present(own(this.environ, key)) ?? (values[key] as string);
    return out;
  }

  /** Runs `fork-stack secrets set KEY --env <env>` (FORK_STACK_CLI overrides the command), value on stdin. */
  async setSecret(key: string, value: string): Promise<void> {
    checkSecretKey(key);
    const resolved = this.resolve();
    await runSetSecret({ key, value, env: resolved.name, cwd: resolved.root ?? this.cwd, environ: this.environ });
  }

  /** CACHE_URL, else REDIS_URL; the process environment before the env file. */
  getCacheUrl(): string {
    const resolved = this.resolve();
    const file = () => readEnvFile(resolved.root, resolved.name);
    const value =
      present(own(this.environ, 'CACHE_URL')) ?? present(own(this.environ, 'REDIS_URL')) ?? present(own(file(), 'CACHE_URL')) ?? present(own(file(), 'REDIS_URL'));
    if (value === undefined) throw this.missing('CACHE_URL', resolved, 'neither is REDIS_URL');
    return value;
  }

  getCacheKeyPrefix(): string {
    const resolved = this.resolve();
    const value = this.lookup('CACHE_KEY_PREFIX', resolved) ?? cachePrefixFallback(this.config(resolved.root), this.naming(resolved));
    if (value === undefined) throw this.missing('CACHE_KEY_PREFIX', resolved, 'fork-stack.toml has no [cache] section');
    return value;
  }

  getQueueUrl(): string {
    const resolved = this.resolve();
    const value = this.lookup('QUEUE_URL', resolved);
    if (value === undefined) throw this.missing('QUEUE_URL', resolved, 'queue URLs have no naming convention');
    return value;
  }

  getQueuePrefix(): string {
    const resolved = this.resolve();
    const value = this.lookup('QUEUE_PREFIX', resolved) ?? queuePrefixFallback(this.config(resolved.root), this.naming(resolved));
    if (value === undefined) throw this.missing('QUEUE_PREFIX', resolved, 'fork-stack.toml has no [queue] section');
    return value;
  }
}
