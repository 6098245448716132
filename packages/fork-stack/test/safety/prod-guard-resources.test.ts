/**
 * The prod guard compares resources, not strings (issue 14 §4), through the built CLI: on a local project
 * with a real PostgreSQL server, fs buckets and dotenv secrets, every spelling below of one of prod's
 * resources is refused by `secrets set` on the current non-prod environment and by `switch` to it
 * (exit 1, the key named, the value not printed, nothing written); other resources on the same server or
 * in the same directories are accepted. A SQLite project covers symlinks and bare paths to prod's file.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace } from '../helpers/cli.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { safetyProject, type SafetyProject } from './helpers.js';

const binaries = postgresBinariesOrSkip();

const POSTGRES_STACK = `project = "app"
roots = ["dev", "prod"]
protected = ["prod", "dev"]

[database]
provider = "postgres"

[storage.uploads]
provider = "fs"

[secrets]
provider = "dotenv"
`;

const SQLITE_STACK = `project = "app"
roots = ["dev", "prod"]
protected = ["prod", "dev"]

[database]
provider = "sqlite"

[secrets]
provider = "dotenv"
`;

/**
 * `secrets set KEY value --env dev` (dev current) and `switch dev` with KEY in dev's store must both
 * refuse, naming KEY and prod's resource; dev's store is put back afterwards.
 */
function expectRefused(project: SafetyProject, key: string, value: string, resource: RegExp, secret?: string): void {
  const store = path.join(project.dir, '.fork-stack/secrets/dev.env');
  const original = readFileSync(store, 'utf8');
  const before = project.read('.env.local');
  try {
    const set = project.run(['secrets', 'set', key, value, '--env', 'dev']);
    expect(set.code, `secrets set ${key}=${value}: ${set.stderr}`).toBe(1);
    expect(set.stderr).toContain('refusing to use "dev"');
    expect(set.stderr).toMatch(new RegExp(`${key} points at prod's ${resource.source}`));
    expect(hasStackTrace(set.stderr)).toBe(false);
    if (secret) expect(set.stdout + set.stderr).not.toContain(secret);
    expect(project.read('.env.local')).toBe(before);

    writeFileSync(store, `${original}${key}='${value}'\n`, { mode: 0o600 });
    const switched = project.run(['switch', 'dev']);
    expect(switched.code, `switch with ${key}=${value}: ${switched.stderr}`).toBe(1);
    expect(switched.stderr).toMatch(new RegExp(`${key} points at prod's ${resource.source}`));
    expect(project.read('.env.local')).toBe(before);
  } finally {
    writeFileSync(store, original, { mode: 0o600 });
  }
}

function expectAccepted(project: SafetyProject, key: string, value: string): void {
  const store = path.join(project.dir, '.fork-stack/secrets/dev.env');
  const original = readFileSync(store, 'utf8');
  try {
    const set = project.run(['secrets', 'set', key, value, '--env', 'dev']);
    expect(set.code, `secrets set ${key}=${value}: ${set.stderr}`).toBe(0);
    expect(project.read('.env.local')).toContain(`${key}=`);
    expect(project.run(['switch', 'dev']).code).toBe(0);
  } finally {
    writeFileSync(store, original, { mode: 0o600 });
    expect(project.run(['switch', 'dev']).code).toBe(0);
  }
}

