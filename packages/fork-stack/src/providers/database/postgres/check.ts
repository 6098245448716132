/** `fork-stack doctor` for PostgreSQL: admin URL, reachability, version, privileges, fork strategy. */
import type pg from 'pg';
import { ForkStackError } from '../../../core/errors.js';
import type { Check, ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';
import { withAdmin, type AdminSession } from './connection.js';
import { terminateConsent } from './fork.js';
import { adminUrl } from './urls.js';

type Ctx = ProviderContext<PostgresOptions>;

/** Oldest major version fork-stack supports (pg_stat_activity.backend_type appeared in 10). */
export const MIN_MAJOR = 10;

async function roleExists(client: pg.Client, role: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return rows.length > 0;
}

async function serverChecks(ctx: Ctx, session: AdminSession): Promise<Check[]> {
  const { server, client } = session;
  const { role, owner, strategy, password_env: passwordEnv } = ctx.options;
  const checks: Check[] = [];
  checks.push(
    server.major >= MIN_MAJOR
      ? { name: 'server', status: 'ok', message: `PostgreSQL ${server.version} at ${session.where}, logged in as "${server.user}"` }
      : { name: 'server', status: 'fail', message: `PostgreSQL ${server.version} at ${session.where} is older than ${MIN_MAJOR}`, fix: `Upgrade the server to PostgreSQL ${MIN_MAJOR} or later.` },
  );
  checks.push(
    server.superuser || server.createdb
      ? { name: 'create databases', status: 'ok', message: `role "${server.user}" may create databases${server.superuser ? ' (superuser)' : ' (CREATEDB)'}` }
      : {
          name: 'create databases',
          status: 'fail',
          message: `role "${server.user}" may not create databases`,
          fix: `As a superuser: ALTER ROLE "${server.user}" CREATEDB; or use another role in ${ctx.options.url_env}.`,
        },
  );
  if (server.major >= 15) {
    checks.push({ name: 'fork strategy', status: 'ok', message: `STRATEGY FILE_COPY supported${strategy === 'auto' || strategy === 'file_copy' ? ' and used' : ` (strategy = "${strategy}" configured)`}` });
  } else if (strategy === 'auto') {
    checks.push({ name: 'fork strategy', status: 'ok', message: `PostgreSQL ${server.major} copies a template file by file (STRATEGY FILE_COPY/WAL_LOG need 15+)` });
  } else {
    checks.push({ name: 'fork strategy', status: 'fail', message: `strategy = "${strategy}" needs PostgreSQL 15+, the server is ${server.major}`, fix: `Set strategy = "auto" in [${ctx.slot}].` });
  }
  checks.push(
    server.major >= 13
      ? { name: 'drop', status: 'ok', message: 'DROP DATABASE … WITH (FORCE) supported' }
      : { name: 'drop', status: 'warn', message: `PostgreSQL ${server.major} has no DROP … WITH (FORCE): fork-stack ends sessions itself, then drops` },
  );
  if (terminateConsent(ctx)) {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS ok");
    checks.push(
      server.superuser || rows[0]?.ok
        ? { name: 'terminate connections', status: 'ok', message: 'enabled, and the admin role may end other sessions' }
        : { name: 'terminate connections', status: 'warn', message: `enabled, but role "${server.user}" may only end its own sessions`, fix: `GRANT pg_signal_backend TO "${server.user}";` },
    );
  }
  if (role) {
    const exists = await roleExists(client, role);
    const password = passwordEnv ? ctx.env[passwordEnv] : undefined;
    checks.push(
      !exists
        ? { name: 'DATABASE_URL role', status: 'fail', message: `role "${role}" does not exist on the server`, fix: `CREATE ROLE "${role}" LOGIN PASSWORD '…'; or fix role in [${ctx.slot}].` }
        : passwordEnv && !password
          ? { name: 'DATABASE_URL role', status: 'fail', message: `${passwordEnv} (password of role "${role}") is not set`, fix: `export ${passwordEnv}=…` }
          : { name: 'DATABASE_URL role', status: 'ok', message: `environments connect as "${role}"` },
    );
  }
  if (owner !== 'parent' && owner !== 'admin') {
    const { rows } = await client.query<{ member: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(current_user, $1, 'MEMBER') AS member",
      [owner],
    );
    checks.push(
      server.superuser || rows[0]?.member
        ? { name: 'owner', status: 'ok', message: `forks are owned by "${owner}"` }
        : { name: 'owner', status: 'fail', message: `role "${server.user}" cannot create databases owned by "${owner}"`, fix: `GRANT "${owner}" TO "${server.user}"; (or create the role first)` },
    );
  }
  return checks;
}

export async function checkServer(ctx: Ctx): Promise<Check[]> {
  try {
    adminUrl(ctx);
  } catch (error) {
    const e = error as ForkStackError;
    return [{ name: 'admin URL', status: 'fail', message: e.message, fix: e.hint }];
  }
  const checks: Check[] = [{ name: 'admin URL', status: 'ok', message: `${ctx.options.url_env} is set` }];
  try {
    checks.push(...(await withAdmin(ctx, { what: 'connecting', attempts: 2 }, (session) => serverChecks(ctx, session))));
  } catch (error) {
    const e = error as ForkStackError;
    // doctor prints the slot above its checks: drop the "database (postgres): connecting:" prefix.
    const message = e.message.replace(`${ctx.slot} (postgres): connecting: `, '');
    checks.push({ name: 'server', status: 'fail', message, fix: e.hint });
  }
  return checks;
}
