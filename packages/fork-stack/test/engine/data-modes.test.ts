/**
 * `[database] data = "schema-only" | "masked"` (docs/data-modes.md) through the engine's create, on real
 * SQLite files and a real PostgreSQL server: schema kept with no rows, masking deterministic and
 * unique-preserving with joins intact, each strategy, config errors before anything is made, the parent
 * unchanged, and an interrupted masking run that never leaves an unmasked fork reachable.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { caught } from '../helpers/caught.js';
import { createEngine, silentReporter, type LoadedSlot, type Reporter } from '../../src/engine/context.js';
import { createEnvironment } from '../../src/engine/create.js';
import { resetEnvironment } from '../../src/engine/reset.js';
import { resolveDataSpecs } from '../../src/engine/data-mode.js';
import { fileUrl } from '../../src/providers/database/sqlite.js';
import type { DataMode } from '../../src/providers/types.js';
import { runCli } from '../helpers/cli.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

const USERS = 5000;
const MASK = `
[database.mask]
"users.email" = "email"
"users.name" = "name"
"users.phone" = "phone"
"users.ip" = "hash"
"users.card" = "null"
"users.note" = "redact"
"users.tier" = "fixed:basic"
"orders.user_email" = "email"
`;

function seedStatements(id: string): string[] {
  return [
    `CREATE TABLE users (id ${id}, email TEXT NOT NULL UNIQUE, name TEXT, phone TEXT, ip TEXT, card TEXT, note TEXT, tier TEXT)`,
    `CREATE TABLE orders (id ${id}, user_email TEXT NOT NULL, total INTEGER)`,
    'CREATE INDEX orders_by_email ON orders (user_email)',
    'CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100',
    `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${USERS})
       INSERT INTO users (email, name, phone, ip, card, note, tier)
       SELECT 'person' || i || '@corp.test', 'Real Name ' || i, '+44 20 7946 ' || i, '10.0.' || (i % 250) || '.' || (i % 7), '4242', 'private note ' || i, 'gold' FROM s`,
    "INSERT INTO orders (user_email, total) SELECT email, id * 3 FROM users WHERE id <= 100",
    "INSERT INTO orders (user_email, total) SELECT email, 7 FROM users WHERE id <= 100",
  ];
}

interface Backend {
  /** Writes the project's config and makes the parent "dev" with data; returns the engine's environment. */
  setup(root: string, project: string, data: string): Promise<Record<string, string>>;
  query(root: string, project: string, env: string, sql: string): Promise<Record<string, unknown>[]>;
  exists(root: string, project: string, env: string): Promise<boolean>;
  /** The parent's content, to show it is unchanged. */
  fingerprint(root: string, project: string): Promise<string>;
}

const sqliteFile = (root: string, env: string) => path.join(root, 'db', `${env}.sqlite`);

const sqlite: Backend = {
  async setup(root, project, data) {
    writeFileSync(path.join(root, 'fork-stack.toml'), `project = "${project}"\n\n[database]\nprovider = "sqlite"\npath = "db/{env}.sqlite"\n${data}`);
    mkdirSync(path.join(root, 'db'), { recursive: true });
    const client = createClient({ url: fileUrl(sqliteFile(root, 'dev')) });
    try {
      for (const sql of seedStatements('INTEGER PRIMARY KEY AUTOINCREMENT')) await client.execute(sql);
    } finally {
      client.close();
    }
    return {};
  },
  async query(root, _project, env, sql) {
    const client = createClient({ url: fileUrl(sqliteFile(root, env)) });
    try {
      return (await client.execute(sql)).rows.map((r) => ({ ...r }));
    } finally {
      client.close();
    }
  },
  exists: async (root, _project, env) => existsSync(sqliteFile(root, env)),
  fingerprint: async (root) => createHash('sha256').update(readFileSync(sqliteFile(root, 'dev'))).digest('hex'),
};

const binaries = postgresBinariesOrSkip();
let server: PostgresServer;