describe.skipIf(!binaries)('the prod guard on a local postgres project compares resources', () => {
  let server: PostgresServer;
  let project: SafetyProject;
  let port: number;
  const prodDb = () => new RegExp(`database "app_prod" on 127\\.0\\.0\\.1:${port}`);

  beforeAll(async () => {
    server = await startPostgres();
    port = server.port;
    project = await safetyProject(POSTGRES_STACK, { prod: { A: '1' }, dev: { A: '2' } }, { DATABASE_ADMIN_URL: server.adminUrl });
    const switched = project.run(['switch', 'dev']);
    expect(switched.code, switched.stderr).toBe(0);
  });
  afterAll(async () => {
    project?.cleanup();
    await server?.stop();
  });

  it("refuses prod's database URL under another variable name (REPORTING_DATABASE_URL)", () => {
    expectRefused(project, 'REPORTING_DATABASE_URL', server.url({ database: 'app_prod' }), prodDb(), server.password);
  });

  it.each([
    ['localhost', (p: number) => `postgres://postgres@localhost:${p}/app_prod`],
    ['LOCALHOST. in capitals with a trailing dot', (p: number) => `postgresql://reader:pw@LOCALHOST.:${p}/app_prod?sslmode=disable`],
    ['[::1]', (p: number) => `postgres://postgres@[::1]:${p}/app_prod`],
    ['127.1', (p: number) => `postgres://postgres@127.1:${p}/app_prod`],
    ['127.0.0.2', (p: number) => `postgres://postgres@127.0.0.2:${p}/app_prod`],
  ])("refuses prod's database through the host alias %s", (_alias, url) => {
    expectRefused(project, 'ANALYTICS_URL', url(port), prodDb());
  });

  it("refuses prod's database as a libpq keyword string", () => {
    expectRefused(project, 'PG_DSN', `host=localhost port=${port} dbname=app_prod user=postgres`, prodDb());
  });

  it("refuses prod's database with host, port or dbname given as URL query parameters", () => {
    expectRefused(project, 'PG_URL', `postgres:///app_prod?host=127.0.0.1&port=${port}`, prodDb());
    expectRefused(project, 'PG_URL', `postgres://127.0.0.1:${port}/?dbname=app_prod`, prodDb());
  });

  it("refuses prod's database through a Unix socket host", () => {
    expectRefused(project, 'PG_URL', `postgres:///app_prod?host=/var/run/postgresql&port=${port}`, prodDb());
    expectRefused(project, 'PG_URL', `postgresql://%2Ftmp:${port}/app_prod`, prodDb());
  });

  it("refuses prod's bucket directory with a trailing / and other path spellings", () => {
    const bucket = path.join(project.dir, '.fork-stack/buckets/app-bucket-prod');
    const label = /bucket directory/;
    expectRefused(project, 'UPLOADS_DIR', `${bucket}/`, label);
    expectRefused(project, 'UPLOADS_DIR', './.fork-stack/buckets/app-bucket-dev/../app-bucket-prod/', label);
    expectRefused(project, 'BUCKET_ARCHIVE', `${bucket}/archive`, label);
  });

  it('accepts another database on the same server, the server itself and the shared buckets directory', () => {
    expectAccepted(project, 'REPORTING_DATABASE_URL', `postgres://postgres@localhost:${port}/app_dev_reporting`);
    expectAccepted(project, 'PG_DSN', `host=localhost port=${port} dbname=app_dev`);
    expectAccepted(project, 'MAINTENANCE_URL', `postgres://postgres@127.0.0.1:${port}/postgres`);
    expectAccepted(project, 'BUCKETS_ROOT', '.fork-stack/buckets/');
    expectAccepted(project, 'OTHER_PORT_URL', `postgres://postgres@127.0.0.1:${port + 1}/app_prod`);
  });
});

describe("the prod guard on a SQLite project compares prod's file, not its spelling", () => {
  let project: SafetyProject | undefined;
  afterAll(() => project?.cleanup());

  it("refuses a symlink, a bare path and file: URLs with ./ and .. to prod's SQLite file", async () => {
    project = await safetyProject(SQLITE_STACK, { prod: { A: '1' }, dev: { A: '2' } });
    expect(project.run(['switch', 'dev']).code).toBe(0);
    const prodFile = path.join(project.dir, '.fork-stack/data/app.prod.db');
    symlinkSync(prodFile, path.join(project.dir, 'reporting.db'));
    const label = /SQLite file/;
    expectRefused(project, 'REPORTING_DB', 'file:reporting.db', label);
    expectRefused(project, 'REPORTING_DB', 'reporting.db', label);
    expectRefused(project, 'REPORTING_DB', prodFile, label);
    expectRefused(project, 'REPORTING_DB', './.fork-stack/data/../data/app.prod.db', label);
    expectRefused(project, 'REPORTING_DB', `file://${prodFile}`, label);
    expectRefused(project, 'REPORTING_DB', 'sqlite:///.fork-stack/data/app.prod.db', label);
    expectAccepted(project, 'REPORTING_DB', 'file:.fork-stack/data/app.reporting.db');
  });
});
