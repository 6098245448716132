/**
 * PostgreSQL, any server the user points at (local, Docker, RDS, Cloud SQL…): one database per
 * environment on the server named by the admin URL in DATABASE_ADMIN_URL. A fork is
 * `CREATE DATABASE child TEMPLATE parent` (STRATEGY FILE_COPY on 15+), built under a staging name and
 * renamed once complete and marked (see postgres/fork.ts); a delete is `DROP DATABASE … WITH (FORCE)`.
 * Only databases carrying fork-stack's ownership marker for this project are ever returned as forks
 * or dropped. Connections use node-postgres; identifiers are quoted with its escapeIdentifier.
 */
import { formatBytes } from '../../core/format.js';
import { describeDatabase } from './postgres/describe.js';
import pg from 'pg';
import { OperationError, UsageError } from '../../core/errors.js';
import { registerSecret } from '../../core/scrub.js';
import type { Check, Provider, ProviderContext, Resource } from '../types.js';
import { lockName, listDatabases, lookupDatabase, type DatabaseRow } from './postgres/catalog.js';
import { withAdmin, type AdminSession } from './postgres/connection.js';
import { dropDatabase } from './postgres/drop.js';
import { endedSession, forkDatabase, notOursError } from './postgres/fork.js';
import { formatMarker, isOurs, markedFor, parseMarker } from './postgres/marker.js';
import { databaseName, databaseNameProblem, envOfDatabase, lockKeys, stagingName } from './postgres/naming.js';
import { checkServer } from './postgres/check.js';
import { adminUrl, urlFor } from './postgres/urls.js';
import type { PostgresOptions } from './postgres.schema.js';

type Ctx = ProviderContext<PostgresOptions>;


function toResource(ctx: Ctx, session: AdminSession, env: string, row: DatabaseRow): Resource {
  const marker = parseMarker(row.comment);
  return {
    env,
    name: row.name,
    id: String(row.oid),
    parent: marker?.parent,
    createdAt: marker?.createdAt,
    ...(marker?.run ? { createdByRun: marker.run } : {}),
    ...(marker?.expiresAt ? { expiresAt: marker.expiresAt } : {}),
    state: row.invalid ? 'failed' : 'ready',
    owned: isOurs(row.comment, ctx.project, env),
    ...(markedFor(row.comment, ctx.project, env) ? { markedFor: markedFor(row.comment, ctx.project, env) } : {}),
    details: {
      server: session.where,
      owner: row.owner,
      ...(row.size === undefined ? {} : { size: formatBytes(row.size) }),
      ...(row.invalid ? { invalid: 'interrupted DROP DATABASE; delete the environment again' } : {}),
    },
  };
}

function assertName(ctx: Ctx, env: string): string {
  const problem = databaseNameProblem(ctx, env);
  if (problem) {
    throw new UsageError(`${ctx.slot} (postgres): environment "${env}": ${problem}`, {
      hint: `Choose a shorter environment name, or a shorter name pattern in [${ctx.slot}] (name = "${ctx.options.name}").`,
    });
  }
  return databaseName(ctx, env);
}

/** OWNER of a database made empty by `init`: the app's role when configured, so it owns its schema. */
function emptyOwner(ctx: Ctx, session: AdminSession): string {
  const { owner, role } = ctx.options;
  if (owner === 'admin') return session.server.user;
  if (owner === 'parent') return role ?? session.server.user;
  return owner;
}

/**
 * The server's databases a root could be adopted from, for interactive `init`: not templates, not the
 * maintenance database "postgres", not fork-stack's staging copies. Needs the admin URL (a UsageError
 * naming the variable otherwise, before anything is written).
 */
export async function serverDatabases(ctx: Ctx): Promise<string[]> {
  return withAdmin(ctx, { what: 'listing the databases on the server' }, async (session) =>
    (await listDatabases(session.client)).map((r) => r.name).filter((name) => name !== 'postgres' && !name.startsWith('fork_stack_tmp_')),
  );
}

