/**
 * The schema of an environment's database for `fork-stack diff`: tables with their columns and types,
 * and indexes, from information_schema and pg_indexes (system schemas left out). Tables outside the
 * `public` schema are named `schema.table`.
 */
import type pg from 'pg';
import type { Description, ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';
import { connect, explainPgError } from './connection.js';
import { databaseName } from './naming.js';
import { adminUrl } from './urls.js';

type Ctx = ProviderContext<PostgresOptions>;

const SYSTEM = "('pg_catalog', 'information_schema', 'pg_toast')";

const tableName = (schema: string, table: string) => (schema === 'public' ? table : `${schema}.${table}`);

export async function describeDatabase(ctx: Ctx, env: string): Promise<Description> {
  const url = adminUrl(ctx);
  const database = databaseName(ctx, env);
  let client;
  try {
    client = await connect(ctx, url, database);
    return await readSchema(client);
  } catch (error) {
    throw explainPgError(ctx, url, error, `reading the schema of database "${database}"`);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** Tables (columns and types) and indexes of the database `client` is connected to. */
export async function readSchema(client: pg.Client): Promise<Description> {
  const columns = await client.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema NOT IN ${SYSTEM} AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
  );
  const indexes = await client.query<{ schemaname: string; tablename: string; indexname: string }>(
    `SELECT schemaname, tablename, indexname FROM pg_indexes WHERE schemaname NOT IN ${SYSTEM} ORDER BY indexname`,
  );
  const tables: NonNullable<Description['schema']>['tables'] = {};
  for (const row of columns.rows) {
    const table = (tables[tableName(row.table_schema, row.table_name)] ??= { columns: {}, indexes: [] });
    table.columns[row.column_name] = row.data_type;
  }
  for (const row of indexes.rows) tables[tableName(row.schemaname, row.tablename)]?.indexes.push(row.indexname);
  return { schema: { tables } };
}
