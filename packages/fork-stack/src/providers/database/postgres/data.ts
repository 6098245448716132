/**
 * `data = "schema-only" | "masked"` for PostgreSQL (docs/data-modes.md). Applied to the staging copy
 * before it is marked as ours and renamed to the environment's name (postgres/fork.ts): find() never
 * sees it, and a killed run leaves only a `fork_stack_tmp_` database that the next run or the rollback drops.
 *
 * schema-only: every user table truncated in one statement (RESTART IDENTITY CASCADE), every sequence
 * restarted, materialized views refreshed (empty).
 * masked: per table, one transaction; rows are read in batches by keyset pagination on the primary key
 * and written back with one UPDATE … FROM unnest(…) per batch, so memory does not grow with the table.
 * Materialized views are refreshed afterwards (they would keep copies of unmasked values), and each masked
 * table is vacuumed so the old row versions' space is reclaimed.
 */
import pg from 'pg';
import { OperationError } from '../../../core/errors.js';
import type { DataSpec, MaskRule, ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';
import { BATCH_ROWS, masker, rulesByTable } from '../mask/strategies.js';

type Ctx = ProviderContext<PostgresOptions>;

const SYSTEM = "('pg_catalog', 'information_schema', 'pg_toast')";
/** Objects that belong to an extension (PostGIS's spatial_ref_sys) are the extension's, not the app's data. */
const NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')";

/** "users" → public.users; "audit.events" → audit.events (as `describe` names tables). */
function qualified(table: string): { schema: string; name: string; sql: string } {
  const dot = table.indexOf('.');
  const schema = dot < 0 ? 'public' : table.slice(0, dot);
  const name = dot < 0 ? table : table.slice(dot + 1);
  return { schema, name, sql: `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}` };
}

async function relations(client: pg.Client, kinds: string): Promise<string[]> {
  const rows = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN (${kinds}) AND NOT c.relispartition AND n.nspname NOT IN ${SYSTEM} AND n.nspname NOT LIKE 'pg_temp%' AND ${NOT_EXTENSION}
      ORDER BY c.oid`,
  );
  return rows.rows.map((r) => r.name);
}

async function refreshMaterializedViews(client: pg.Client): Promise<void> {
  for (const view of await relations(client, "'m'")) await client.query(`REFRESH MATERIALIZED VIEW ${view}`);
}

async function emptyDatabase(ctx: Ctx, client: pg.Client): Promise<void> {
  ctx.progress({ message: 'removing rows (schema-only)' });
  const tables = await relations(client, "'r', 'p'");
  await client.query('BEGIN');
  try {
    if (tables.length > 0) await client.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
    for (const seq of await relations(client, "'S'")) await client.query(`ALTER SEQUENCE ${seq} RESTART`);
    await refreshMaterializedViews(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The single-column primary key masking pages through, and the SQL types of the masked columns. */
async function tableShape(client: pg.Client, table: string, rules: MaskRule[]): Promise<{ key: string; keyType: string; types: Map<string, string> }> {
  const t = qualified(table);
  const pk = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [t.sql],
  );
  if (pk.rows.length !== 1) {
    throw new OperationError(`cannot mask table "${table}": it has ${pk.rows.length === 0 ? 'no primary key' : `a primary key of ${pk.rows.length} columns`}; masking pages through a single-column primary key`, {
      hint: `Give "${table}" a single-column primary key, or remove its rules from [database.mask].`,
    });
  }
  const key = pk.rows[0] as { name: string; type: string };
  const onKey = rules.find((r) => r.column === key.name);
  if (onKey) throw new OperationError(`cannot mask "${table}.${onKey.column}": it is the table's primary key, which masking pages through`, { hint: 'Mask the columns that reference it instead, or remove the rule.' });
  const cols = await client.query<{ name: string; type: string }>(
    'SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped',
    [t.sql],
  );
  return { key: key.name, keyType: key.type, types: new Map(cols.rows.map((c) => [c.name, c.type])) };
}

async function maskTable(ctx: Ctx, client: pg.Client, table: string, rules: MaskRule[], mask: ReturnType<typeof masker>): Promise<number> {
  const t = qualified(table);
  const { key, keyType, types } = await tableShape(client, table, rules);
  const k = pg.escapeIdentifier(key);
  const cols = rules.map((r) => pg.escapeIdentifier(r.column));
  const select = `SELECT ${k}::text AS k, ${cols.map((c, i) => `${c}::text AS c${i}`).join(', ')} FROM ${t.sql}`;
  const page = `${select} WHERE ${k} > $1::${keyType} ORDER BY ${k} LIMIT ${BATCH_ROWS}`;
  const first = `${select} ORDER BY ${k} LIMIT ${BATCH_ROWS}`;
  const update =
    `UPDATE ${t.sql} AS t SET ${rules.map((r, i) => `${cols[i]} = v.c${i}::${types.get(r.column) ?? 'text'}`).join(', ')} ` +
    `FROM unnest($1::text[], ${rules.map((_, i) => `$${i + 2}::text[]`).join(', ')}) AS v(k, ${rules.map((_, i) => `c${i}`).join(', ')}) WHERE t.${k} = v.k::${keyType}`;
  let done = 0;
  await client.query('BEGIN');
  try {
    let last: string | undefined;
    for (;;) {
      // Checked per batch: an interrupt stops here, and fork drops the unpublished staging copy.
      ctx.signal.throwIfAborted();
      const batch = await client.query<Record<string, string | null>>(last === undefined ? first : page, last === undefined ? [] : [last]);
      if (batch.rows.length === 0) break;
      const keys = batch.rows.map((row) => row.k as string);
      const columns = rules.map((r, i) => batch.rows.map((row) => mask(r.strategy, row[`c${i}`])));
      await client.query(update, [keys, ...columns]);
      done += batch.rows.length;
      ctx.progress({ message: `masking ${table}`, done });
      last = keys[keys.length - 1];
      if (batch.rows.length < BATCH_ROWS) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await client.query(`VACUUM ${t.sql}`);
  return done;
}

/** Applies `spec` to the database `client` is connected to (the fork's staging copy). */
export async function applyDataMode(ctx: Ctx, client: pg.Client, spec: DataSpec): Promise<void> {
  if (spec.mode === 'full') return;
  if (spec.mode === 'schema-only') {
    await emptyDatabase(ctx, client);
    return;
  }
  const mask = masker(spec.key);
  for (const [table, rules] of rulesByTable(spec.rules)) await maskTable(ctx, client, table, rules, mask);
  ctx.signal.throwIfAborted();
  await refreshMaterializedViews(client);
}
