/**
 * The one interface every provider implements, whatever its kind (docs/architecture.md, "The pieces"). A provider is a plain
 * module exporting `provider` (checked with `satisfies Provider<Options>`) next to a `<name>.schema.ts`
 * holding its zod options schema, so that validating a config never loads a provider's SDK.
 *
 * Expected outcomes are return values, not exceptions: `find` returns undefined for "not there",
 * `remove` of something already gone succeeds, `fork` of an environment that already exists as ours
 * returns it. Unexpected ones throw (ForkStackError with a message naming the resource and the fix).
 */
import type { z } from 'zod';

export type Kind = 'database' | 'storage' | 'secrets' | 'cache' | 'queue';
export const KINDS: readonly Kind[] = ['database', 'storage', 'secrets', 'cache', 'queue'];

export interface ProgressUpdate {
  /** Short phrase: "copying objects", "waiting for branch operation". */
  message?: string;
  done?: number;
  total?: number;
  bytes?: number;
  unit?: string;
}

export interface ProviderContext<Options = unknown> {
  /** Project name from config. */
  readonly project: string;
  /** Config slot this provider serves: "database", "storage.uploads", "secrets", "cache", "queue". */
  readonly slot: string;
  readonly kind: Kind;
  /** For storage: the bucket's config name ("uploads") and whether it is the default bucket (BUCKET_NAME). */
  readonly bucket?: { readonly name: string; readonly isDefault: boolean };
  /** This slot's options, validated by the provider's schema (defaults applied). */
  readonly options: Options;
  /** Project root (directory of fork-stack.toml); relative paths in options resolve against it. */
  readonly root: string;
  /** `<root>/.fork-stack`, for local providers' data and caches. */
  readonly stateDir: string;
  /** The process environment: the only place credentials come from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Environments with no parent (adopted or created empty by init), e.g. ["dev"] or ["prod"]. */
  readonly roots: readonly string[];
  readonly protectedEnvs: readonly string[];
  readonly signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  warn(message: string): void;
  /** The clock, replaceable in tests (expiry, garbage collection). */
  now(): Date;
}

export type ResourceState = 'ready' | 'creating' | 'partial' | 'failed' | 'unknown';

export interface Resource {
  /** Environment the resource belongs to. */
  env: string;
  /** Name on the provider's side: database, bucket, config, key prefix, file path. */
  name: string;
  id?: string;
  /** Parent environment, when the provider records it (Neon parent branch, Turso seed, …). */
  parent?: string;
  /** ISO 8601. */
  createdAt?: string;
  state: ResourceState;
  /**
   * True only when the resource carries fork-stack's marker for this project and this environment (tag,
   * annotation, comment, registry record): proven, never inferred from a name or from emptiness. The engine
   * deletes, resets, resumes and reuses nothing that is not `owned: true` (docs/architecture.md, "Ownership").
   * False (or absent) for adopted roots and for anything someone else made under the environment's name.
   */
  owned?: boolean;
  /**
   * When `owned` is not true but the resource carries a fork-stack marker for another project or
   * environment: whose it is, so that the refusal can say so.
   */
  markedFor?: { project: string; env: string };
  /** Small facts for `status`: size, object count, region, host. Never secrets. */
  details?: Record<string, string | number | boolean>;
  /**
   * Set by fork when the resource appeared between the engine's lookup and the provider's create (an
   * "already exists" answer): it may be another run's, so a rollback leaves it alone.
   */
  adopted?: boolean;
  /**
   * The `runId` recorded on the resource by the create that made it (providers with
   * `capabilities.recordsRun`), also when fork found it already there: the engine tells its own retried
   * create from a teammate's create of the same environment by it.
   */
  createdByRun?: string;
  /**
   * ISO 8601: when the environment expires (`--ttl`), as recorded on the resource by providers with a
   * marker. The checkout's journal has it too, but only there: this lets `gc --expired` on any machine
   * (a nightly CI job) see the expiry of an environment another machine created.
   */
  expiresAt?: string;
}

