/** Read-only questions to the server's catalogs, and the two session-level actions (lock, terminate). */
import type pg from 'pg';
import { sleep } from '../../../core/retry.js';

export interface DatabaseRow {
  oid: number;
  name: string;
  owner: string;
  comment: string | null;
  /** Left behind by an interrupted DROP DATABASE (PostgreSQL 15.4+ marks it with datconnlimit = -2). */
  invalid: boolean;
  isTemplate: boolean;
  /** Bytes, when asked for and readable by the admin role. */
  size?: number;
}

const COLUMNS = `d.oid::int8 AS oid, d.datname AS name, pg_get_userbyid(d.datdba) AS owner,
  shobj_description(d.oid, 'pg_database') AS comment, d.datconnlimit = -2 AS invalid, d.datistemplate AS "isTemplate"`;

interface RawRow extends Omit<DatabaseRow, 'oid' | 'size'> {
  oid: string;
  size?: string | null;
}

function toRow(raw: RawRow): DatabaseRow {
  const { size, ...rest } = raw;
  return { ...rest, oid: Number(raw.oid), ...(size == null ? {} : { size: Number(size) }) };
}

export async function lookupDatabase(client: pg.Client, name: string, withSize = false): Promise<DatabaseRow | undefined> {
  const size = withSize
    ? `, CASE WHEN d.datconnlimit <> -2 AND d.datallowconn AND has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END AS size`
    : '';
  const { rows } = await client.query<RawRow>(`SELECT ${COLUMNS}${size} FROM pg_database d WHERE d.datname = $1`, [name]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function listDatabases(client: pg.Client): Promise<DatabaseRow[]> {
  const { rows } = await client.query<RawRow>(`SELECT ${COLUMNS} FROM pg_database d WHERE NOT d.datistemplate ORDER BY d.datname`);
  return rows.map(toRow);
}

export interface Session {
  pid: number;
  user: string | null;
  application: string | null;
  client: string | null;
  state: string | null;
  backendType: string | null;
  connectedAt: Date | null;
  stateSince: Date | null;
}

/**
 * Sessions other than ours connected to `database`. Autovacuum workers are left out: CREATE DATABASE and
 * DROP DATABASE cancel those themselves.
 */
export async function sessionsOn(client: pg.Client, database: string): Promise<Session[]> {
  const { rows } = await client.query<Session>(
    `SELECT pid, usename AS user, application_name AS application,
            CASE WHEN client_addr IS NULL THEN NULL ELSE host(client_addr) || ':' || client_port END AS client,
            state, backend_type AS "backendType", backend_start AS "connectedAt", state_change AS "stateSince"
       FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type IS DISTINCT FROM 'autovacuum worker'
      ORDER BY backend_start`,
    [database],
  );
  return rows;
}

function ago(since: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** One line per session: `pid 4242: application "psql", client 10.0.0.7:51234, user app, idle since 09:14:03Z (5m ago)`. */
export function describeSession(session: Session, now: Date): string {
  // Another role's session shows NULL address and state unless the admin role has pg_read_all_stats.
  const hidden = session.state === null && session.client === null;
  let client = session.client ?? 'local socket';
  if (hidden) client = 'hidden (the admin role needs pg_read_all_stats to see it)';
  else if (!session.client && session.backendType && session.backendType !== 'client backend') client = session.backendType;
  const parts = [
    `application ${session.application ? JSON.stringify(session.application) : '(none)'}`,
    `client ${client}`,
    `user ${session.user ?? '(hidden)'}`,
  ];
  const since = session.stateSince ?? session.connectedAt;
  const state = session.state ?? 'connected';
  parts.push(since ? `${state} since ${since.toISOString().replace(/\.\d+Z$/, 'Z')} (${ago(since, now)})` : state);
  return `pid ${session.pid}: ${parts.join(', ')}`;
}

/**
 * End the given sessions and wait (up to `waitMs`) until the server has removed them. Returns the pids
 * the admin role was not allowed to end.
 */
export async function terminateSessions(client: pg.Client, pids: readonly number[], waitMs = 5_000): Promise<number[]> {
  if (pids.length === 0) return [];
  const refused: number[] = [];
  for (const pid of pids) {
    try {
      // false means the session is gone already, which is what we want.
      await client.query('SELECT pg_terminate_backend($1)', [pid]);
    } catch (error) {
      // 42501: another role's session, and the admin role lacks pg_signal_backend (or it is a superuser's).
      if ((error as { code?: string }).code !== '42501') throw error;
      refused.push(pid);
    }
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { rows: alive } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
    if ((alive[0]?.n ?? 0) <= refused.length || Date.now() > deadline) return refused;
    await sleep(50);
  }
}

/**
 * Take fork-stack's advisory lock on a database name (session level: released by `release` or when the
 * session ends, even if fork-stack is killed). Polls so that an abort can stop the wait.
 */
export async function lockName(
  client: pg.Client,
  keys: [number, number],
  options: { signal: AbortSignal; onWait?: () => void },
): Promise<{ release(): Promise<void> }> {
  let waited = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', keys);
    if (rows[0]?.ok) break;
    if (!waited) options.onWait?.();
    waited = true;
    await sleep(250, options.signal);
  }
  return {
    release: async () => {
      await client.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', keys).catch(() => undefined);
    },
  };
}