const postgres: Backend = {
  async setup(root, project, data) {
    writeFileSync(path.join(root, 'fork-stack.toml'), `project = "${project}"\n\n[database]\nprovider = "postgres"\n${data}`);
    await server.createDatabase(`${project}_dev`, { statements: seedStatements('serial PRIMARY KEY') });
    return { DATABASE_ADMIN_URL: server.adminUrl, FORK_STACK_MASK_KEY: `test-key-${project}` };
  },
  query: async (_root, project, env, sql) => server.query(sql, [], `${project}_${env}`) as Promise<Record<string, unknown>[]>,
  exists: async (_root, project, env) => (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [`${project}_${env}`])).length > 0,
  async fingerprint(_root, project) {
    const rows = await server.query(
      "SELECT (SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u) AS u, (SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o) AS o",
      [],
      `${project}_dev`,
    );
    return JSON.stringify(rows);
  },
};

let counter = 0;
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

beforeAll(async () => {
  if (binaries) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const backends: [string, Backend, boolean][] = [
  ['sqlite', sqlite, true],
  ['postgres', postgres, Boolean(binaries)],
];

for (const [name, backend, available] of backends) {
  describe.skipIf(!available)(`data modes on ${name}`, () => {
    async function project(data: string) {
      const root = mkdtempSync(path.join(os.tmpdir(), 'fs-data-'));
      roots.push(root);
      const projectName = `dm${++counter}`;
      const env = await backend.setup(root, projectName, data);
      const config = await loadConfig({ cwd: root });
      const engine = (signal?: AbortSignal, reporter?: Reporter) => createEngine(config, { env, signal, reporter });
      const q = (e: string, sql: string) => backend.query(root, projectName, e, sql);
      return { root, projectName, env, engine, q, fingerprint: () => backend.fingerprint(root, projectName), exists: (e: string) => backend.exists(root, projectName, e) };
    }

    it('schema-only keeps tables, indexes and views with zero rows, and restarts sequences', async () => {
      const p = await project('data = "schema-only"\n');
      const before = await p.fingerprint();
      await createEnvironment(p.engine(), { env: 'empty', ttlMs: null });
      expect(await p.q('empty', 'SELECT count(*) AS n FROM users')).toEqual([{ n: name === 'sqlite' ? 0 : '0' }]);
      expect(Number((await p.q('empty', 'SELECT count(*) AS n FROM orders'))[0]?.n)).toBe(0);
      expect(Number((await p.q('empty', 'SELECT count(*) AS n FROM big_orders'))[0]?.n)).toBe(0);
      const indexes =
        name === 'sqlite'
          ? await p.q('empty', "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'orders_by_email'")
          : await p.q('empty', "SELECT indexname AS name FROM pg_indexes WHERE indexname = 'orders_by_email'");
      expect(indexes).toHaveLength(1);
      await p.q('empty', "INSERT INTO users (email) VALUES ('first@x.test')");
      expect(Number((await p.q('empty', 'SELECT id FROM users'))[0]?.id)).toBe(1);
      // Unique constraint kept.
      await expect(p.q('empty', "INSERT INTO users (email) VALUES ('first@x.test')")).rejects.toThrow(/unique/i);
      expect(await p.fingerprint()).toBe(before);
      expect(Number((await p.q('dev', 'SELECT count(*) AS n FROM users'))[0]?.n)).toBe(USERS);
    });

    it('masked: every strategy applied, unique and joinable, deterministic across forks, parent unchanged', async () => {
      const p = await project(`data = "full"\n${MASK}`);
      const before = await p.fingerprint();
      await createEnvironment(p.engine(), { env: 'm1', ttlMs: null, runOptions: { data: 'masked' } });
      await createEnvironment(p.engine(), { env: 'm2', ttlMs: null, runOptions: { data: 'masked' } });
      const users = await p.q('m1', 'SELECT id, email, name, phone, ip, card, note, tier FROM users ORDER BY id');
      expect(users).toHaveLength(USERS);
      expect(new Set(users.map((u) => u.email)).size).toBe(USERS);
      for (const u of users) {
        expect(u.email).toMatch(/^user-[0-9a-f]{16}@example\.com$/);
        expect(u.name).not.toMatch(/Real Name/);
        expect(u.phone).toMatch(/^\+1-555-\d{3}-\d{4}$/);
        expect(u.ip).toMatch(/^[0-9a-f]{32}$/);
        expect(u.card).toBeNull();
        expect(u.note).toBe('REDACTED');
        expect(u.tier).toBe('basic');
      }
      // Orders still join their users on the masked e-mail.
      const joined = await p.q('m1', 'SELECT count(*) AS n FROM orders o JOIN users u ON u.email = o.user_email');
      expect(Number(joined[0]?.n)).toBe(200);
      // Same input, same output: a second fork masks identically.
      expect(await p.q('m2', 'SELECT id, email, name, phone, ip FROM users ORDER BY id')).toEqual(users.map(({ id, email, name, phone, ip }) => ({ id, email, name, phone, ip })));
      expect(await p.fingerprint()).toBe(before);
      if (name === 'sqlite') {
        // No env var: the key was made in .fork-stack/mask-key, readable by its owner only.
        expect(statSync(path.join(p.root, '.fork-stack', 'mask-key')).mode & 0o077).toBe(0);
        // VACUUM after masking: the original addresses are not left in free pages of the file.
        expect(readFileSync(sqliteFile(p.root, 'm1')).includes('person1@corp.test')).toBe(false);
      }
    });

    it('reset of a masked environment masks again, even after the config says full (a full copy never replaces it)', async () => {
      const p = await project(`data = "masked"\n${MASK}`);
      await createEnvironment(p.engine(), { env: 'r', ttlMs: null });
      await resetEnvironment(p.engine(), 'r');
      const leaked = await p.q('r', "SELECT count(*) AS n FROM users WHERE email LIKE '%corp.test'");
      expect(Number(leaked[0]?.n)).toBe(0);
      // The mode is recorded at create: a later change of the config to "full" does not unmask it on reset.
      const file = path.join(p.root, 'fork-stack.toml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('data = "masked"', 'data = "full"'));
      await resetEnvironment(createEngine(await loadConfig({ cwd: p.root }), { env: p.env }), 'r');
      const still = await p.q('r', "SELECT count(*) AS n FROM users WHERE email LIKE '%corp.test'");
      expect(Number(still[0]?.n)).toBe(0);
    });

    it('a mask rule naming an unknown table or column is a config error (exit 2) and nothing is created', async () => {
      const p = await project(`data = "masked"\n${MASK}"users.nope" = "hash"\n"ghosts.email" = "email"\n`);
      const error = await caught(createEnvironment(p.engine(), { env: 'bad', ttlMs: null }));
      expect(error.exitCode).toBe(2);
      const text = [error.message, ...error.details].join('\n');
      expect(text).toMatch(/table "users" of "dev" has no column "nope"/);
      expect(text).toMatch(/"dev" has no table "ghosts"/);
      expect(await p.exists('bad')).toBe(false);
    });

    it('an interrupt mid-mask never leaves an unmasked fork reachable, and the rollback removes it', async () => {
      const p = await project(`data = "masked"\n${MASK}`);
      const before = await p.fingerprint();
      const controller = new AbortController();
      // Abort once the first batch of users has been masked: the copy is half masked at that moment.
      const engine = p.engine(controller.signal, {
        ...silentReporter,
        slot: (_id, event) => {
          if (event.progress?.message?.startsWith('masking') && (event.progress.done ?? 0) > 0) controller.abort(new Error('interrupted'));
        },
      });
      const slot = (await engine.slots())[0] as LoadedSlot;
      const error = await caught(createEnvironment(engine, { env: 'cut', ttlMs: null }));
      expect(error.message).toMatch(/interrupted/);
      expect(controller.signal.aborted).toBe(true);
      expect(await p.exists('cut')).toBe(false);
      expect(await slot.provider.find(slot.ctx, 'cut')).toBeUndefined();
      if (name === 'postgres') {
        expect(await server.query("SELECT datname FROM pg_database WHERE datname LIKE 'fork_stack_tmp_%'")).toEqual([]);
      } else {
        const left = (await import('node:fs')).readdirSync(path.join(p.root, 'db'));
        expect(left).toEqual(['dev.sqlite']);
      }
      expect(await p.fingerprint()).toBe(before);
    });
  });
}

describe('data modes refused where a provider cannot honour them', () => {
  it('a provider without the capability refuses masked before any call, with exit 2', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fs-data-'));
    roots.push(root);
    writeFileSync(path.join(root, 'fork-stack.toml'), 'project = "refuse"\n\n[database]\nprovider = "neon"\nproject_id = "shiny-wind-028834"\n');
    const config = await loadConfig({ cwd: root });
    // No NEON_API_KEY: a call to Neon would fail on credentials; the refusal must come first.
    const engine = createEngine(config, { env: {} });
    const error = await caught(createEnvironment(engine, { env: 'x', ttlMs: null, runOptions: { data: 'masked' as DataMode } }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/the neon provider cannot make masked forks; nothing was created/);
    await expect(resolveDataSpecs(engine, await engine.slots(), 'dev', 'schema-only')).rejects.toThrow(/cannot make schema-only forks/);
  });

  it('data = "masked" with no rules is a config error', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fs-data-'));
    roots.push(root);
    writeFileSync(path.join(root, 'fork-stack.toml'), 'project = "norules"\n\n[database]\nprovider = "sqlite"\ndata = "masked"\n');
    const engine = createEngine(await loadConfig({ cwd: root }), { env: {} });
    const error = await caught(createEnvironment(engine, { env: 'x', ttlMs: null }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/has no rules/);
  });

  it('an unknown strategy or a target without a column is reported by the config loader', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fs-data-'));
    roots.push(root);
    writeFileSync(path.join(root, 'fork-stack.toml'), 'project = "badcfg"\n\n[database]\nprovider = "sqlite"\ndata = "masked"\n\n[database.mask]\n"users.email" = "scramble"\n"users" = "hash"\n');
    const error = await caught(loadConfig({ cwd: root }));
    expect(error.exitCode).toBe(2);
    const text = error.details.join('\n');
    expect(text).toMatch(/must be one of "email", "name", "phone", "null", "hash", "redact", "fixed:<value>"/);
    expect(text).toMatch(/must be "table.column"/);
  });
});

describe('data modes from the command line', () => {
  it('create --data masked with a rule on a missing column exits 2 naming it, and doctor fails that rule', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fs-data-'));
    roots.push(root);
    await sqlite.setup(root, 'clidata', `\n[database.mask]\n"users.email" = "email"\n"users.nope" = "hash"\n`);
    const create = runCli(['create', 'x', '--data', 'masked'], { cwd: root });
    expect(create.code).toBe(2);
    expect(create.stderr).toMatch(/table "users" of "dev" has no column "nope"/);
    expect(existsSync(sqliteFile(root, 'x'))).toBe(false);
    // The config says data = "full": doctor has nothing to check until masking is configured.
    writeFileSync(path.join(root, 'fork-stack.toml'), readFileSync(path.join(root, 'fork-stack.toml'), 'utf8').replace('path = "db/{env}.sqlite"', 'path = "db/{env}.sqlite"\ndata = "masked"'));
    const doctor = runCli(['doctor'], { cwd: root });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout + doctor.stderr).toMatch(/mask rules[\s\S]*no column "nope"/);
    const bad = runCli(['create', 'y', '--data', 'everything'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/full, schema-only, masked/);
  });
});