/**
 * Choices the user makes for one run on the command line (`create --terminate-connections`), as opposed
 * to the slot's options in fork-stack.toml. They travel in the request, never through the environment.
 */
export interface RunOptions {
  /**
   * Consent to end other sessions on the parent when the provider cannot fork while they are connected
   * (PostgreSQL's CREATE DATABASE … TEMPLATE). A provider that never needs it ignores it.
   */
  terminateConnections?: boolean;
  /** `create --data`: overrides the slot's `data` for this run (database slots only). */
  data?: DataMode;
}

/** What data a new database gets (docs/data-modes.md). */
export type DataMode = 'full' | 'schema-only' | 'masked';
export const DATA_MODES: readonly DataMode[] = ['full', 'schema-only', 'masked'];

export type MaskStrategy =
  | { kind: 'email' | 'name' | 'phone' | 'null' | 'hash' | 'redact' }
  | { kind: 'fixed'; value: string };

/** One `[database.mask]` rule: `"users.email" = "email"` (table as `describe` names it: `schema.table` outside public). */
export interface MaskRule {
  table: string;
  column: string;
  strategy: MaskStrategy;
}

/**
 * The data a fork gets, resolved by the engine from the config and `--data`, validated against the parent
 * before anything is created. Only sent to providers whose `capabilities.dataModes` include `mode`.
 */
export interface DataSpec {
  mode: DataMode;
  /** For `masked`: the rules, grouped by the provider per table. */
  rules: readonly MaskRule[];
  /** For `masked`: the project's masking key (keyed hashes), a secret. */
  key: string;
}

export interface ForkRequest {
  env: string;
  parent: string;
  /** Point in time of the parent to fork from (`--at`); only passed when `capabilities.pointInTime`. */
  at?: Date;
  /** Expiry the provider may record natively (Neon `expires_at`), when the user asked for a TTL. */
  expiresAt?: Date;
  /** Secrets copy policy: which of the parent's keys the child gets. Only for the secrets kind. */
  keep?: (key: string) => boolean;
  /** Identifies this create run; providers with `capabilities.recordsRun` record it on what they create. */
  runId?: string;
  /** This run's choices from the command line (absent: none given). */
  options?: RunOptions;
  /**
   * What data the fork gets; absent means `full`. A provider applies it before its resource is reported
   * ready or findable (a killed run never leaves an unmasked fork reachable).
   */
  data?: DataSpec;
}

export interface RemoveRequest {
  env: string;
  /**
   * "rollback" when create is undoing what it just made: nothing of value is lost, so providers with
   * soft deletes (AWS Secrets Manager's recovery window) remove for good.
   */
  reason?: 'delete' | 'rollback';
}

/**
 * One file of a bucket's seed (`seed_dir`): the engine has walked the directory and checked every path, so
 * a provider only writes bytes (docs/architecture.md, "Seeds").
 */
export interface SeedObject {
  /** The object key: the path relative to seed_dir, with "/" separators. */
  key: string;
  /** Absolute path of the file to read. */
  file: string;
  size: number;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** What was checked: "credentials", "reachability", "parent dev exists". */
  name: string;
  status: CheckStatus;
  message: string;
  /** How to fix a warn/fail. */
  fix?: string;
}

/** A summary of an environment's resource for `fork-stack diff` (never values, never secrets). */
export interface Description {
  /** Database schema: table → column → declared type, and index names (with their table). */
  schema?: { tables: Record<string, { columns: Record<string, string>; indexes: string[] }> };
  /** Object storage: how many objects and bytes. */
  objects?: { count: number; bytes: number };
  /** Cache/queue: how many keys belong to the environment. */
  keys?: { count: number };
}

