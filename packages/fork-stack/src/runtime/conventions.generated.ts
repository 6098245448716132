// GENERATED from conformance/v1/conventions.json by `npm run sync-readers -- --write`; edit that file, not this file.
// The shape and meaning of each value: conformance/README.md, section 4.

/** The sqlite file per environment, relative to the project root; DATABASE_URL is its file: URL. */
export const DEFAULT_SQLITE_PATH = '.fork-stack/data/{project}.{env}.db';
/** The Turso database per environment; DATABASE_URL is libsql://<name>[-<organization>].turso.io. */
export const DEFAULT_TURSO_NAME = '{project}-{env}';
/** The environment whose Turso database is adopted rather than created (the original templates' production database). */
export const TURSO_ADOPTED_ENV = 'prod';
/** The adopted environment's Turso database name when names[env] does not set it. */
export const TURSO_ADOPTED_NAME = '{project}';
/** The default bucket's name per environment (for fs, its directory under dir). */
export const DEFAULT_BUCKET_PATTERN = '{project}-bucket-{env}';
/** Any other bucket's name per environment. */
export const NAMED_BUCKET_PATTERN = '{project}-{bucket}-{env}';
/** The directory holding the fs provider's bucket directories, relative to the project root. */
export const DEFAULT_FS_DIR = '.fork-stack/buckets';
/** prefix mode (one shared bucket): where each forked environment's objects live. */
export const DEFAULT_KEY_PREFIX = 'forks/{env}/';
/** Each environment's key prefix on the shared Redis/Valkey database. */
export const DEFAULT_CACHE_PREFIX = '{project}:{env}:';
/** Each environment's BullMQ prefix. */
export const DEFAULT_QUEUE_PREFIX = 'bull:{project}:{env}';
/** The cache providers that isolate environments by key prefix; every other cache provider's CACHE_KEY_PREFIX is "". */
export const CACHE_PREFIX_PROVIDERS: readonly string[] = ['redis', 'valkey'];
/** The queue providers that isolate environments by prefix; every other queue provider's QUEUE_PREFIX is "". */
export const QUEUE_PREFIX_PROVIDERS: readonly string[] = ['bullmq'];
