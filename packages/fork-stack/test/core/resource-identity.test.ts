/**
 * Resource identities (src/core/resource-identity): tables of spellings that must name the same resource,
 * and neighbours that must not.
 */
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalHost,
  databaseIdentity,
  directoryIdentities,
  fileIdentities,
  LOCAL,
  parseKeywords,
  parsePostgres,
  pathIdentities,
  resolvePath,
} from '../../src/core/resource-identity/index.js';
import { tempDir } from '../helpers/cli.js';

const same = (a: string[], b: string[]) => a.some((id) => b.includes(id));
const db = (value: string, root = '/project') => databaseIdentity(value, root)?.ids ?? [];

describe('canonicalHost', () => {
  it.each([
    ['localhost'],
    ['LOCALHOST'],
    ['localhost.'],
    ['127.0.0.1'],
    ['127.1'],
    ['127.0.0.2'],
    ['0x7f.1'],
    ['2130706433'],
    ['::1'],
    ['[::1]'],
    ['0:0:0:0:0:0:0:1'],
    ['::ffff:127.0.0.1'],
    ['0.0.0.0'],
    ['app.localhost'],
    ['/var/run/postgresql'],
    [''],
  ])('%j is this machine', (host) => {
    expect(canonicalHost(host)).toBe(LOCAL);
  });

  it('lower-cases host names and drops the trailing dot, and keeps other hosts apart', () => {
    expect(canonicalHost('DB.Internal.')).toBe('db.internal');
    expect(canonicalHost('10.1.2.3')).not.toBe(LOCAL);
    expect(canonicalHost('db.example.com')).toBe('db.example.com');
    expect(canonicalHost('128.0.0.1')).toBe('128.0.0.1');
  });
});

describe('PostgreSQL strings, read as libpq reads them', () => {
  it('parses the keyword form with quotes and escapes', () => {
    expect(parseKeywords("host=db port = 5433 dbname='my db' password='it\\'s'")).toEqual({ host: 'db', port: '5433', dbname: 'my db', password: "it's" });
    expect(parseKeywords('just some text')).toBeUndefined();
    expect(parseKeywords('')).toBeUndefined();
  });

  it('fills libpq defaults and lets query parameters override the URI', () => {
    expect(parsePostgres('postgres:///mydb?host=/var/run/postgresql&port=5433')).toMatchObject({ servers: [{ host: '/var/run/postgresql', port: '5433' }], database: 'mydb' });
    expect(parsePostgres('postgresql://u@h/ignored?dbname=real')).toMatchObject({ database: 'real', user: 'u' });
    expect(parsePostgres('postgres://admin@h1:5433,h2/x')?.servers).toEqual([
      { host: 'h1', port: '5433' },
      { host: 'h2', port: '5432' },
    ]);
    expect(parsePostgres('postgres://admin@h')?.database).toBe('admin');
    expect(parsePostgres('host=a,b port=6000 dbname=d')?.servers).toEqual([
      { host: 'a', port: '6000' },
      { host: 'b', port: '6000' },
    ]);
    expect(parsePostgres('host=h hostaddr=10.0.0.9 dbname=d')?.servers).toEqual([{ host: '10.0.0.9', port: '5432' }]);
    expect(parsePostgres("dbname='postgres://u@h:5433/inner'")).toMatchObject({ servers: [{ host: 'h', port: '5433' }], database: 'inner' });
    expect(parsePostgres('sk_live_123')).toBeUndefined();
    expect(parsePostgres('a=b')).toBeUndefined();
  });
});