export interface Capabilities {
  /** `fork` honours `at` (point-in-time fork of the parent). */
  pointInTime?: boolean;
  /** `createEmpty` exists: the provider can make a root environment from nothing (local stack). */
  createEmpty?: boolean;
  /** `reset` exists: a native "reset to parent" that keeps the resource's identity. */
  reset?: boolean;
  /**
   * `fork` records `ForkRequest.runId` on the resource it creates and reports it back as
   * `Resource.createdByRun`, atomically with the creation (a Neon branch's annotation). The first such slot
   * decides which of two checkouts creating the same environment at once made it.
   */
  recordsRun?: boolean;
  /** Data modes `fork` honours (`ForkRequest.data`); absent means only `full`. */
  dataModes?: readonly DataMode[];
}

export interface Provider<Options = unknown> {
  readonly kind: Kind;
  readonly name: string;
  readonly capabilities?: Capabilities;
  /**
   * Variable names this provider produces that are safe to print without --reveal (bucket names,
   * regions, key prefixes). Everything else is masked; URL passwords are masked in any case.
   */
  readonly publicVariables?: readonly string[];

  /** The provider-side name for `env` (naming convention with per-env overrides). Pure. */
  resourceName(ctx: ProviderContext<Options>, env: string): string;
  /** A problem with `env`'s resource name for this provider's limits, or undefined. Pure, no I/O. */
  checkName(ctx: ProviderContext<Options>, env: string): string | undefined;

  find(ctx: ProviderContext<Options>, env: string): Promise<Resource | undefined>;
  fork(ctx: ProviderContext<Options>, request: ForkRequest): Promise<Resource>;
  remove(ctx: ProviderContext<Options>, request: RemoveRequest): Promise<void>;
  /** Every environment's resource that exists, paginated to the end. */
  list(ctx: ProviderContext<Options>): Promise<Resource[]>;
  /** The variables an app needs to use `env`'s resource (docs/architecture.md, "Variables contract"). */
  variables(ctx: ProviderContext<Options>, env: string): Promise<Record<string, string>>;
  check(ctx: ProviderContext<Options>): Promise<Check[]>;

  /** Create `env` empty, as a root (local stack `init`). */
  createEmpty?(ctx: ProviderContext<Options>, env: string): Promise<Resource>;
  /** Native reset of `env` to the current state of `parent`, keeping its identity. */
  reset?(ctx: ProviderContext<Options>, request: ForkRequest): Promise<Resource>;
  /**
   * The variables that identify `env`'s resource (URLs, names) without credentials, for the prod-safety
   * check. Providers whose `variables` mint tokens or passwords implement it so that checking against
   * prod never creates credentials on prod; the others are asked for `variables`.
   */
  identity?(ctx: ProviderContext<Options>, env: string): Promise<Record<string, string>>;
  /**
   * Storage: write `objects` into `env`'s bucket (or key prefix), replacing objects of the same key. The
   * engine calls it only on a bucket that starts empty (a root `createEmpty` just made), so every
   * provider of the kind seeds the same way.
   */
  seed?(ctx: ProviderContext<Options>, env: string, objects: readonly SeedObject[]): Promise<void>;
  /** A summary for `fork-stack diff` (schema, object count, key count). */
  describe?(ctx: ProviderContext<Options>, env: string): Promise<Description>;
}

/** Secrets providers also read and write individual values (`fork-stack secrets …`). */
export interface SecretsProvider<Options = unknown> extends Provider<Options> {
  readonly kind: 'secrets';
  read(ctx: ProviderContext<Options>, env: string): Promise<Record<string, string>>;
  write(ctx: ProviderContext<Options>, env: string, changes: { set?: Record<string, string>; unset?: string[] }): Promise<void>;
}

export function isSecretsProvider(provider: Provider<unknown>): provider is SecretsProvider<unknown> {
  return provider.kind === 'secrets' && typeof (provider as SecretsProvider).read === 'function';
}

/** What a `<name>.schema.ts` module exports. */
export interface ProviderSchemaModule {
  /** zod schema of the slot's options, `provider` key excluded; defaults applied by parsing. */
  schema: z.ZodType;
  /** A TOML snippet (without the table header) that `init` writes and error messages quote. */
  example: string;
  /** Environment variables holding credentials, for `doctor` and docs. */
  credentials?: readonly string[];
}

export interface ProviderModule {
  provider: Provider<unknown>;
}
