/**
 * The prod-safety guard: identities of resources (unit), and through the built CLI on the local stack:
 * create and switch refuse, exit 1, name the key, write nothing; shadowed secrets are dropped with a warning.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateIdentifiers, findCollisions, resourceIdentifiers } from '../../src/engine/safety.js';
import { hasStackTrace } from '../helpers/cli.js';
import { safetyProject, type SafetyProject } from './helpers.js';

const collide = (env: Record<string, string>, prod: Record<string, string>) =>
  findCollisions(candidateIdentifiers(env, '/project'), resourceIdentifiers(prod, '/project')).map((c) => c.key);

describe('resource identities', () => {
  it('sees the same database through other credentials, default ports, options and pooled hosts', () => {
    const prod = { DATABASE_URL: 'postgres://app:prod-pw@db.internal:5432/app' };
    expect(collide({ DATABASE_URL: 'postgresql://reader:x@DB.internal/app?sslmode=require' }, prod)).toEqual(['DATABASE_URL']);
    expect(collide({ REPORTING_URL: 'postgres://r:y@db.internal:5432/app' }, prod)).toEqual(['REPORTING_URL']);
    expect(collide({ DATABASE_URL: 'postgres://app:prod-pw@db.internal:5432/app_alice' }, prod)).toEqual([]);
    expect(collide({ DATABASE_URL: 'postgres://app:prod-pw@db.internal:6543/app' }, prod)).toEqual([]);
    const neon = { DATABASE_URL: 'postgresql://u:p@ep-cool-river-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require' };
    expect(collide({ DATABASE_URL: 'postgresql://u:p@ep-cool-river-123456-pooler.eu-central-1.aws.neon.tech/neondb' }, neon)).toEqual(['DATABASE_URL']);
    expect(collide({ DATABASE_URL: 'postgresql://u:p@ep-other-777.eu-central-1.aws.neon.tech/neondb' }, neon)).toEqual([]);
  });

  it('tells PlanetScale branches apart by their credentials, Turso databases by host', () => {
    const prod = { DATABASE_URL: 'mysql://prodbranchuser:pscale_pw_1@aws.connect.psdb.cloud/shop?ssl={"rejectUnauthorized":true}' };
    expect(collide({ DATABASE_URL: 'mysql://devbranchuser:pscale_pw_2@aws.connect.psdb.cloud/shop' }, prod)).toEqual([]);
    expect(collide({ DATABASE_URL: 'mysql://prodbranchuser:pscale_pw_1@aws.connect.psdb.cloud/shop' }, prod)).toEqual(['DATABASE_URL']);
    const turso = { DATABASE_URL: 'libsql://app-acme.turso.io' };
    expect(collide({ DATABASE_URL: 'libsql://app-alice-acme.turso.io' }, turso)).toEqual([]);
    expect(collide({ OTHER_DB: 'libsql://app-acme.turso.io?authToken=x' }, turso)).toEqual(['OTHER_DB']);
  });

  it('compares SQLite files by absolute path', () => {
    const prod = { DATABASE_URL: 'file:/project/.fork-stack/data/app.prod.db' };
    expect(collide({ LEGACY_DB: 'file:.fork-stack/data/app.prod.db' }, prod)).toEqual(['LEGACY_DB']);
    expect(collide({ DATABASE_URL: 'file:/project/.fork-stack/data/app.alice.db' }, prod)).toEqual([]);
  });

  it('treats a shared Redis with other key prefixes as other caches and queues', () => {
    const prod = { CACHE_URL: 'redis://localhost:6379', CACHE_KEY_PREFIX: 'app:prod:', QUEUE_URL: 'redis://localhost:6379', QUEUE_PREFIX: 'bull:app:prod' };
    expect(collide({ CACHE_URL: 'redis://localhost:6379', CACHE_KEY_PREFIX: 'app:alice:', QUEUE_URL: 'redis://localhost', QUEUE_PREFIX: 'bull:app:alice' }, prod)).toEqual([]);
    expect(collide({ CACHE_URL: 'redis://:pw@LOCALHOST:6379/0', CACHE_KEY_PREFIX: 'app:prod:' }, prod)).toEqual(['CACHE_URL']);
    expect(collide({ QUEUE_URL: 'redis://localhost:6379', QUEUE_PREFIX: 'bull:app:prod' }, prod)).toEqual(['QUEUE_URL']);
    expect(collide({ CACHE_URL: 'redis://localhost:6379/2', CACHE_KEY_PREFIX: 'app:prod:' }, prod)).toEqual([]);
    const upstash = { CACHE_URL: 'rediss://default:tok@eu1-prod-123.upstash.io:6379' };
    // Another key, same Upstash database, no prefix on either side: it is prod's cache.
    expect(collide({ SESSIONS_REDIS: 'rediss://default:other@eu1-prod-123.upstash.io:6379' }, upstash)).toEqual(['SESSIONS_REDIS']);
    expect(collide({ SESSIONS_REDIS: 'rediss://default:other@eu1-alice-456.upstash.io:6379' }, upstash)).toEqual([]);
    expect(collide({ CACHE_URL: 'rediss://default:other@eu1-prod-123.upstash.io:6379' }, upstash)).toEqual(['CACHE_URL']);
  });

  it('compares buckets by endpoint, name and key prefix, and queues by their identifiers', () => {
    const prod = { BUCKET_NAME: 'app-bucket-prod', BUCKET_UPLOADS: 'app-bucket-prod', AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com' };
    const alice = { BUCKET_NAME: 'app-bucket-prod', AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com/' };
    expect(collide(alice, prod)).toEqual(['BUCKET_NAME']);
    expect(collide({ ...alice, AWS_ENDPOINT_URL_S3: 'https://acct.r2.cloudflarestorage.com' }, prod)).toEqual([]);
    const shared = { BUCKET_NAME: 'app-shared', BUCKET_KEY_PREFIX: 'prod/' };
    expect(collide({ BUCKET_NAME: 'app-shared', BUCKET_KEY_PREFIX: 'alice/' }, shared)).toEqual([]);
    expect(collide({ BUCKET_NAME: 'app-shared', BUCKET_KEY_PREFIX: 'prod/' }, shared)).toEqual(['BUCKET_NAME']);
    expect(collide({ INNGEST_ENV: 'production' }, { INNGEST_ENV: 'production' })).toEqual(['INNGEST_ENV']);
    expect(collide({ QUEUE_URL: 'https://qstash.upstash.io', QUEUE_PREFIX: 'alice-' }, { QUEUE_URL: 'https://qstash.upstash.io', QUEUE_PREFIX: 'prod-' })).toEqual([]);
  });

  it('sees prod\'s resources under any key and in any spelling, and not shared servers or endpoints', () => {
    const prod = {
      DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/app_prod',
      BUCKET_NAME: 'app-bucket-prod',
      AWS_ENDPOINT_URL_S3: 'http://localhost:9000',
      CACHE_URL: 'redis://127.0.0.1:6379/1',
      TURSO_URL: 'libsql://app-acme.turso.io',
    };
    expect(collide({ PG: 'host=localhost dbname=app_prod' }, prod)).toEqual(['PG']);
    expect(collide({ PG: 'postgres:///app_prod?host=/run/postgresql' }, prod)).toEqual(['PG']);
    expect(collide({ PG: 'postgres://[::1]/?dbname=app_prod' }, prod)).toEqual(['PG']);
    expect(collide({ ARCHIVE: 'app-bucket-prod', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000/' }, prod)).toEqual(['ARCHIVE']);
    expect(collide({ ARCHIVE: 's3://app-bucket-prod/exports/', AWS_ENDPOINT_URL: 'http://[::1]:9000' }, prod)).toEqual(['ARCHIVE']);
    expect(collide({ SESSIONS: 'redis://LOCALHOST/1' }, prod)).toEqual(['SESSIONS']);
    expect(collide({ SESSIONS: 'redis://localhost:6379?db=1' }, prod)).toEqual(['SESSIONS']);
    expect(collide({ LIBSQL_HTTP: 'https://app-acme.turso.io' }, prod)).toEqual(['LIBSQL_HTTP']);
    // Shared servers and endpoints with other resources on them are not prod's.
    expect(
      collide(
        {
          DATABASE_URL: 'postgres://app:pw@localhost:5432/app_dev',
          ADMIN: 'postgres://app:pw@localhost/postgres',
          BUCKET_NAME: 'app-bucket-dev',
          AWS_ENDPOINT_URL_S3: 'http://localhost:9000',
          CACHE_URL: 'redis://localhost:6379/2',
          ARCHIVE: 'app-bucket-prod',
          TURSO_URL: 'libsql://app-alice-acme.turso.io',
          SENTRY_DSN: 'https://k@o1.ingest.sentry.io/2',
        },
        { ...prod, AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com' },
      ),
    ).toEqual([]);
  });

  it('ignores values that name no resource', () => {
    expect(collide({ STRIPE_KEY: 'sk_live_1', SENTRY_DSN: 'https://k@o1.ingest.sentry.io/2' }, { STRIPE_KEY: 'sk_live_1', SENTRY_DSN: 'https://k@o1.ingest.sentry.io/2' })).toEqual([]);
  });
});

const SECRETS_ONLY = `project = "app"
roots = ["dev", "prod"]
protected = ["prod", "dev"]

[secrets]
provider = "dotenv"
`;

const LOCAL_STACK = `project = "app"
roots = ["dev", "prod"]
protected = ["prod", "dev"]

[database]
provider = "sqlite"

[storage.uploads]
provider = "fs"

[secrets]
provider = "dotenv"
`;

let project: SafetyProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('create and switch refuse an environment that points at prod', () => {
  it('refuses a copied DATABASE_URL equal to prod\'s, writes nothing, and accepts it once fixed', async () => {
    project = await safetyProject(SECRETS_ONLY, {
      prod: { DATABASE_URL: 'postgres://app:prod-db-password@db.internal:5432/app', STRIPE_KEY: 'sk_live_prod_secret' },
      dev: { DATABASE_URL: 'postgresql://reader:dev-reader-password@DB.internal/app?sslmode=require', STRIPE_KEY: 'sk_test_dev_secret' },
    });
    const create = project.run(['create', 'alice', '--from', 'dev']);
    expect(create.code).toBe(1);
    expect(create.stderr).toContain('refusing to use "alice"');
    expect(create.stderr).toMatch(/DATABASE_URL points at prod's database "app" on db\.internal:5432/);
    expect(hasStackTrace(create.stderr)).toBe(false);
    for (const secret of ['prod-db-password', 'dev-reader-password', 'sk_live_prod_secret', 'sk_test_dev_secret']) {
      expect(create.stdout + create.stderr).not.toContain(secret);
    }
    expect(existsSync(path.join(project.dir, '.fork-stack/envs/alice.env'))).toBe(false);
    expect(project.read('.env.local')).toBeUndefined();

    const json = project.run(['create', 'alice', '--from', 'dev', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.details.join('\n')).toContain('DATABASE_URL');

    const switchDev = project.run(['switch', 'dev']);
    expect(switchDev.code).toBe(1);
    expect(switchDev.stderr).toContain('DATABASE_URL');
    expect(project.read('.env.local')).toBeUndefined();
    expect(project.read('.current-env')).toBeUndefined();

    expect(project.run(['secrets', 'set', 'DATABASE_URL', 'postgres://app:alice-pw@db.internal:5432/app_alice', '--env', 'alice']).code).toBe(0);
    const again = project.run(['create', 'alice', '--from', 'dev', '--switch']);
    expect(again.code, again.stderr).toBe(0);
    expect(project.read('.env.local')).toContain('app_alice');
    expect(project.run(['switch', 'prod']).code).toBe(0);
  });

  it('secrets set refuses a value naming prod before storing it, also for an environment that is neither current nor has a variables file', async () => {
    project = await safetyProject(SECRETS_ONLY, {
      prod: { DATABASE_URL: 'postgres://app:prod-db-password@db.internal:5432/app' },
      dev: { DATABASE_URL: 'postgres://app:dev-pw@db.internal:5432/app_dev' },
    });
    expect(project.run(['create', 'alice', '--from', 'dev']).code).toBe(0);
    rmSync(path.join(project.dir, '.fork-stack/envs/alice.env'));
    const set = project.run(['secrets', 'set', 'REPORTING_URL', 'postgresql://reader:x@DB.internal/app', '--env', 'alice']);
    expect(set.code, set.stderr).toBe(1);
    expect(set.stderr).toContain('REPORTING_URL');
    expect(hasStackTrace(set.stderr)).toBe(false);
    // Nothing was stored: the refused value is not in alice's secrets, and no variables file was written.
    expect(project.run(['secrets', 'get', 'REPORTING_URL', '--env', 'alice']).code).toBe(1);
    expect(existsSync(path.join(project.dir, '.fork-stack/envs/alice.env'))).toBe(false);
    // Replacing the stored DATABASE_URL with one of alice's own is accepted.
    expect(project.run(['secrets', 'set', 'DATABASE_URL', 'postgres://app:alice-pw@db.internal:5432/app_alice', '--env', 'alice']).code).toBe(0);
  });

  it('refuses a secret naming prod\'s SQLite file, and a names override that maps an env to prod\'s resource', async () => {
    project = await safetyProject(LOCAL_STACK, { prod: { A: '1' }, dev: { REPORTING_DATABASE_URL: 'file:.fork-stack/data/app.prod.db' } });
    const switched = project.run(['switch', 'dev']);
    expect(switched.code).toBe(1);
    expect(switched.stderr).toContain('REPORTING_DATABASE_URL points at prod\'s SQLite file');
    expect(project.read('.env.local')).toBeUndefined();

    project.cleanup();
    project = await safetyProject(
      LOCAL_STACK.replace('provider = "fs"', 'provider = "fs"\nnames = { alice = "app-bucket-prod" }'),
      { prod: { A: '1' }, dev: { A: '2' } },
    );
    // Refused before any provider call (a usage error): nothing of alice is made, prod's bucket untouched.
    const create = project.run(['create', 'alice']);
    expect(create.code).toBe(2);
    expect(create.stderr).toMatch(/storage\.uploads \(fs\): "alice" and "prod" both name app-bucket-prod/);
    expect(existsSync(path.join(project.dir, '.fork-stack/envs/alice.env'))).toBe(false);
    expect(existsSync(path.join(project.dir, '.fork-stack/meta/alice.json'))).toBe(false);
    const del = project.run(['delete', 'alice', '--yes']);
    expect(del.code).toBe(2);
    expect(existsSync(path.join(project.dir, '.fork-stack/buckets/app-bucket-prod'))).toBe(true);
  });

  it('drops a copied secret that fork-stack itself produces, warns about it, and keeps the fork on its own database', async () => {
    project = await safetyProject(LOCAL_STACK, { prod: {}, dev: { DATABASE_URL: 'postgres://app:pw@db.internal/app', BUCKET_NAME: 'someone-elses', API_KEY: 'k-123456' } });
    const create = project.run(['create', 'alice', '--switch']);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toContain('secret DATABASE_URL copied from "dev" is ignored: fork-stack sets DATABASE_URL for "alice" itself');
    expect(create.stderr).toContain('secret BUCKET_NAME copied from "dev" is ignored');
    const envFile = project.read('.fork-stack/envs/alice.env') ?? '';
    expect(envFile).toMatch(/DATABASE_URL=file:.*app\.alice\.db/);
    expect(envFile).not.toContain('db.internal');
    expect(envFile).toContain('API_KEY=k-123456');
    const run = project.run(['run', '--', process.execPath, '-e', 'process.stdout.write(process.env.DATABASE_URL + "|" + process.env.API_KEY)']);
    expect(run.stdout).toMatch(/app\.alice\.db\|k-123456$/);
  });
});
