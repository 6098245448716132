/**
 * The postgres provider's pure parts, no server: database names and their inverse, the admin URL and the
 * URLs derived from it, the ownership marker, settings parsing, error classification.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { scrub } from '../../src/core/scrub.js';
import { provider } from '../../src/providers/database/postgres.js';
import { schema, type PostgresOptions } from '../../src/providers/database/postgres.schema.js';
import { settingAssignment, splitSettingList } from '../../src/providers/database/postgres/carry-over.js';
import { describeSession } from '../../src/providers/database/postgres/catalog.js';
import { classifyPgError } from '../../src/providers/database/postgres/connection.js';
import { formatMarker, isOurs, parseMarker } from '../../src/providers/database/postgres/marker.js';
import { databaseName, databaseNameProblem, envOfDatabase, stagingName } from '../../src/providers/database/postgres/naming.js';
import { adminUrl, parseAdminUrl, urlFor } from '../../src/providers/database/postgres/urls.js';
import { testContext } from '../helpers/context.js';

function ctx(options: Record<string, unknown> = {}, env: Record<string, string> = {}, project = 'my-app') {
  return testContext<PostgresOptions>({ kind: 'database', root: '/nonexistent', schema, options, env, project });
}

describe('postgres naming', () => {
  it('maps hyphens to underscores by default, so names need no quoting', () => {
    const c = ctx();
    expect(databaseName(c, 'dev')).toBe('my_app_dev');
    expect(databaseName(c, 'pr-12')).toBe('my_app_pr_12');
    expect(envOfDatabase(c, 'my_app_pr_12')).toBe('pr-12');
    expect(envOfDatabase(c, 'my_app_dev')).toBe('dev');
    expect(envOfDatabase(c, 'my-app_pr-12')).toBeUndefined();
    expect(envOfDatabase(c, 'other_dev')).toBeUndefined();
    expect(envOfDatabase(c, 'my_app_Dev')).toBeUndefined();
    expect(envOfDatabase(c, 'my_app_pr__12')).toBeUndefined();
  });

  it('keeps hyphens when asked', () => {
    const c = ctx({ hyphens: 'keep' });
    expect(databaseName(c, 'pr-12')).toBe('my-app_pr-12');
    expect(envOfDatabase(c, 'my-app_pr-12')).toBe('pr-12');
    expect(envOfDatabase(c, 'my_app_pr_12')).toBeUndefined();
  });

  it('honours per-environment names and a custom pattern', () => {
    const c = ctx({ name: 'db-{env}-{project}', names: { prod: 'myapp', staging: 'legacy_{env}' } });
    expect(databaseName(c, 'prod')).toBe('myapp');
    expect(databaseName(c, 'staging')).toBe('legacy_staging');
    expect(databaseName(c, 'alice')).toBe('db-alice-my_app');
    expect(envOfDatabase(c, 'myapp')).toBe('prod');
    expect(envOfDatabase(c, 'legacy_staging')).toBe('staging');
    expect(envOfDatabase(c, 'db-alice-my_app')).toBe('alice');
    // The pattern's name for an env with an override is not that env's database.
    expect(envOfDatabase(c, 'db-prod-my_app')).toBeUndefined();
  });

  it('rejects names over 63 bytes, counting bytes rather than characters', () => {
    const c = ctx();
    expect(databaseNameProblem(c, 'a'.repeat(56))).toBeUndefined(); // my_app_ + 56 = 63
    expect(databaseNameProblem(c, 'a'.repeat(57))).toMatch(/is 64 bytes; PostgreSQL allows at most 63/);
    const unicode = ctx({ names: { prod: 'ñ'.repeat(32) } });
    expect(databaseNameProblem(unicode, 'prod')).toMatch(/64 bytes/);
    expect(provider.checkName(c, 'a'.repeat(56))).toBeUndefined();
  });

  it('validates options', () => {
    expect(() => schema.parse({ name: 'static' })).toThrow(/\{env\}/);
    expect(() => schema.parse({ url_env: 'not a var' })).toThrow(/environment variable/);
    expect(() => schema.parse({ strategy: 'fast' })).toThrow();
    expect(() => schema.parse({ unknown: 1 })).toThrow();
    expect(schema.parse({})).toMatchObject({ url_env: 'DATABASE_ADMIN_URL', name: '{project}_{env}', hyphens: 'underscore', strategy: 'auto', owner: 'parent', terminate_connections: false });
  });

  it('derives a fixed-length staging name from the final name', () => {
    expect(stagingName('my_app_alice', 'my-app', 'alice')).toMatch(/^fork_stack_tmp_[0-9a-f]{16}$/);
    expect(stagingName('my_app_alice', 'my-app', 'alice')).toBe(stagingName('my_app_alice', 'my-app', 'alice'));
    expect(stagingName('my_app_alice', 'my-app', 'alice')).not.toBe(stagingName('my_app_bob', 'my-app', 'bob'));
  });

  it('project hbc env d-e and project hbc-d env e share the database name hbc_d_e but never a staging name', () => {
    const a = { project: 'hbc', options: schema.parse({}) };
    const b = { project: 'hbc-d', options: schema.parse({}) };
    expect(databaseName(a, 'd-e')).toBe('hbc_d_e');
    expect(databaseName(b, 'e')).toBe('hbc_d_e');
    expect(stagingName('hbc_d_e', 'hbc', 'd-e')).not.toBe(stagingName('hbc_d_e', 'hbc-d', 'e'));
  });
});

describe('postgres admin URL', () => {
  it('keeps host, port, parameters and the password encoding, replacing only the database', () => {
    const admin = parseAdminUrl('postgresql://admin:p%40ss%2Fw0rd@db.example.com:6432/postgres?sslmode=require&application_name=x');
    expect(admin).toMatchObject({ user: 'admin', password: 'p@ss/w0rd', database: 'postgres', hosts: 'db.example.com:6432' });
    expect(urlFor(admin, 'my_app_pr_12')).toBe('postgresql://admin:p%40ss%2Fw0rd@db.example.com:6432/my_app_pr_12?sslmode=require&application_name=x');
    expect(urlFor(admin, 'my-app_pr-12')).toBe('postgresql://admin:p%40ss%2Fw0rd@db.example.com:6432/my-app_pr-12?sslmode=require&application_name=x');
    expect(urlFor(admin, 'a b/c')).toContain('/a%20b%2Fc?');
    expect(urlFor(admin, 'x', { user: 'app', password: 's3cr:t' })).toBe('postgresql://app:s3cr%3At@db.example.com:6432/x?sslmode=require&application_name=x');
    expect(urlFor(admin, 'x', { user: 'app' })).toBe('postgresql://app@db.example.com:6432/x?sslmode=require&application_name=x');
  });

  it('accepts the forms libpq accepts that WHATWG URL does not', () => {
    const socket = parseAdminUrl('postgres://me@/postgres?host=/var/run/postgresql');
    expect(urlFor(socket, 'd')).toBe('postgres://me@/d?host=/var/run/postgresql');
    const multi = parseAdminUrl('postgres://u:p@h1:5432,h2:5432/db');
    expect(urlFor(multi, 'd')).toBe('postgres://u:p@h1:5432,h2:5432/d');
    expect(parseAdminUrl('postgres://u:p@[::1]:5433').database).toBeUndefined();
  });

  it('rejects what is not a PostgreSQL URL without echoing it', () => {
    expect(() => parseAdminUrl('mysql://u:hunter22@h/db')).toThrow(/postgres:\/\/ or postgresql:\/\/, not mysql/);
    expect(() => parseAdminUrl('host=localhost dbname=x')).toThrow(/not a URL/);
    expect(() => parseAdminUrl('postgres://u:p@/db')).toThrow(/no host/);
    expect(() => parseAdminUrl('postgres://u:%zz@h/db')).toThrow(/malformed %-escape/);
  });

  it('reads the URL from the configured variable only, and registers its password as a secret', () => {
    expect(() => adminUrl(ctx())).toThrow(UsageError);
    expect(() => adminUrl(ctx())).toThrow(/database \(postgres\): DATABASE_ADMIN_URL is not set/);
    expect(() => adminUrl(ctx({ url_env: 'PG_ADMIN' }, { DATABASE_ADMIN_URL: 'postgres://a@h/d' }))).toThrow(/PG_ADMIN is not set/);
    const bad = (() => {
      try {
        adminUrl(ctx({}, { DATABASE_ADMIN_URL: 'mysql://u:hunter22secret@h/db' }));
      } catch (error) {
        return error as UsageError;
      }
    })();
    expect(bad?.exitCode).toBe(2);
    expect(bad?.message).not.toContain('hunter22secret');
    adminUrl(ctx({}, { DATABASE_ADMIN_URL: 'postgres://admin:Sup3r%23Secret@h:5432/postgres' }));
    expect(scrub('password Sup3r#Secret leaked')).toBe('password **** leaked');
  });

  it('gives each environment DATABASE_URL on the same server, with the configured role', async () => {
    const env = { DATABASE_ADMIN_URL: 'postgres://admin:adm1n-pw@db:5432/postgres?sslmode=disable', APP_DB_PASSWORD: 'app-pw!' };
    expect(await provider.variables(ctx({}, env), 'pr-12')).toEqual({ DATABASE_URL: 'postgres://admin:adm1n-pw@db:5432/my_app_pr_12?sslmode=disable' });
    expect(await provider.variables(ctx({ role: 'app', password_env: 'APP_DB_PASSWORD' }, env), 'pr-12')).toEqual({
      DATABASE_URL: 'postgres://app:app-pw!@db:5432/my_app_pr_12?sslmode=disable',
    });
    await expect(provider.variables(ctx({ role: 'app', password_env: 'MISSING_PW' }, env), 'dev')).rejects.toThrow(/MISSING_PW is not set/);
    expect(provider.publicVariables).not.toContain('DATABASE_URL');
  });
});

describe('postgres ownership marker', () => {
  it('round-trips and only matches this project and environment', () => {
    const comment = formatMarker({ project: 'my-app', env: 'alice', parent: 'dev', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(comment.startsWith('fork-stack:')).toBe(true);
    expect(parseMarker(comment)).toEqual({ project: 'my-app', env: 'alice', parent: 'dev', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(isOurs(comment, 'my-app', 'alice')).toBe(true);
    expect(isOurs(comment, 'other', 'alice')).toBe(false);
    expect(isOurs(comment, 'my-app', 'bob')).toBe(false);
    expect(isOurs('production database, do not touch', 'my-app', 'alice')).toBe(false);
    expect(isOurs('fork-stack:{broken', 'my-app', 'alice')).toBe(false);
    expect(isOurs(null, 'my-app', 'alice')).toBe(false);
  });

  it('carries the create run that made the database', () => {
    const comment = formatMarker({ project: 'my-app', env: 'alice', parent: 'dev', run: '5c0ffee0-0000-4000-8000-000000000001' });
    expect(parseMarker(comment)?.run).toBe('5c0ffee0-0000-4000-8000-000000000001');
    expect(parseMarker(formatMarker({ project: 'my-app', env: 'alice' }))?.run).toBeUndefined();
  });
});

describe('postgres settings carried over', () => {
  it('splits list settings the way the server stores them', () => {
    expect(splitSettingList('"$user", public')).toEqual(['$user', 'public']);
    expect(splitSettingList('app, "Weird ""Schema""", public')).toEqual(['app', 'Weird "Schema"', 'public']);
    expect(splitSettingList('')).toEqual([]);
  });

  it('renders each value as a literal', () => {
    expect(settingAssignment('search_path="$user", public')).toEqual({ name: 'search_path', sql: `"search_path" TO '$user', 'public'` });
    expect(settingAssignment("statement_timeout=5s")).toEqual({ name: 'statement_timeout', sql: `"statement_timeout" TO '5s'` });
    expect(settingAssignment("myapp.tenant=it's")).toEqual({ name: 'myapp.tenant', sql: `"myapp.tenant" TO 'it''s'` });
    expect(settingAssignment('bad name; DROP=1')).toBeUndefined();
  });
});

describe('postgres retry classification', () => {
  const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('retries connection problems and a server starting up, not errors that will not change', () => {
    expect(classifyPgError(err('ECONNREFUSED')).retry).toBe(true);
    expect(classifyPgError(err('ECONNRESET')).retry).toBe(true);
    expect(classifyPgError(err('57P03')).retry).toBe(true);
    expect(classifyPgError(err('53300')).retry).toBe(true);
    expect(classifyPgError(err('08006')).retry).toBe(true);
    expect(classifyPgError(new Error('Connection terminated unexpectedly')).retry).toBe(true);
    expect(classifyPgError(err('55006', 'source database "x" is being accessed by other users')).retry).toBe(false);
    expect(classifyPgError(err('28P01')).retry).toBe(false);
    expect(classifyPgError(err('42501')).retry).toBe(false);
    expect(classifyPgError(new UsageError('x')).retry).toBe(false);
  });
});

describe('postgres session descriptions', () => {
  const now = new Date('2026-01-01T10:05:00Z');
  const base = { pid: 42, user: 'app', application: 'puma', client: '10.0.0.7:51234', state: 'idle', backendType: 'client backend' };
  it('says who, from where, doing what, since when', () => {
    expect(describeSession({ ...base, connectedAt: new Date('2026-01-01T09:00:00Z'), stateSince: new Date('2026-01-01T10:00:00Z') }, now)).toBe(
      'pid 42: application "puma", client 10.0.0.7:51234, user app, idle since 2026-01-01T10:00:00Z (5m ago)',
    );
    expect(describeSession({ ...base, client: null, application: '', connectedAt: null, stateSince: null }, now)).toBe(
      'pid 42: application (none), client local socket, user app, idle',
    );
  });
  it('says when the admin role may not see another role\'s session', () => {
    expect(describeSession({ ...base, client: null, state: null, connectedAt: null, stateSince: null }, now)).toMatch(/client hidden \(the admin role needs pg_read_all_stats/);
  });
});
