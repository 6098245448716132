/**
 * The postgres provider against a real PostgreSQL server started by the test (test/helpers/postgres-server):
 * the shared contract, data isolation between parent and fork, open connections on the parent, foreign
 * databases under our names, names with hyphens, GRANTs and settings, privileges and bad input.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught } from '../helpers/caught.js';
import { provider } from '../../src/providers/database/postgres.js';
import { schema, type PostgresOptions } from '../../src/providers/database/postgres.schema.js';
import { stagingName } from '../../src/providers/database/postgres/naming.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { providerContract } from '../helpers/provider-contract.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../src/engine/context.js';
import { createEnvironment } from '../../src/engine/create.js';
import { loadConfig } from '../../src/config/load.js';
import { writeFileSync } from 'node:fs';

const binaries = postgresBinariesOrSkip();

let server: PostgresServer;
beforeAll(async () => {
  if (binaries) server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

let projectCount = 0;
/** A context for a fresh project (its own database names) on the shared server, with a seeded dev. */
async function project(options: Record<string, unknown> = {}, env: Record<string, string> = {}, prefix = 'p') {
  const name = `${prefix}${++projectCount}`;
  const ctx = testContext<PostgresOptions>({
    kind: 'database',
    root: '/nonexistent',
    schema,
    options,
    project: name,
    env: { DATABASE_ADMIN_URL: server.adminUrl, ...env },
  });
  return { ctx, name };
}

async function seedDev(projectName: string, statements = ["INSERT INTO notes (body) VALUES ('from dev 1'), ('from dev 2')"]) {
  await server.createDatabase(`${projectName}_dev`, { statements: ['CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)', ...statements] });
}

async function bodies(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ body: string }>('SELECT body FROM notes ORDER BY id')).rows.map((r) => r.body);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

if (binaries) {
  providerContract('postgres', provider as Provider<unknown>, async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    return {
      ctx,
      parent: 'dev',
      fingerprint: async (env) => JSON.stringify(await bodies((await provider.variables(ctx, env)).DATABASE_URL as string)),
    };
  });
}

/** The marker fork-stack writes, written here by hand (as another project's fork-stack would). */
function markerOf(project: string, env: string): string {
  return `fork-stack:${JSON.stringify({ v: 1, project, env, parent: 'dev', createdAt: '2026-01-01T00:00:00.000Z' })}`;
}