describe('database identities', () => {
  const prod = 'postgres://app:secret@127.0.0.1:5432/app_prod';
  it.each([
    'postgres://other:pw@localhost/app_prod',
    'postgresql://app@LOCALHOST:5432/app_prod?sslmode=disable',
    'postgres://app@[::1]:5432/app_prod',
    'postgres://app@127.1/app_prod',
    'postgres:///app_prod',
    'postgres:///app_prod?host=/var/run/postgresql',
    'postgres:///app_prod?host=%2Fvar%2Frun%2Fpostgresql&port=5432',
    'postgres://localhost/?dbname=app_prod',
    'postgres://%2Ftmp/app_prod',
    'host=localhost dbname=app_prod user=app',
    'host=127.0.0.1 port=5432 dbname=app_prod',
    "host='/tmp' dbname = 'app_prod'",
    'hostaddr=127.0.0.1 dbname=app_prod',
    'host=db.other,localhost dbname=app_prod',
    'jdbc:postgresql://localhost:5432/app_prod',
  ])('%s is prod\'s database', (spelling) => {
    expect(same(db(spelling), db(prod))).toBe(true);
  });

  it.each([
    'postgres://app:secret@127.0.0.1:5432/app_alice',
    'postgres://app:secret@127.0.0.1:5433/app_prod',
    'host=localhost port=5433 dbname=app_prod',
    'postgres://app:secret@db.internal:5432/app_prod',
    'mysql://app@127.0.0.1:5432/app_prod',
    'host=localhost dbname=app_prod_copy',
  ])('%s is another database', (spelling) => {
    expect(same(db(spelling), db(prod))).toBe(false);
  });

  it('fills MySQL, Redis-less engines\' default ports and normalises their hosts', () => {
    expect(same(db('mysql://u@LOCALHOST/shop'), db('mysql://v:p@127.0.0.1:3306/shop'))).toBe(true);
    expect(same(db('mysql://u@127.0.0.1:3307/shop'), db('mysql://v:p@127.0.0.1:3306/shop'))).toBe(false);
  });

  it('reads Turso\'s libsql:// as https on port 443', () => {
    const turso = db('libsql://app-acme.turso.io');
    expect(same(databaseIdentity('https://APP-ACME.turso.io', '/', { httpAsLibsql: true })?.ids ?? [], turso)).toBe(true);
    expect(same(databaseIdentity('wss://app-acme.turso.io:443', '/', { httpAsLibsql: true })?.ids ?? [], turso)).toBe(true);
    expect(same(databaseIdentity('https://app-alice-acme.turso.io', '/', { httpAsLibsql: true })?.ids ?? [], turso)).toBe(false);
    // Without the candidate's flag an https URL is no database (prod's Sentry DSN is not a resource).
    expect(databaseIdentity('https://app-acme.turso.io', '/')).toBeUndefined();
  });
});

describe('file identities', () => {
  const tmp = tempDir('fork-stack-identity-');
  afterAll(() => tmp.cleanup());
  const root = path.join(tmp.dir, 'app');
  const data = path.join(root, '.fork-stack', 'data');
  mkdirSync(data, { recursive: true });
  const prodFile = path.join(data, 'app.prod.db');
  writeFileSync(prodFile, 'sqlite');
  symlinkSync(prodFile, path.join(tmp.dir, 'link.db'));
  symlinkSync(data, path.join(tmp.dir, 'data-link'));
  linkSync(prodFile, path.join(tmp.dir, 'hard.db'));
  const prod = db(`file:${prodFile}`, root);

  it.each([
    'file:.fork-stack/data/app.prod.db',
    'file:./.fork-stack/data/app.prod.db',
    `file://${prodFile}`,
    `file://localhost${prodFile}`,
    `file:${prodFile}?mode=ro`,
    `file:${prodFile.replace('app.prod.db', 'app%2Eprod.db')}`,
    'sqlite:///.fork-stack/data/app.prod.db',
    `sqlite:///${prodFile}`,
    'file:../link.db',
    'file:../data-link/app.prod.db',
    'file:../hard.db',
  ])('%s is prod\'s SQLite file', (spelling) => {
    expect(same(db(spelling, root), prod)).toBe(true);
  });

  it.each(['.fork-stack/data/app.prod.db', './.fork-stack/data/../data/app.prod.db', prodFile, '../link.db', path.join(tmp.dir, 'hard.db')])(
    'the bare path %s is prod\'s SQLite file',
    (spelling) => {
      expect(same(pathIdentities(resolvePath(spelling, root)!), fileIdentities(prodFile))).toBe(true);
    },
  );

  it('tells other files apart, also ones that do not exist yet', () => {
    expect(same(db('file:.fork-stack/data/app.alice.db', root), prod)).toBe(false);
    expect(same(pathIdentities(resolvePath('.fork-stack/data/app.prod.db-journal', root)!), fileIdentities(prodFile))).toBe(false);
    expect(same(db('file:../data-link/app.new.db', root), db(`file:${path.join(data, 'app.new.db')}`, root))).toBe(true);
  });

  it('sees a bucket directory through a trailing slash, a symlink and any path inside it, not its parent', () => {
    const bucket = path.join(root, '.fork-stack', 'buckets', 'app-bucket-prod');
    mkdirSync(bucket, { recursive: true });
    symlinkSync(bucket, path.join(tmp.dir, 'bucket-link'));
    const prodBucket = directoryIdentities(bucket);
    for (const spelling of [`${bucket}/`, '.fork-stack/buckets/app-bucket-prod/', './.fork-stack/buckets/x/../app-bucket-prod', '../bucket-link', '../bucket-link/', `${bucket}/uploads/a.png`]) {
      expect(same(pathIdentities(resolvePath(spelling, root)!), prodBucket), spelling).toBe(true);
    }
    for (const spelling of ['.fork-stack/buckets', '.fork-stack/buckets/app-bucket-alice/', `${bucket}-old`]) {
      expect(same(pathIdentities(resolvePath(spelling, root)!), prodBucket), spelling).toBe(false);
    }
    expect(resolvePath('~/x', root)).toBe(path.join(os.homedir(), 'x'));
  });
});
