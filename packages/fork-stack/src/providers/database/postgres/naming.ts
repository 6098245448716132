/**
 * Database names per environment. PostgreSQL identifiers are at most NAMEDATALEN - 1 = 63 bytes, and a
 * longer name is not rejected by the server but silently truncated (with only a NOTICE), which would
 * make two environments share a database: so the limit is checked here, in bytes, before any call.
 *
 * By default "-" in {project} and {env} becomes "_" (pr-12 → myapp_pr_12): names then need no quoting
 * in psql or SQL. Environment names never contain "_", so the mapping is reversible for `list`. With
 * hyphens = "keep" the names keep their hyphens; fork-stack quotes every identifier either way.
 */
import { createHash } from 'node:crypto';
import { isValidEnvName, renderPattern } from '../../../core/names.js';
import type { ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';

type Ctx = Pick<ProviderContext<PostgresOptions>, 'project' | 'options'>;

export const MAX_IDENTIFIER_BYTES = 63;

function part(ctx: Ctx, value: string): string {
  return ctx.options.hyphens === 'keep' ? value : value.replace(/-/g, '_');
}

export function databaseName(ctx: Ctx, env: string): string {
  const pattern = ctx.options.names[env] ?? ctx.options.name;
  return renderPattern(pattern, { project: part(ctx, ctx.project), env: part(ctx, env) });
}

export function databaseNameProblem(ctx: Ctx, env: string): string | undefined {
  let name: string;
  try {
    name = databaseName(ctx, env);
  } catch (error) {
    return (error as Error).message;
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `database name "${name}" is ${bytes} bytes; PostgreSQL allows at most ${MAX_IDENTIFIER_BYTES} (a longer name would be silently truncated)`;
  }
  if (name.includes('\0')) return `database name ${JSON.stringify(name)} contains a NUL character`;
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The environment a database belongs to, or undefined when its name follows neither an override nor the pattern. */
export function envOfDatabase(ctx: Ctx, name: string): string | undefined {
  for (const env of Object.keys(ctx.options.names)) {
    if (databaseName(ctx, env) === name) return env;
  }
  const pattern = ctx.options.name;
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(/\{([a-z_]+)\}/g)) {
    source += escapeRegExp(pattern.slice(last, m.index));
    source += m[1] === 'env' ? (ctx.options.hyphens === 'keep' ? '([a-z][a-z0-9-]*)' : '([a-z][a-z0-9_]*)') : escapeRegExp(part(ctx, ctx.project));
    last = (m.index ?? 0) + m[0].length;
  }
  source += escapeRegExp(pattern.slice(last));
  const raw = new RegExp(`^${source}$`).exec(name)?.[1];
  if (raw === undefined) return undefined;
  const env = raw.replace(/_/g, '-');
  if (!isValidEnvName(env)) return undefined;
  // A name claimed by an override belongs to that env only; {env} may appear twice, so re-render to be sure.
  if (Object.prototype.hasOwnProperty.call(ctx.options.names, env)) return undefined;
  return databaseName(ctx, env) === name ? env : undefined;
}

/**
 * Where a fork is built before it gets its final name: created, marked as ours, then renamed, so that a
 * crash at any point leaves either nothing under the final name or a complete, marked database. Derived
 * from the final name and from the project and environment it is built for, so a re-run finds (and
 * drops) the leftover of its own crashed run, and never that of another project whose names map to the
 * same database name (project "hbc" env "d-e" and project "hbc-d" env "e" both give hbc_d_e).
 */
export function stagingName(name: string, project: string, env: string): string {
  const key = JSON.stringify([name, project, env]);
  return `fork_stack_tmp_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Advisory-lock key pair serialising fork-stack's operations on one database name, across machines. */
export function lockKeys(name: string): [number, number] {
  return [0x66736b31, createHash('sha256').update(name).digest().readInt32BE(0)];
}