if (binaries) {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  ownershipContract('postgres', provider as Provider<unknown>, async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-pg-own-'));
    dirs.push(root);
    const { ctx: base, name } = await project();
    const ctx = { ...base, root, stateDir: path.join(root, '.fork-stack') };
    await seedDev(name);
    const dbName = (env: string) => `${name}_${env.replace(/-/g, '_')}`;
    const plantDb = async (env: string, statements: string[], comment?: string) => {
      await server.createDatabase(dbName(env), { statements });
      if (comment) await server.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(dbName(env))} IS ${pg.escapeLiteral(comment)}`);
    };
    const rows = ["CREATE TABLE accounts (id int PRIMARY KEY, owner text)", "INSERT INTO accounts VALUES (1, 'not fork-stack')"];
    return {
      ctx: ctx as typeof base,
      parent: 'dev',
      foreign: {
        plant: {
          empty: (env) => plantDb(env, []),
          'non-empty': (env) => plantDb(env, rows),
          // Project "<name>-contract" env "foreign" maps to the same database name as this project's "contract-foreign".
          'other-project': (env) => plantDb(env, rows, markerOf(`${name}-contract`, 'foreign')),
          'other-env': (env) => plantDb(env, rows, markerOf(name, 'someone-else')),
        },
        fingerprint: async (env) => {
          const db = await server.query(
            `SELECT d.oid::text, pg_get_userbyid(d.datdba) AS owner, shobj_description(d.oid, 'pg_database') AS comment, d.datacl::text AS acl FROM pg_database d WHERE d.datname = $1`,
            [dbName(env)],
          );
          if (db.length === 0) return 'absent';
          const tables = await server.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`, [], dbName(env));
          const data = tables.some((t) => t.table_name === 'accounts') ? await server.query('SELECT * FROM accounts ORDER BY id', [], dbName(env)) : [];
          const staging = await server.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'fork_stack_tmp_%'");
          return JSON.stringify({ db, tables, data, staging });
        },
        clear: async (env) => {
          await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName(env))} WITH (FORCE)`);
        },
      },
    };
  });
}

describe.skipIf(!binaries)('postgres: project hbc env d-e and project hbc-d env e share the database name hbc_d_e', () => {
  it("create e --reuse in project hbc-d refuses hbc's d-e database, says whose it is, and leaves it untouched", async () => {
    const hbc = testContext<PostgresOptions>({ kind: 'database', root: '/nonexistent', schema, options: {}, project: 'hbc', env: { DATABASE_ADMIN_URL: server.adminUrl } });
    await server.createDatabase('hbc_dev', { statements: ['CREATE TABLE t (v text)', "INSERT INTO t VALUES ('hbc data')"] });
    const made = await provider.fork(hbc, { env: 'd-e', parent: 'dev' });
    expect(made).toMatchObject({ name: 'hbc_d_e', owned: true });

    const hbcD = testContext<PostgresOptions>({ kind: 'database', root: '/nonexistent', schema, options: {}, project: 'hbc-d', env: { DATABASE_ADMIN_URL: server.adminUrl } });
    await server.createDatabase('hbc_d_dev', { statements: [] });
    expect(await provider.find(hbcD, 'e')).toMatchObject({ name: 'hbc_d_e', owned: false, markedFor: { project: 'hbc', env: 'd-e' } });
    expect((await provider.list(hbcD)).filter((r) => r.owned)).toEqual([]);
    const forked = await caught(provider.fork(hbcD, { env: 'e', parent: 'dev' }));
    expect(forked.message).toMatch(/database "hbc_d_e" for environment "e" .*belongs to another fork-stack project: "hbc", environment "d-e"/);
    const removed = await caught(provider.remove(hbcD, { env: 'e' }));
    expect(removed.message).toMatch(/belongs to another fork-stack project: "hbc"/);

    // Through the engine, as `fork-stack create e --reuse` in hbc-d's checkout.
    const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-hbc-d-'));
    try {
      writeFileSync(path.join(root, 'fork-stack.toml'), 'project = "hbc-d"\ndefault_parent = "dev"\nroots = ["dev"]\n\n[database]\nprovider = "postgres"\n');
      const config = await loadConfig({ cwd: root });
      const engine = createEngine(config, { env: { DATABASE_ADMIN_URL: server.adminUrl } });
      const error = await caught(createEnvironment(engine, { env: 'e', reuse: true, ttlMs: null }));
      expect(error.exitCode).toBe(1);
      expect([error.message, ...(error.details ?? [])].join('\n')).toMatch(/hbc_d_e belongs to another fork-stack project: "hbc", environment "d-e"/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(await server.query('SELECT v FROM t', [], 'hbc_d_e')).toEqual([{ v: 'hbc data' }]);
    expect(await provider.find(hbc, 'd-e')).toMatchObject({ owned: true });
    await provider.remove(hbc, { env: 'd-e' });
  });
});

describe.skipIf(!binaries)('postgres provider on a real server', () => {
  it('copies the parent as it was at the fork; later writes stay on their side', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    const resource = await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    expect(resource).toMatchObject({ env: 'alice', name: `${name}_alice`, parent: 'dev', owned: true, state: 'ready' });
    const devUrl = (await provider.variables(ctx, 'dev')).DATABASE_URL as string;
    const aliceUrl = (await provider.variables(ctx, 'alice')).DATABASE_URL as string;
    expect(await bodies(aliceUrl)).toEqual(['from dev 1', 'from dev 2']);

    const alice = new pg.Client({ connectionString: aliceUrl });
    await alice.connect();
    await alice.query("INSERT INTO notes (body) VALUES ('from alice')");
    await alice.end();
    const dev = new pg.Client({ connectionString: devUrl });
    await dev.connect();
    await dev.query("INSERT INTO notes (body) VALUES ('from dev later')");
    await dev.end();

    expect(await bodies(aliceUrl)).toEqual(['from dev 1', 'from dev 2', 'from alice']);
    expect(await bodies(devUrl)).toEqual(['from dev 1', 'from dev 2', 'from dev later']);
    // The sequence was copied too: alice's next id continues from the parent's at fork time.
    expect((await server.query<{ id: number }>("SELECT id FROM notes WHERE body = 'from alice'", [], `${name}_alice`))[0]?.id).toBe(3);
    await provider.remove(ctx, { env: 'alice' });
  });

  it('describes a database\'s schema for diff: tables, columns, types and indexes (other schemas qualified)', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    const aliceUrl = (await provider.variables(ctx, 'alice')).DATABASE_URL as string;
    const alice = new pg.Client({ connectionString: aliceUrl });
    await alice.connect();
    await alice.query('ALTER TABLE notes ADD COLUMN tags text[]');
    await alice.query('CREATE INDEX notes_body ON notes (body)');
    await alice.query('CREATE SCHEMA billing');
    await alice.query('CREATE TABLE billing.invoices (id bigint)');
    await alice.end();
    const dev = await provider.describe!(ctx, 'dev');
    const described = await provider.describe!(ctx, 'alice');
    expect(dev.schema?.tables.notes).toEqual({ columns: { id: 'integer', body: 'text' }, indexes: ['notes_pkey'] });
    expect(described.schema?.tables.notes).toEqual({ columns: { id: 'integer', body: 'text', tags: 'ARRAY' }, indexes: ['notes_body', 'notes_pkey'] });
    expect(described.schema?.tables['billing.invoices']).toEqual({ columns: { id: 'bigint' }, indexes: [] });
    await provider.remove(ctx, { env: 'alice' });
  });

  it('refuses to fork while the parent has open connections, naming them, and creates nothing', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    const session = await server.connect({ database: `${name}_dev`, applicationName: 'billing-worker' });
    try {
      const error = await caught(provider.fork(ctx, { env: 'bob', parent: 'dev' }));
      expect(error.exitCode).toBe(1);
      expect(error.message).toMatch(/database \(postgres\): cannot fork "dev" into "bob": the parent database "p\d+_dev" has 1 open connection/);
      expect(error.message).toMatch(/\n  pid \d+: application "billing-worker", client 127\.0\.0\.1:\d+, user postgres, idle since .*Z \(\d+s ago\)\n/);
      expect(error.message).toMatch(/fork-stack create bob --from dev --terminate-connections/);
      expect(error.message).toMatch(/FORK_STACK_PG_TERMINATE=1/);
      expect(await databaseExists(`${name}_bob`)).toBe(false);
      expect(await databaseExists(stagingName(`${name}_bob`, name, "bob"))).toBe(false);
      // The session was not touched.
      expect((await session.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await session.end();
    }
  });

  for (const [how, options, env, run] of [
    ['terminate_connections = true', { terminate_connections: true }, {}, undefined],
    ['FORK_STACK_PG_TERMINATE=1', {}, { FORK_STACK_PG_TERMINATE: '1' }, undefined],
    // `create --terminate-connections`: the consent travels in the fork request, not in the environment.
    ['the request option terminateConnections', {}, {}, { terminateConnections: true }],
  ] as const) {
    it(`ends the parent's sessions with consent (${how})`, async () => {
      const { ctx, name } = await project(options, env);
      await seedDev(name);
      const session = await server.connect({ database: `${name}_dev`, applicationName: 'psql' });
      const ended = new Promise<Error>((resolve) => session.once('error', resolve));
      const resource = await provider.fork(ctx, { env: 'carol', parent: 'dev', options: run });
      expect(resource).toMatchObject({ name: `${name}_carol`, owned: true });
      expect((await ended).message).toMatch(/terminat/i);
      expect(ctx.progressLog.map((p) => p.message)).toContain(`ending 1 session(s) on ${name}_dev`);
      expect(await bodies((await provider.variables(ctx, 'carol')).DATABASE_URL as string)).toEqual(['from dev 1', 'from dev 2']);
      await session.end().catch(() => undefined);
      await provider.remove(ctx, { env: 'carol' });
    });
  }

  it('never adopts or drops a same-named database that is not ours', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    await server.createDatabase(`${name}_taken`, { statements: ['CREATE TABLE precious (x int)', 'INSERT INTO precious VALUES (42)'] });
    const forkError = await caught(provider.fork(ctx, { env: 'taken', parent: 'dev' }));
    expect(forkError.message).toMatch(new RegExp(`database "${name}_taken" for environment "taken" already exists and was not created by fork-stack for project "${name}", environment "taken": it carries no fork-stack marker for project "${name}", environment "taken"; it was left untouched`));
    expect(forkError.hint).toMatch(/DROP DATABASE/);
    const removeError = await caught(provider.remove(ctx, { env: 'taken' }));
    expect(removeError.message).toMatch(/was not created by fork-stack/);
    expect(await server.query('SELECT x FROM precious', [], `${name}_taken`)).toEqual([{ x: 42 }]);
    expect(await provider.find(ctx, 'taken')).toMatchObject({ name: `${name}_taken`, owned: false });
    // A database fork-stack made for another project is not ours either.
    const other = await project({ name: `${name}_{env}` });
    await provider.fork(ctx, { env: 'shared', parent: 'dev' });
    expect((await caught(provider.fork(other.ctx, { env: 'shared', parent: 'dev' }))).message).toMatch(/not created by fork-stack for project/);
    expect((await provider.list(other.ctx)).map((r) => r.env)).not.toContain('shared');
    await provider.remove(ctx, { env: 'shared' });
  });

  it('removes a fork while a client is connected to it, and again when it is gone', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    await provider.fork(ctx, { env: 'dave', parent: 'dev' });
    const client = await server.connect({ database: `${name}_dave`, applicationName: 'app-server' });
    const ended = new Promise<Error>((resolve) => client.once('error', resolve));
    await provider.remove(ctx, { env: 'dave' });
    expect(await databaseExists(`${name}_dave`)).toBe(false);
    expect((await ended).message).toMatch(/terminat/i);
    await client.end().catch(() => undefined);
    await provider.remove(ctx, { env: 'dave' });
  });

  it('handles project and environment names with hyphens, mapped to "_" or kept (quoted)', async () => {
    for (const hyphens of ['underscore', 'keep'] as const) {
      const { ctx, name } = await project({ hyphens }, {}, 'my-app-');
      const flat = name.replace(/-/g, '_');
      const parent = hyphens === 'keep' ? `${name}_dev` : `${flat}_dev`;
      await server.createDatabase(parent, { statements: ['CREATE TABLE notes (id serial PRIMARY KEY, body text)', "INSERT INTO notes (body) VALUES ('x')"] });
      const resource = await provider.fork(ctx, { env: 'feat-login-2', parent: 'dev' });
      const expected = hyphens === 'keep' ? `${name}_feat-login-2` : `${flat}_feat_login_2`;
      expect(resource.name).toBe(expected);
      expect((await provider.list(ctx)).map((r) => `${r.env}=${r.name}`).sort()).toEqual([`dev=${parent}`, `feat-login-2=${expected}`]);
      const url = (await provider.variables(ctx, 'feat-login-2')).DATABASE_URL as string;
      expect(url.endsWith(`/${expected}`)).toBe(true);
      expect(await bodies(url)).toEqual(['x']);
      await provider.remove(ctx, { env: 'feat-login-2' });
      expect(await databaseExists(expected)).toBe(false);
    }
  });

  it('carries over database-level GRANTs and settings, which TEMPLATE does not copy', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    const app = await server.createRole(`${name}_app`);
    const db = pg.escapeIdentifier(`${name}_dev`);
    await server.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    await server.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${pg.escapeIdentifier(app.user)}`);
    await server.query(`ALTER DATABASE ${db} SET search_path = app, "$user", public`);
    await server.query(`ALTER DATABASE ${db} SET statement_timeout = '5s'`);
    await server.query(`ALTER ROLE ${pg.escapeIdentifier(app.user)} IN DATABASE ${db} SET work_mem = '8MB'`);
    await provider.fork(ctx, { env: 'erin', parent: 'dev' });
    const acl = (database: string) =>
      server.query<{ acl: string }>(
        `SELECT coalesce(string_agg(pg_get_userbyid(a.grantee) || ':' || a.privilege_type, ',' ORDER BY 1), '') AS acl
           FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 AND a.grantee <> 0`,
        [database],
      );
    const publicAcl = (database: string) =>
      server.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 AND a.grantee = 0', [database]);
    expect(await acl(`${name}_erin`)).toEqual(await acl(`${name}_dev`));
    expect(await publicAcl(`${name}_erin`)).toEqual([{ n: 0 }]);
    const settings = (database: string) =>
      server.query<{ role: string | null; config: string[] }>(
        `SELECT CASE WHEN setrole = 0 THEN NULL ELSE pg_get_userbyid(setrole) END AS role, setconfig AS config
           FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1 ORDER BY 1 NULLS FIRST`,
        [database],
      );
    expect(await settings(`${name}_erin`)).toEqual(await settings(`${name}_dev`));
    // And the app role really connects with the child's settings.
    const client = await server.connect({ database: `${name}_erin`, ...app });
    expect((await client.query('SHOW search_path')).rows[0]).toEqual({ search_path: 'app, "$user", public' });
    expect((await client.query('SHOW work_mem')).rows[0]).toEqual({ work_mem: '8MB' });
    await client.end();
    await provider.remove(ctx, { env: 'erin' });
  });

  it('finishes after a crash: a leftover staging database is dropped and the fork redone', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    await server.createDatabase(stagingName(`${name}_frank`, name, "frank"));
    const resource = await provider.fork(ctx, { env: 'frank', parent: 'dev' });
    expect(resource).toMatchObject({ name: `${name}_frank`, owned: true });
    expect(await databaseExists(stagingName(`${name}_frank`, name, "frank"))).toBe(false);
    expect((await provider.list(ctx)).map((r) => r.name)).not.toContain(stagingName(`${name}_frank`, name, "frank"));
    await provider.remove(ctx, { env: 'frank' });
  });

  it('an abort during the copy cancels it and leaves nothing', async () => {
    const { name } = await project();
    await seedDev(name, ["INSERT INTO notes (body) SELECT repeat('x', 500) FROM generate_series(1, 20000)"]);
    const controller = new AbortController();
    const ctx = testContext<PostgresOptions>({ kind: 'database', root: '/x', schema, project: name, signal: controller.signal, env: { DATABASE_ADMIN_URL: server.adminUrl } });
    // Abort the moment the copy starts: whether the cancel lands during CREATE DATABASE or just after it,
    // the fork must fail and leave neither the child nor its staging copy.
    ctx.progress = (update) => {
      if (update.message?.startsWith('copying')) controller.abort(new Error('stopped by the test'));
    };
    await expect(provider.fork(ctx, { env: 'lee', parent: 'dev' })).rejects.toThrow(/stopped by the test|cancel/);
    expect(await databaseExists(`${name}_lee`)).toBe(false);
    expect(await databaseExists(stagingName(`${name}_lee`, name, "lee"))).toBe(false);
    expect((await server.query<{ n: number }>('SELECT count(*)::int AS n FROM notes', [], `${name}_dev`))[0]?.n).toBe(20000);
  });

  it('two concurrent forks of one environment make one database', async () => {
    const { ctx, name } = await project();
    await seedDev(name);
    const [a, b] = await Promise.all([provider.fork(ctx, { env: 'gina', parent: 'dev' }), provider.fork(ctx, { env: 'gina', parent: 'dev' })]);
    expect(a.id).toBe(b.id);
    expect((await provider.list(ctx)).filter((r) => r.env === 'gina')).toHaveLength(1);
    await provider.remove(ctx, { env: 'gina' });
  });

  it('works for a non-superuser admin with CREATEDB, and DATABASE_URL can use the app role', async () => {
    const { name } = await project();
    const deployer = await server.createRole(`${name}_deployer`, { createdb: true });
    const app = await server.createRole(`${name}_app`);
    await server.createDatabase(`${name}_dev`, { owner: deployer.user, statements: [] });
    const seed = await server.connect({ database: `${name}_dev`, ...deployer });
    await seed.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
    await seed.query("INSERT INTO notes (body) VALUES ('seed')");
    await seed.query(`GRANT SELECT, INSERT ON notes TO ${pg.escapeIdentifier(app.user)}`);
    await seed.query(`GRANT USAGE ON SEQUENCE notes_id_seq TO ${pg.escapeIdentifier(app.user)}`);
    await seed.end();
    const ctx = testContext<PostgresOptions>({
      kind: 'database',
      root: '/nonexistent',
      schema,
      project: name,
      options: { role: app.user, password_env: 'APP_PASSWORD' },
      env: { DATABASE_ADMIN_URL: server.url(deployer), APP_PASSWORD: app.password as string },
    });
    const resource = await provider.fork(ctx, { env: 'hank', parent: 'dev' });
    expect(resource.details?.owner).toBe(deployer.user);
    const url = (await provider.variables(ctx, 'hank')).DATABASE_URL as string;
    expect(url).toBe(server.url({ database: `${name}_hank`, ...app }));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO notes (body) VALUES ('by app')");
    expect((await client.query('SELECT current_user AS u, count(*)::int AS n FROM notes')).rows[0]).toEqual({ u: app.user, n: 2 });
    await client.end();
    // Sessions of another role on the parent: visible but hidden in detail, and not the deployer's to end
    // until it is granted pg_signal_backend.
    const other = await server.connect({ database: `${name}_dev`, ...app, applicationName: 'worker' });
    other.on('error', () => undefined);
    const consenting = { ...ctx, env: { ...ctx.env, FORK_STACK_PG_TERMINATE: '1' } };
    const refused = await caught(provider.fork(consenting, { env: 'ian', parent: 'dev' }));
    expect(refused.message).toMatch(new RegExp(`role "${deployer.user}" may not end 1 session\\(s\\) on "${name}_dev":\\n  pid \\d+: application "worker", client hidden`));
    expect(refused.hint).toMatch(/GRANT pg_signal_backend TO/);
    expect(await databaseExists(`${name}_ian`)).toBe(false);
    await server.query(`GRANT pg_signal_backend TO ${pg.escapeIdentifier(deployer.user)}`);
    await provider.fork(consenting, { env: 'ian', parent: 'dev' });
    await provider.remove(ctx, { env: 'ian' });
    await other.end().catch(() => undefined);
    expect((await provider.check(ctx)).map((c) => `${c.name}:${c.status}`)).toEqual([
      'admin URL:ok',
      'server:ok',
      'create databases:ok',
      'fork strategy:ok',
      'drop:ok',
      'DATABASE_URL role:ok',
    ]);
    await provider.remove(ctx, { env: 'hank' });
  });

  it('explains a role that may not create databases, and leaves nothing', async () => {
    const { name } = await project();
    await seedDev(name);
    const weak = await server.createRole(`${name}_weak`);
    const ctx = testContext<PostgresOptions>({ kind: 'database', root: '/x', schema, project: name, env: { DATABASE_ADMIN_URL: server.url(weak) } });
    const error = await caught(provider.fork(ctx, { env: 'ivy', parent: 'dev' }));
    expect(error.message).toMatch(new RegExp(`database \\(postgres\\): role "${name}_weak" may not create databases`));
    expect(error.hint).toMatch(/ALTER ROLE .* CREATEDB/);
    expect(await databaseExists(`${name}_ivy`)).toBe(false);
    expect(await databaseExists(stagingName(`${name}_ivy`, name, "ivy"))).toBe(false);
    const checks = await provider.check(ctx);
    expect(checks.find((c) => c.name === 'create databases')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/CREATEDB/) });
  });

  it('explains bad input: unknown parent, name too long, missing URL, wrong password, server down', async () => {
    const { ctx, name } = await project();
    const unknown = await caught(provider.fork(ctx, { env: 'jack', parent: 'nope' }));
    expect(unknown.message).toMatch(new RegExp(`parent database "${name}_nope" of environment "nope" does not exist`));
    expect(await databaseExists(`${name}_jack`)).toBe(false);

    const long = 'x'.repeat(60);
    expect(provider.checkName(ctx, long)).toMatch(/bytes; PostgreSQL allows at most 63/);
    const tooLong = await caught(provider.fork(ctx, { env: long, parent: 'dev' }));
    expect(tooLong.exitCode).toBe(2);

    const noUrl = testContext<PostgresOptions>({ kind: 'database', root: '/x', schema, project: name, env: {} });
    const missing = await caught(provider.fork(noUrl, { env: 'jack', parent: 'dev' }));
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toMatch(/DATABASE_ADMIN_URL is not set/);
    expect(await provider.check(noUrl)).toEqual([expect.objectContaining({ name: 'admin URL', status: 'fail' })]);

    const wrongUrl = server.url({ user: 'postgres', password: 'wrong-password-123' });
    const wrong = testContext<PostgresOptions>({ kind: 'database', root: '/x', schema, project: name, env: { DATABASE_ADMIN_URL: wrongUrl } });
    const auth = await caught(provider.find(wrong, 'dev'));
    expect(auth.exitCode).toBe(2);
    expect(auth.message).toMatch(/rejected the login of role "postgres"/);
    expect(auth.message).not.toContain('wrong-password-123');

    const down = testContext<PostgresOptions>({
      kind: 'database',
      root: '/x',
      schema,
      project: name,
      options: { connect_timeout_ms: 500 },
      env: { DATABASE_ADMIN_URL: 'postgres://postgres:pw-down-1234@127.0.0.1:1/postgres' },
    });
    const unreachable = await caught(provider.fork(down, { env: 'jack', parent: 'dev' }));
    expect(unreachable.message).toMatch(/database \(postgres\): forking "dev" into "jack": cannot reach the PostgreSQL server at 127\.0\.0\.1:1/);
    expect(unreachable.hint).toMatch(/DATABASE_ADMIN_URL/);
    expect(down.progressLog.some((p) => /retrying in/.test(p.message ?? ''))).toBe(true);
    expect((await provider.check(down)).find((c) => c.name === 'server')).toMatchObject({ status: 'fail' });
  });

  it('creates an empty root for init, marked as ours, and lists only this project', async () => {
    const { ctx, name } = await project();
    const root = await provider.createEmpty!(ctx, 'dev');
    expect(root).toMatchObject({ env: 'dev', name: `${name}_dev`, owned: true, state: 'ready' });
    expect(await provider.createEmpty!(ctx, 'dev')).toMatchObject({ id: root.id });
    await server.createDatabase(`${name}_stranger`);
    await server.createDatabase(`unrelated_${name}_dev`);
    const listed = await provider.list(ctx);
    expect(listed.map((r) => `${r.env}:${r.owned}`).sort()).toEqual(['dev:true', 'stranger:false']);
  });

  it('uses the strategy asked for', async () => {
    const { ctx, name } = await project({ strategy: 'wal_log' });
    await seedDev(name);
    if (server.major >= 15) {
      await provider.fork(ctx, { env: 'kim', parent: 'dev' });
      expect(await bodies((await provider.variables(ctx, 'kim')).DATABASE_URL as string)).toEqual(['from dev 1', 'from dev 2']);
      await provider.remove(ctx, { env: 'kim' });
    } else {
      expect((await caught(provider.fork(ctx, { env: 'kim', parent: 'dev' }))).message).toMatch(/needs PostgreSQL 15/);
    }
  });
});
