/**
 * The local stack (sqlite + fs bucket + dotenv secrets) with a parent big enough that a create takes a
 * while, checksums of the parent's data, and a scan for anything an environment left on disk.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, writeFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { parseDotenv } from '../../../src/core/files/dotenv.js';
import { localProject, type RunResult, type RunOptions } from '../../helpers/cli.js';

export interface LocalStack {
  dir: string;
  run(args: string[], opts?: Partial<RunOptions>): RunResult;
  cleanup(): void;
  /** Files the parent holds: database rows, bucket files, secret keys. */
  size: { rows: number; dbBytes: number; files: number; secrets: number };
}

export interface LocalStackSize {
  /** Rows of `rowBytes` random bytes in the parent database. */
  rows: number;
  rowBytes: number;
  /** Files in the parent bucket, spread over nested directories. */
  files: number;
}

const DB = (dir: string, env: string) => path.join(dir, '.fork-stack', 'data', `app.${env}.db`);
const BUCKET = (dir: string, env: string) => path.join(dir, '.fork-stack', 'buckets', `app-bucket-${env}`);
const SECRETS = (dir: string, env: string) => path.join(dir, '.fork-stack', 'secrets', `${env}.env`);

/** `fork-stack init` (root dev), then a parent database, bucket and secrets of the given size. */
export async function localStack(size: LocalStackSize): Promise<LocalStack> {
  const project = localProject('app');
  const { dir } = project;
  const db = createClient({ url: `file:${DB(dir, 'dev')}` });
  try {
    await db.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, body BLOB NOT NULL)');
    await db.execute('CREATE INDEX items_sku ON items (sku)');
    await db.execute({
      sql: `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
            INSERT INTO items (sku, body) SELECT printf('sku-%08d', x), randomblob(?) FROM n`,
      args: [size.rows, size.rowBytes],
    });
  } finally {
    db.close();
  }
  const bucket = BUCKET(dir, 'dev');
  for (let i = 0; i < size.files; i++) {
    const sub = path.join(bucket, `d${i % 17}`, `e${i % 5}`);
    if (i < 85) mkdirSync(sub, { recursive: true });
    writeFileSync(
      path.join(sub, `object-${i}.bin`),
      createHash('sha256')
        .update(String(i))
        .digest()
        .toString('hex')
        .repeat(8 + (i % 32))
    );
  }
  const secrets = { API_TOKEN: 'tok-parent-1', WEBHOOK_SECRET: 'whsec parent "quoted"', MULTI: 'line1\nline2' };
  writeFileSync(SECRETS(dir, 'dev'), 'API_TOKEN=tok-parent-1\nWEBHOOK_SECRET=\'whsec parent "quoted"\'\nMULTI="line1\\nline2"\n', { mode: 0o600 });
  const dbBytes = lstatSync(DB(dir, 'dev')).size;
  return { dir, run: project.run, cleanup: project.cleanup, size: { rows: size.rows, dbBytes, files: size.files, secrets: Object.keys(secrets).length } };
}

/** sha256 of every row of every table (ordered by rowid), schema included: the data, not the file bytes. */
export async function databaseHash(file: string): Promise<string> {
  const db = createClient({ url: `file:${file}` });
  try {
    const hash = createHash('sha256');
    const tables = await db.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
    for (const t of tables.rows) {
      hash.update(`${String(t.name)}\n${String(t.sql)}\n`);
      if (!String(t.sql).startsWith('CREATE TABLE')) continue;
      const rows = await db.execute(`SELECT * FROM "${String(t.name).replace(/"/g, '""')}" ORDER BY rowid`);
      for (const row of rows.rows) {
        for (let i = 0; i < rows.columns.length; i++) {
          const value = row[i];
          hash.update(value instanceof ArrayBuffer ? new Uint8Array(value) : `${typeof value}:${String(value)}|`);
        }
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/** sha256 over every path, kind, mode and content (or link target) under `dir`, in sorted order. */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const r = path.posix.join(rel, name);
      const st = lstatSync(full);
      if (st.isDirectory()) {
        hash.update(`d ${r} ${st.mode & 0o777}\n`);
        walk(full, r);
      } else if (st.isSymbolicLink()) hash.update(`l ${r} ${readlinkSync(full)}\n`);
      else
        hash
          .update(`f ${r} ${st.mode & 0o777} `)
          .update(readFileSync(full))
          .update('\n');
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

export interface LocalChecksums {
  database: string;
  bucket: string;
  secrets: string;
}

export async function localChecksums(dir: string, env: string): Promise<LocalChecksums> {
  return {
    database: await databaseHash(DB(dir, env)),
    bucket: treeHash(BUCKET(dir, env)),
    // The values, not the file: its header names the environment.
    secrets: createHash('sha256')
      .update(JSON.stringify(Object.entries(parseDotenv(readFileSync(SECRETS(dir, env), 'utf8'))).sort()))
      .digest('hex'),
  };
}

/**
 * Everything under the project's state directory that belongs to `env` or to no environment at all:
 * its database (and -wal/-shm/-journal), bucket, secrets, env file, metadata and lock, and any
 * `.partial` or `.tmp` leftover of an interrupted write. After a delete the answer must be [].
 */
export function localLeftovers(dir: string, env: string): string[] {
  const found: string[] = [];
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const r = path.posix.join(rel, name);
      const full = path.join(d, name);
      const mine = new RegExp(`(^|[./_-])${env}([./_-]|$)`).test(name);
      if (mine || /\.partial/.test(name) || /\.tmp$/.test(name) || name.endsWith('.lock')) {
        found.push(r);
        continue;
      }
      // Parent bucket contents are not leftovers; do not descend into environments' trees.
      if (lstatSync(full).isDirectory() && !/^app-bucket-/.test(name)) walk(full, r);
    }
  };
  walk(path.join(dir, '.fork-stack'), '.fork-stack');
  return found.sort();
}

/** What of `env` existed at some instant (for the tally of where kills landed). */
export function localPhase(dir: string, env: string): string {
  const has = (p: string) => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  };
  const stateDir = path.join(dir, '.fork-stack');
  const metaText = (() => {
    try {
      return readFileSync(path.join(stateDir, 'meta', `${env}.json`), 'utf8');
    } catch {
      return '';
    }
  })();
  const parts = [
    has(path.join(stateDir, 'locks', `${env}.lock`)) && 'lock',
    metaText.includes('"creating"') && 'journal:creating',
    metaText.includes('"ready"') && 'journal:ready',
    has(DB(dir, env)) && 'db',
    readdirSync(path.join(stateDir, 'data')).some((n) => n.includes('.partial')) && 'db.partial',
    has(BUCKET(dir, env)) && 'bucket',
    readdirSync(path.join(stateDir, 'buckets')).some((n) => n.includes('.partial')) && 'bucket.partial',
    has(SECRETS(dir, env)) && 'secrets',
    has(path.join(stateDir, 'envs', `${env}.env`)) && 'env-file',
  ].filter(Boolean);
  return parts.length === 0 ? 'nothing yet' : parts.join('+');
}
