/**
 * Naming-convention fallbacks: the value a variable would have, computed from fork-stack.toml the way
 * the providers name their resources, for when neither the process environment nor the env file has it
 * (an app in prod with only a few injected variables, or a fresh checkout before `fork-stack switch`).
 * The default names are data: conformance/v1/conventions.json, generated into conventions.generated.ts
 * (docs/architecture.md, "Conventions as data").
 */
import path from 'node:path';
import {
  CACHE_PREFIX_PROVIDERS,
  DEFAULT_BUCKET_PATTERN,
  DEFAULT_CACHE_PREFIX,
  DEFAULT_FS_DIR,
  DEFAULT_KEY_PREFIX,
  DEFAULT_QUEUE_PREFIX,
  DEFAULT_SQLITE_PATH,
  DEFAULT_TURSO_NAME,
  NAMED_BUCKET_PATTERN,
  QUEUE_PREFIX_PROVIDERS,
  TURSO_ADOPTED_ENV,
  TURSO_ADOPTED_NAME,
} from './conventions.generated.js';
import { invalidConfig, nameOverrides, stringOption, type Bucket, type ReaderConfig, type Section } from './project-config.js';

const PLACEHOLDER = /\{([a-z_]+)\}/g;

export interface NamingValues {
  project: string;
  env: string;
  bucket?: string;
}

function render(config: ReaderConfig, section: Section, pattern: string, values: NamingValues): string {
  return pattern.replace(PLACEHOLDER, (whole, key: string) => {
    const value = key === 'project' || key === 'env' || key === 'bucket' ? values[key] : undefined;
    if (value === undefined) throw invalidConfig(config.file, `${section.label} uses the unknown placeholder ${whole} in "${pattern}"`);
    return value;
  });
}

/** `names[env]` when set, else the section's pattern option, else the default; rendered. */
function nameFor(config: ReaderConfig, section: Section, values: NamingValues, option: string, fallback: string): string {
  const explicit = nameOverrides(config, section).get(values.env);
  return render(config, section, explicit ?? stringOption(config, section, option) ?? fallback, values);
}

/**
 * `file:` URL of a path, encoded the way the sqlite provider's fileUrl() (Node's pathToFileURL) does:
 * every UTF-8 byte outside this set is percent-encoded. Spelled out rather than delegated so that every
 * reader, on every Node version, produces the same string.
 */
const URL_SAFE = /[A-Za-z0-9!$&'()*+,\-.:;=@_/]/;

export function fileUrl(file: string): string {
  const posix = process.platform === 'win32' ? `/${file.replace(/\\/g, '/')}` : file;
  let out = 'file:';
  for (const char of posix) {
    if (URL_SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function sqlitePath(config: ReaderConfig, database: Section, root: string, values: NamingValues): string {
  return path.resolve(root, nameFor(config, database, values, 'path', DEFAULT_SQLITE_PATH));
}

export function databaseUrlFallback(config: ReaderConfig | undefined, root: string, values: NamingValues): string | undefined {
  const database = config?.database;
  if (!config || !database) return undefined;
  if (database.provider === 'sqlite') return fileUrl(sqlitePath(config, database, root, values));
  if (database.provider === 'turso') {
    // Adopted production databases are named after the project (the original templates' convention).
    const explicit = nameOverrides(config, database).get(values.env) ?? (values.env === TURSO_ADOPTED_ENV ? TURSO_ADOPTED_NAME : undefined);
    const name = render(config, database, explicit ?? stringOption(config, database, 'name') ?? DEFAULT_TURSO_NAME, values);
    // Turso's hostnames are <database>-<organization>.turso.io; without an organization, the original
    // templates' <database>.turso.io.
    const organization = stringOption(config, database, 'organization');
    return `libsql://${organization === undefined ? name : `${name}-${organization}`}.turso.io`;
  }
  return undefined;
}

/** The sqlite file when the project uses sqlite, else `{project}.{env}.db` as in the original templates. */
export function localDbPath(config: ReaderConfig | undefined, root: string, values: NamingValues): string {
  const database = config?.database;
  if (config && database?.provider === 'sqlite') return sqlitePath(config, database, root, values);
  return `${values.project}.${values.env}.db`;
}

/** `BUCKET_UPLOADS` for [storage.uploads]. */
export function bucketVariable(name: string): string {
  return `BUCKET_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The bucket's name by convention; undefined when it has none (prefix mode without its shared bucket). */
export function bucketFallback(config: ReaderConfig, bucket: Bucket, root: string, values: NamingValues): string | undefined {
  const named = { ...values, bucket: bucket.name };
  const pattern = bucket.isDefault ? DEFAULT_BUCKET_PATTERN : NAMED_BUCKET_PATTERN;
  // S3-compatible prefix mode: every environment shares one bucket, under its own key prefix.
  if (stringOption(config, bucket, 'mode') === 'prefix') return stringOption(config, bucket, 'bucket');
  if (bucket.provider === 'fs') {
    // The fs provider keeps <dir>/<name> per environment and publishes the absolute directory.
    const dir = stringOption(config, bucket, 'dir') ?? DEFAULT_FS_DIR;
    const explicit = nameOverrides(config, bucket).get(values.env);
    const relative = `${dir}/${explicit ?? stringOption(config, bucket, 'name') ?? pattern}`;
    return path.resolve(root, render(config, bucket, relative, named));
  }
  return nameFor(config, bucket, named, 'name', pattern);
}

/**
 * BUCKET_KEY_PREFIX when the default bucket is in prefix mode: names[env] (a fixed prefix, "/" added),
 * "" for a root environment (roots live at the top of the bucket), else key_prefix rendered. "" when the
 * default bucket is not in prefix mode.
 */
export function keyPrefixFallback(config: ReaderConfig | undefined, values: NamingValues): string {
  const bucket = config?.buckets.find((b) => b.isDefault);
  if (!config || !bucket || stringOption(config, bucket, 'mode') !== 'prefix') return '';
  const explicit = nameOverrides(config, bucket).get(values.env);
  if (explicit !== undefined) return explicit.endsWith('/') ? explicit : `${explicit}/`;
  if (config.roots.includes(values.env)) return '';
  return render(config, bucket, stringOption(config, bucket, 'key_prefix') ?? DEFAULT_KEY_PREFIX, values);
}

/**
 * CACHE_KEY_PREFIX: redis/valkey isolate by prefix (names[env], else prefix) unless isolation = "db";
 * other cache providers isolate otherwise (""). undefined: no [cache].
 */
export function cachePrefixFallback(config: ReaderConfig | undefined, values: NamingValues): string | undefined {
  const cache = config?.cache;
  if (!config || !cache) return undefined;
  if (!CACHE_PREFIX_PROVIDERS.includes(cache.provider ?? '')) return '';
  if (stringOption(config, cache, 'isolation') === 'db') return '';
  return nameFor(config, cache, values, 'prefix', DEFAULT_CACHE_PREFIX);
}

/** QUEUE_PREFIX: bullmq's names[env], else prefix; "" for other queue providers; undefined: no [queue]. */
export function queuePrefixFallback(config: ReaderConfig | undefined, values: NamingValues): string | undefined {
  const queue = config?.queue;
  if (!config || !queue) return undefined;
  if (!QUEUE_PREFIX_PROVIDERS.includes(queue.provider ?? '')) return '';
  return nameFor(config, queue, values, 'prefix', DEFAULT_QUEUE_PREFIX);
}
