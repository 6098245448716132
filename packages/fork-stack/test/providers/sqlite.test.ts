/**
 * The sqlite provider against real SQLite files: forks are consistent snapshots even while another
 * process commits to the parent (WAL and rollback-journal modes), the parent is never changed, and
 * DATABASE_URL opens with @libsql/client.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { provider, fileUrl } from '../../src/providers/database/sqlite.js';
import { schema, type SqliteOptions } from '../../src/providers/database/sqlite.schema.js';
import { testContext } from '../helpers/context.js';
import { ownershipContract } from '../helpers/ownership-contract.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { afterAll } from 'vitest';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function ctx(options: Record<string, unknown> = {}) {
  return testContext<SqliteOptions>({ kind: 'database', root, schema, options });
}

async function rows(file: string, sql: string) {
  const client = createClient({ url: fileUrl(file) });
  try {
    return (await client.execute(sql)).rows;
  } finally {
    client.close();
  }
}

/** A separate process committing one row per transaction as fast as it can, until killed. */
function startWriter(file: string, journal: 'wal' | 'delete') {
  const script = `
    const { createClient } = await import(${JSON.stringify(require.resolve('@libsql/client'))});
    const c = createClient({ url: ${JSON.stringify(fileUrl(file))} });
    await c.execute('PRAGMA busy_timeout = 10000');
    await c.execute('PRAGMA journal_mode = ${journal}');
    process.stdout.write('ready\\n');
    for (let i = 1; ; i++) {
      await c.batch([{ sql: 'INSERT INTO t (id, payload) VALUES (?, ?)', args: [i, 'x'.repeat(200)] }, { sql: 'UPDATE counter SET n = ?', args: [i] }], 'write');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { child, ready };
}

const require = (await import('node:module')).createRequire(import.meta.url);

describe('sqlite provider', () => {
  for (const journal of ['wal', 'delete'] as const) {
    it(`takes consistent snapshots while another process writes (${journal} mode)`, async () => {
      root = mkdtempSync(path.join(os.tmpdir(), 'fs-sqlite-'));
      const c = ctx();
      await provider.createEmpty(c, 'dev');
      const devFile = path.join(root, '.fork-stack/data/app.dev.db');
      const client = createClient({ url: fileUrl(devFile) });
      await client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)');
      await client.execute('CREATE TABLE counter (n INTEGER)');
      await client.execute('INSERT INTO counter VALUES (0)');
      client.close();
      const writer = startWriter(devFile, journal);
      await writer.ready;
      try {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const env = `fork-${i}`;
          await provider.fork(c, { env, parent: 'dev' });
          const file = path.join(root, `.fork-stack/data/app.${env}.db`);
          // The fork is one self-contained file: no WAL or partial file left beside it.
          expect(existsSync(`${file}-wal`)).toBe(false);
          expect((await rows(file, 'PRAGMA integrity_check'))[0]?.[0]).toBe('ok');
          const [stats] = await rows(file, 'SELECT count(*) AS n, coalesce(max(id), 0) AS max, (SELECT n FROM counter) AS counter FROM t');
          // Every committed transaction up to the snapshot is there, and none half: ids 1..max, counter = max.
          expect(Number(stats?.n)).toBe(Number(stats?.max));
          expect(Number(stats?.counter)).toBe(Number(stats?.max));
          expect(Number(stats?.max)).toBeGreaterThan(0);
        }
      } finally {
        writer.child.kill('SIGKILL');
      }
      expect(readdirSync(path.join(root, '.fork-stack/data')).filter((f) => f.includes('partial'))).toEqual([]);
    });
  }

  it('child and parent are independent after the fork', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-sqlite-'));
    const c = ctx();
    await provider.createEmpty(c, 'dev');
    const vars = await provider.variables(c, 'dev');
    const dev = createClient({ url: vars.DATABASE_URL as string });
    await dev.execute('CREATE TABLE notes (body TEXT)');
    await dev.execute("INSERT INTO notes VALUES ('from dev')");
    await provider.fork(c, { env: 'alice', parent: 'dev' });
    const alice = createClient({ url: (await provider.variables(c, 'alice')).DATABASE_URL as string });
    await alice.execute("INSERT INTO notes VALUES ('from alice')");
    expect((await alice.execute('SELECT count(*) AS n FROM notes')).rows[0]?.n).toBe(2);
    expect((await dev.execute('SELECT count(*) AS n FROM notes')).rows[0]?.n).toBe(1);
    dev.close();
    alice.close();
  });

  it('is idempotent, lists by pattern, removes, and handles odd paths', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs sqlite ü-'));
    const c = ctx({ path: 'db dir/{project}.{env}.sqlite', names: { dev: 'db dir/main.sqlite' } });
    await provider.createEmpty(c, 'dev');
    const first = await provider.fork(c, { env: 'alice', parent: 'dev' });
    const second = await provider.fork(c, { env: 'alice', parent: 'dev' });
    expect(second.name).toBe(first.name);
    expect((await provider.list(c)).map((r) => r.env).sort()).toEqual(['alice', 'dev']);
    expect(provider.resourceName(c, 'dev')).toBe('db dir/main.sqlite');
    const url = (await provider.variables(c, 'alice')).DATABASE_URL as string;
    const client = createClient({ url });
    await client.execute('SELECT 1');
    client.close();
    await provider.remove(c, { env: 'alice' });
    await provider.remove(c, { env: 'alice' });
    expect(await provider.find(c, 'alice')).toBeUndefined();
    await expect(provider.fork(c, { env: 'bob', parent: 'ghost' })).rejects.toThrow(/parent database .* does not exist/);
  });

  it('checks report a writable directory and a working engine', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fs-sqlite-'));
    const checks = await provider.check(ctx());
    expect(checks.every((c) => c.status === 'ok')).toBe(true);
  });
});

{
  const own = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-sqlite-own-'));
  afterAll(() => rmSync(own, { recursive: true, force: true }));
  const fileOf = (env: string) => path.join(own, '.fork-stack', 'data', `app.${env}.db`);
  const write = async (file: string, statements: string[]) => {
    mkdirSync(path.dirname(file), { recursive: true });
    const client = createClient({ url: fileUrl(file) });
    try {
      for (const sql of statements) await client.execute(sql);
    } finally {
      client.close();
    }
  };
  ownershipContract('sqlite', provider as Provider<unknown>, async () => {
    const context = testContext<SqliteOptions>({ kind: 'database', root: own, schema });
    await write(fileOf('dev'), ['CREATE TABLE notes (body text)', "INSERT INTO notes VALUES ('dev')"]);
    return {
      ctx: context as ProviderContext<unknown>,
      parent: 'dev',
      foreign: {
        plant: {
          // A file put at the environment's path by hand (a names override, a copied database): no ledger entry.
          empty: async (env) => {
            mkdirSync(path.dirname(fileOf(env)), { recursive: true });
            writeFileSync(fileOf(env), '');
          },
          'non-empty': (env) => write(fileOf(env), ['CREATE TABLE accounts (owner text)', "INSERT INTO accounts VALUES ('not fork-stack')"]),
        },
        fingerprint: async (env) => {
          const file = fileOf(env);
          if (!existsSync(file)) return 'absent';
          const side = ['-wal', '-shm', '-journal'].filter((s) => existsSync(file + s));
          return JSON.stringify({ bytes: readFileSync(file).toString('base64'), mode: statSync(file).mode, side, ledger: existsSync(path.join(own, '.fork-stack', 'owned', 'database', env)) });
        },
        clear: async (env) => {
          for (const s of ['', '-wal', '-shm', '-journal']) rmSync(fileOf(env) + s, { force: true });
        },
      },
    };
  });
}