export const provider = {
  kind: 'database',
  name: 'postgres',
  capabilities: { createEmpty: true, recordsRun: true, dataModes: ['full', 'schema-only', 'masked'] },
  // DATABASE_URL carries a password: never public (the engine masks it).
  publicVariables: [],

  resourceName: (ctx, env) => databaseName(ctx, env),
  checkName: (ctx, env) => databaseNameProblem(ctx, env),

  async find(ctx, env) {
    const name = databaseName(ctx, env);
    return withAdmin(ctx, { what: `looking up "${env}"` }, async (session) => {
      const row = await lookupDatabase(session.client, name, true);
      return row ? toResource(ctx, session, env, row) : undefined;
    });
  },

  async fork(ctx, request) {
    const childName = assertName(ctx, request.env);
    const parentName = assertName(ctx, request.parent);
    const what = `forking "${request.parent}" into "${request.env}"`;
    // Never connected to the parent (it must have no other sessions) nor to what is renamed or dropped.
    const avoid = [childName, parentName, stagingName(childName, ctx.project, request.env)];
    return withAdmin(ctx, { what, avoid }, async (session) => {
      const { row, ended } = await forkDatabase(ctx, session, { env: request.env, parent: request.parent, runId: request.runId, expiresAt: request.expiresAt, run: request.options, childName, parentName, data: request.data });
      const resource = toResource(ctx, session, request.env, row);
      if (ended.length > 0) {
        // In `create --json` too: which sessions --terminate-connections ended (pids, applications, users, clients).
        resource.details = { ...resource.details, terminated_sessions: ended.map(endedSession).join('; ') };
      }
      return resource;
    });
  },

  async createEmpty(ctx, env) {
    const name = assertName(ctx, env);
    return withAdmin(ctx, { what: `creating "${env}"`, avoid: [name] }, async (session) => {
      const { client } = session;
      const lock = await lockName(client, lockKeys(name), { signal: ctx.signal });
      try {
        const existing = await lookupDatabase(client, name);
        if (!existing) {
          const owner = emptyOwner(ctx, session);
          const ownerClause = owner === session.server.user ? '' : ` OWNER = ${pg.escapeIdentifier(owner)}`;
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${ownerClause}`);
          const marker = formatMarker({ project: ctx.project, env, createdAt: ctx.now().toISOString() });
          await client.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(marker)}`);
        }
        const row = await lookupDatabase(client, name, true);
        if (!row) throw new OperationError(`${ctx.slot} (postgres): database "${name}" vanished right after it was created`);
        return toResource(ctx, session, env, row);
      } finally {
        await lock.release();
      }
    });
  },

  async remove(ctx, { env }) {
    const name = databaseName(ctx, env);
    const staging = stagingName(name, ctx.project, env);
    await withAdmin(ctx, { what: `removing "${env}"`, avoid: [name, staging] }, async (session) => {
      const lock = await lockName(session.client, lockKeys(name), {
        signal: ctx.signal,
        onWait: () => ctx.progress({ message: `waiting for another fork-stack run working on ${name}` }),
      });
      try {
        const row = await lookupDatabase(session.client, name);
        if (row && !isOurs(row.comment, ctx.project, env)) throw notOursError(ctx, env, row);
        if (row) await dropDatabase(ctx, session, name);
        await dropDatabase(ctx, session, staging);
      } finally {
        await lock.release();
      }
    });
  },

  async list(ctx) {
    return withAdmin(ctx, { what: 'listing databases' }, async (session) => {
      const rows = await listDatabases(session.client);
      const resources: Resource[] = [];
      for (const row of rows) {
        if (row.name.startsWith('fork_stack_tmp_')) continue;
        const env = envOfDatabase(ctx, row.name);
        if (env === undefined) continue;
        const marker = parseMarker(row.comment);
        // Marked by fork-stack for another project that happens to share the naming pattern.
        if (marker && marker.project !== ctx.project) continue;
        resources.push(toResource(ctx, session, env, row));
      }
      return resources;
    });
  },

  async variables(ctx, env) {
    const url = adminUrl(ctx);
    const name = databaseName(ctx, env);
    const { role, password_env: passwordEnv } = ctx.options;
    if (!role) return { DATABASE_URL: urlFor(url, name) };
    let password: string | undefined;
    if (passwordEnv) {
      password = ctx.env[passwordEnv];
      if (password === undefined || password === '') {
        throw new UsageError(`${ctx.slot} (postgres): ${passwordEnv} is not set; it must hold the password of role "${role}" for DATABASE_URL`, {
          hint: `export ${passwordEnv}=…, or remove password_env from [${ctx.slot}] if the server needs no password for "${role}".`,
        });
      }
      registerSecret(password);
    }
    return { DATABASE_URL: urlFor(url, name, { user: role, password }) };
  },

  check: (ctx): Promise<Check[]> => checkServer(ctx),

  describe: (ctx, env) => describeDatabase(ctx, env),
} satisfies Provider<PostgresOptions>;
