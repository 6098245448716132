/**
 * `data = "schema-only" | "masked"` for SQLite (docs/data-modes.md). Applied to the fork's private copy
 * before it is published under the environment's name, so a killed run leaves only a partial file that
 * find() does not report and rollback removes (docs/architecture.md, "Create, rollback and recovery").
 * Ends with VACUUM: deleted and overwritten rows would otherwise stay readable in free pages.
 */
import type { Client, InStatement } from '@libsql/client';
import { OperationError } from '../../core/errors.js';
import type { DataSpec, MaskRule, ProviderContext } from '../types.js';
import { BATCH_ROWS, masker, rulesByTable } from './mask/strategies.js';

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

interface TableRow {
  name: string;
  sql: string;
}

async function userTables(client: Client): Promise<TableRow[]> {
  const rows = await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  const tables = rows.rows.map((r) => ({ name: r.name as string, sql: (r.sql as string | null) ?? '' }));
  // A virtual table (FTS) is emptied through itself; its shadow tables (<name>_data, …) must not be touched.
  const virtual = tables.filter((t) => /^CREATE\s+VIRTUAL\s+TABLE/i.test(t.sql)).map((t) => t.name);
  return tables.filter((t) => !virtual.some((v) => t.name.startsWith(`${v}_`)));
}

/** Every row of every table removed in one transaction; AUTOINCREMENT counters reset. */
async function emptyTables(client: Client, signal: AbortSignal): Promise<void> {
  const tables = await userTables(client);
  await client.execute('PRAGMA foreign_keys = OFF');
  const tx = await client.transaction('write');
  try {
    // Triggers may insert rows (audit tables) while others are deleted: repeat until nothing is left.
    for (let pass = 0; pass < 10; pass++) {
      signal.throwIfAborted();
      let changed = 0;
      for (const t of tables) changed += (await tx.execute(`DELETE FROM ${q(t.name)}`)).rowsAffected;
      if (changed === 0) break;
    }
    const seq = await tx.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
    if (seq.rows.length > 0) await tx.execute('DELETE FROM sqlite_sequence');
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** The key keyset pagination walks: rowid, or the single-column primary key of a WITHOUT ROWID table. */
async function pageKey(client: Client, table: string): Promise<string> {
  try {
    await client.execute(`SELECT rowid FROM ${q(table)} LIMIT 0`);
    const alias = await client.execute({ sql: "SELECT name FROM pragma_table_info(?) WHERE pk = 1 AND upper(type) = 'INTEGER'", args: [table] });
    const pkCount = await client.execute({ sql: 'SELECT count(*) AS n FROM pragma_table_info(?) WHERE pk > 0', args: [table] });
    // An INTEGER PRIMARY KEY is the rowid itself: name it so a rule on it is refused below.
    return Number(pkCount.rows[0]?.n) === 1 && alias.rows[0] ? (alias.rows[0].name as string) : 'rowid';
  } catch {
    const pk = await client.execute({ sql: 'SELECT name FROM pragma_table_info(?) WHERE pk > 0', args: [table] });
    if (pk.rows.length !== 1) throw new OperationError(`cannot mask table "${table}": it is WITHOUT ROWID with a primary key of ${pk.rows.length} columns; masking pages through a single-column key`);
    return pk.rows[0]?.name as string;
  }
}

async function maskTable(ctx: ProviderContext<unknown>, client: Client, table: string, rules: MaskRule[], mask: ReturnType<typeof masker>): Promise<number> {
  const key = await pageKey(client, table);
  const onKey = rules.find((r) => r.column === key);
  if (onKey) throw new OperationError(`cannot mask "${table}.${onKey.column}": it is the table's primary key, which masking pages through`, { hint: 'Mask the columns that reference it instead, or remove the rule.' });
  const select = `SELECT ${q(key)} AS k, ${rules.map((r) => q(r.column)).join(', ')} FROM ${q(table)} WHERE ${q(key)} > ? ORDER BY ${q(key)} LIMIT ${BATCH_ROWS}`;
  const first = `SELECT ${q(key)} AS k, ${rules.map((r) => q(r.column)).join(', ')} FROM ${q(table)} ORDER BY ${q(key)} LIMIT ${BATCH_ROWS}`;
  const update = `UPDATE ${q(table)} SET ${rules.map((r) => `${q(r.column)} = ?`).join(', ')} WHERE ${q(key)} = ?`;
  let rows = 0;
  const tx = await client.transaction('write');
  try {
    let last: unknown;
    for (;;) {
      // Checked per batch: an interrupt stops here, and the unpublished copy is removed by fork.
      ctx.signal.throwIfAborted();
      const batch = await tx.execute(last === undefined ? first : { sql: select, args: [last as never] });
      if (batch.rows.length === 0) break;
      const statements: InStatement[] = batch.rows.map((row) => ({
        sql: update,
        args: [...rules.map((r) => mask(r.strategy, row[r.column])), row.k as never],
      }));
      await tx.batch(statements);
      rows += batch.rows.length;
      ctx.progress({ message: `masking ${table}`, done: rows });
      last = batch.rows[batch.rows.length - 1]?.k;
      if (batch.rows.length < BATCH_ROWS) break;
    }
    await tx.commit();
  } finally {
    tx.close();
  }
  return rows;
}

/** Applies `spec` to the database `client` has open (the fork's unpublished copy). */
export async function applyDataMode(ctx: ProviderContext<unknown>, client: Client, spec: DataSpec): Promise<void> {
  if (spec.mode === 'full') return;
  if (spec.mode === 'schema-only') {
    ctx.progress({ message: 'removing rows (schema-only)' });
    await emptyTables(client, ctx.signal);
  } else {
    const mask = masker(spec.key);
    for (const [table, rules] of rulesByTable(spec.rules)) {
      await maskTable(ctx, client, table, rules, mask);
    }
  }
  ctx.signal.throwIfAborted();
  await client.execute('VACUUM');
}
