/**
 * What `CREATE DATABASE … TEMPLATE` does not copy, because it lives in cluster-wide catalogs rather than
 * in the database's files: database-level GRANTs (pg_database.datacl) and per-database settings
 * (`ALTER DATABASE … SET search_path = …`, pg_db_role_setting). Without them a fork can be more open than
 * its parent (REVOKE CONNECT … FROM PUBLIC lost) or behave differently (search_path lost).
 */
import pg from 'pg';

const DATABASE_PRIVILEGES = new Set(['CREATE', 'TEMPORARY', 'CONNECT']);

/** Settings whose value is a list of separately quoted elements (PostgreSQL's GUC_LIST_QUOTE, as in pg_dump). */
const LIST_SETTINGS = new Set([
  'local_preload_libraries',
  'search_path',
  'session_preload_libraries',
  'shared_preload_libraries',
  'temp_tablespaces',
  'unix_socket_directories',
]);

export async function copyGrants(client: pg.Client, parent: string, child: string): Promise<number> {
  const { rows } = await client.query<{ privilege: string; grantable: boolean; grantee: string | null }>(
    `SELECT a.privilege_type AS privilege, a.is_grantable AS grantable,
            CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee
       FROM pg_database d, aclexplode(d.datacl) a
      WHERE d.datname = $1 AND d.datacl IS NOT NULL`,
    [parent],
  );
  // A NULL datacl means the defaults (PUBLIC may CONNECT and use TEMPORARY), which the child has already.
  if (rows.length === 0) return 0;
  const db = pg.escapeIdentifier(child);
  await client.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
  for (const row of rows) {
    if (!DATABASE_PRIVILEGES.has(row.privilege)) continue;
    const grantee = row.grantee === null ? 'PUBLIC' : pg.escapeIdentifier(row.grantee);
    await client.query(`GRANT ${row.privilege} ON DATABASE ${db} TO ${grantee}${row.grantable ? ' WITH GRANT OPTION' : ''}`);
  }
  return rows.length;
}

/** Split a stored list value the way PostgreSQL's SplitGUCList does: commas, optional double quotes. */
export function splitSettingList(value: string): string[] {
  const items: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < value.length && /\s/.test(value[i] as string)) i++;
  };
  skipSpace();
  if (i >= value.length) return items;
  for (;;) {
    let item = '';
    if (value[i] === '"') {
      i++;
      for (; i < value.length; i++) {
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            item += '"';
            i++;
          } else break;
        } else item += value[i];
      }
      i++;
    } else {
      while (i < value.length && value[i] !== ',' && !/\s/.test(value[i] as string)) item += value[i++];
    }
    items.push(item);
    skipSpace();
    if (value[i] !== ',') break;
    i++;
    skipSpace();
  }
  return items;
}

/** `name = value` (or a list of values) as SQL, each value a string literal. */
export function settingAssignment(entry: string): { name: string; sql: string } | undefined {
  const eq = entry.indexOf('=');
  if (eq <= 0) return undefined;
  const name = entry.slice(0, eq);
  const value = entry.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_.$]*$/.test(name)) return undefined;
  const values = LIST_SETTINGS.has(name.toLowerCase()) ? splitSettingList(value) : [value];
  const rendered = values.length === 0 ? "''" : values.map((v) => pg.escapeLiteral(v)).join(', ');
  return { name, sql: `${pg.escapeIdentifier(name)} TO ${rendered}` };
}

/**
 * Copy `ALTER DATABASE parent [ROLE r IN] SET …` to the child. Settings the admin role may not set
 * (superuser-only parameters, per-role settings without CREATEROLE) are reported, not fatal.
 */
export async function copySettings(client: pg.Client, parentOid: number, child: string): Promise<{ copied: number; skipped: string[] }> {
  const { rows } = await client.query<{ role: string | null; config: string[] }>(
    `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config
       FROM pg_db_role_setting s WHERE s.setdatabase = $1::oid`,
    [parentOid],
  );
  const skipped: string[] = [];
  let copied = 0;
  const db = pg.escapeIdentifier(child);
  for (const row of rows) {
    for (const entry of row.config ?? []) {
      const assignment = settingAssignment(entry);
      const label = `${row.role ? `role ${row.role}: ` : ''}${entry}`;
      if (!assignment) {
        skipped.push(`${label} (unrecognised)`);
        continue;
      }
      const target = row.role ? `ROLE ${pg.escapeIdentifier(row.role)} IN DATABASE ${db}` : `DATABASE ${db}`;
      try {
        await client.query(`ALTER ${target} SET ${assignment.sql}`);
        copied++;
      } catch (error) {
        skipped.push(`${label} (${(error as Error).message})`);
      }
    }
  }
  return { copied, skipped };
}
