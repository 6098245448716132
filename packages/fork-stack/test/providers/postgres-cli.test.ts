/**
 * End to end: the built CLI with `[database] provider = "postgres"` against a real server started here —
 * init (creates the empty root), create, switch, run (the app connects with DATABASE_URL), list,
 * the open-connections refusal and FORK_STACK_PG_TERMINATE=1, delete, doctor, and bad input.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

const binaries = postgresBinariesOrSkip();
const pgModule = createRequire(import.meta.url).resolve('pg');

let server: PostgresServer;
let tmp: ReturnType<typeof tempDir>;
let dir: string;
let env: Record<string, string>;

const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

function ok(result: RunResult): RunResult {
  expect(result.code, result.stderr).toBe(0);
  expect(hasStackTrace(result.stderr)).toBe(false);
  return result;
}

beforeAll(async () => {
  if (!binaries) return;
  server = await startPostgres();
  tmp = tempDir('fork-stack-pg-e2e-');
  dir = path.join(tmp.dir, 'shop');
  mkdirSync(dir);
  env = { DATABASE_ADMIN_URL: server.adminUrl };
});
afterAll(async () => {
  await server?.stop();
  tmp?.cleanup();
});

describe.skipIf(!binaries)('postgres provider through the CLI', () => {
  it('init --database postgres without DATABASE_ADMIN_URL exits 2 and writes nothing (no fork-stack.toml, no .gitignore)', () => {
    const empty = path.join(tmp.dir, 'no-admin-url');
    mkdirSync(empty);
    const result = runCli(['init', '--database', 'postgres', '--project', 'shop', '--root', 'dev', '--yes'], { cwd: empty, env: { DATABASE_ADMIN_URL: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_ADMIN_URL is not set/);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('init --database postgres writes the section and creates the empty root database', () => {
    const init = ok(cli(['init', '--database', 'postgres', '--project', 'shop', '--root', 'dev', '--yes']));
    expect(init.stderr).not.toMatch(/^error/m);
    const toml = readFileSync(path.join(dir, 'fork-stack.toml'), 'utf8');
    expect(toml).toMatch(/\[database\]\nprovider = "postgres"/);
    expect(toml).not.toContain(server.password);
    expect(ok(cli(['current'])).stdout).toBe('dev\n');
  });

  it('create → switch → run → list → delete', async () => {
    await server.query('CREATE TABLE orders (id int PRIMARY KEY, item text)', [], 'shop_dev');
    await server.query("INSERT INTO orders VALUES (1, 'teapot')", [], 'shop_dev');

    const created = ok(cli(['create', 'pr-7']));
    expect(created.stderr).toMatch(/created pr-7 from dev/);
    ok(cli(['switch', 'pr-7']));

    const script = `
      const { default: pg } = await import(${JSON.stringify(pgModule)});
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query("INSERT INTO orders VALUES (2, 'kettle')");
      const { rows } = await c.query('SELECT current_database() AS db, count(*)::int AS n FROM orders');
      console.log(process.env.FORK_STACK_ENV, rows[0].db, rows[0].n);
      await c.end();`;
    const run = ok(cli(['run', '--', process.execPath, '--input-type=module', '-e', script]));
    expect(run.stdout).toBe('pr-7 shop_pr_7 2\n');
    expect((await server.query('SELECT count(*)::int AS n FROM orders', [], 'shop_dev'))[0]).toEqual({ n: 1 });

    const shown = ok(cli(['env', '--format', 'json'])).stdout;
    expect(JSON.parse(shown).DATABASE_URL).toBe(`postgres://postgres:****@127.0.0.1:${server.port}/shop_pr_7`);
    expect(shown).not.toContain(server.password);
    const revealed = JSON.parse(ok(cli(['env', '--format', 'json', '--reveal'])).stdout);
    expect(revealed.DATABASE_URL).toBe(server.url({ database: 'shop_pr_7' }));
    expect(readFileSync(path.join(dir, '.env.local'), 'utf8')).toContain(server.url({ database: 'shop_pr_7' }));

    const list = JSON.parse(ok(cli(['list', '--json'])).stdout);
    expect(list.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'pr-7']);
    expect(list.environments[1]).toMatchObject({ state: 'ready', parent: 'dev', current: true });
    expect(list.environments[1].resources.database).toMatchObject({ name: 'shop_pr_7', owned: true });

    const deleted = ok(cli(['delete', 'pr-7', '--yes']));
    expect(deleted.stderr).toMatch(/deleted pr-7/);
    expect(await server.query("SELECT 1 FROM pg_database WHERE datname = 'shop_pr_7'")).toEqual([]);
    expect(ok(cli(['current'])).stdout).toBe('dev\n');
  });

  it('refuses to fork a parent with open connections, listing them; FORK_STACK_PG_TERMINATE=1 ends them', async () => {
    const session = await server.connect({ database: 'shop_dev', applicationName: 'rails console' });
    session.on('error', () => undefined);
    const refused = cli(['create', 'qa']);
    expect(refused.code).toBe(1);
    expect(hasStackTrace(refused.stderr)).toBe(false);
    expect(refused.stderr).toMatch(/database \(postgres\): cannot fork "dev" into "qa": the parent database "shop_dev" has 1 open connection/);
    expect(refused.stderr).toMatch(/application "rails console", client 127\.0\.0\.1:\d+, user postgres/);
    expect(refused.stderr).toMatch(/--terminate-connections/);
    expect(await server.query("SELECT 1 FROM pg_database WHERE datname LIKE 'shop_qa%' OR datname LIKE 'fork_stack_tmp_%'")).toEqual([]);

    ok(cli(['create', 'qa'], { FORK_STACK_PG_TERMINATE: '1' }));
    await expect(session.query('SELECT 1')).rejects.toThrow();
    expect((await server.query('SELECT count(*)::int AS n FROM orders', [], 'shop_qa'))[0]).toEqual({ n: 1 });
    ok(cli(['delete', 'qa', '--yes']));
  });

  it('--terminate-connections reports which sessions it ended (pid, application, user, client), on stderr and in --json', async () => {
    const worker = await server.connect({ database: 'shop_dev', applicationName: 'billing-worker' });
    worker.on('error', () => undefined);
    const pid = (await worker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const created = ok(cli(['create', 'qa-json', '--terminate-connections', '--json']));
    const ended = new RegExp(`pid ${pid} \\(application "billing-worker", user postgres, client 127\\.0\\.0\\.1:\\d+\\)`);
    expect(JSON.parse(created.stdout).resources.database.details.terminated_sessions).toMatch(ended);
    expect(created.stderr).toMatch(new RegExp(`warning: database \\(postgres\\): ended session ${ended.source} on "shop_dev" \\(--terminate-connections\\)`));
    await expect(worker.query('SELECT 1')).rejects.toThrow();

    const psql = await server.connect({ database: 'shop_dev', applicationName: 'psql' });
    psql.on('error', () => undefined);
    const human = ok(cli(['create', 'qa-human', '--terminate-connections']));
    expect(human.stderr).toMatch(/ended session pid \d+ \(application "psql", user postgres, client 127\.0\.0\.1:\d+\)/);
    ok(cli(['delete', 'qa-json', '--yes']));
    ok(cli(['delete', 'qa-human', '--yes']));
  });

  it("a teammate's checkout creating the same environment at the same moment: one run makes it, the other is told it already exists", async () => {
    const teammate = path.join(tmp.dir, 'teammate', 'shop');
    mkdirSync(teammate, { recursive: true });
    copyFileSync(path.join(dir, 'fork-stack.toml'), path.join(teammate, 'fork-stack.toml'));
    const runs = await Promise.all([dir, teammate].map((cwd) => runCliAsync(['create', 'race'], { cwd, env })));
    expect(runs.map((r) => r.code).sort(), runs.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
    const loser = runs.find((r) => r.code === 1) as RunResult;
    expect(loser.stderr).toMatch(/^error: environment "race" already exists/m);
    expect(hasStackTrace(loser.stderr)).toBe(false);
    expect(await server.query("SELECT datname FROM pg_database WHERE datname LIKE '%race%'")).toEqual([{ datname: 'shop_race' }]);
    ok(cli(['delete', 'race', '--yes']));
  });

  it('gc --expired on another machine sees the expiry recorded on the database and deletes it', async () => {
    const elsewhere = path.join(tmp.dir, 'ci-runner', 'shop');
    mkdirSync(elsewhere, { recursive: true });
    copyFileSync(path.join(dir, 'fork-stack.toml'), path.join(elsewhere, 'fork-stack.toml'));
    ok(cli(['create', 'pr-9', '--ttl', '1h'], { FORK_STACK_NOW: '2026-01-01T00:00:00Z' }));
    // A checkout that never saw the create (no journal): the expiry comes from the database's marker.
    const there = (args: string[], now: string) => runCli(args, { cwd: elsewhere, env: { ...env, FORK_STACK_NOW: now } });
    const status = JSON.parse(ok(there(['status', 'pr-9', '--json'], '2026-01-01T00:30:00Z')).stdout);
    expect(status.expiresAt).toBe('2026-01-01T01:00:00.000Z');
    expect(JSON.parse(ok(there(['gc', '--dry-run', '--json'], '2026-01-01T00:30:00Z')).stdout).entries).toEqual([]);
    const gc = JSON.parse(ok(there(['gc', '--yes', '--json'], '2026-01-01T02:00:00Z')).stdout);
    expect(gc.entries).toEqual([{ env: 'pr-9', reason: 'expired 1h ago', action: 'deleted' }]);
    expect(await server.query("SELECT datname FROM pg_database WHERE datname = 'shop_pr_9'")).toEqual([]);
  });

  it('doctor checks the server; bad input is explained with exit 2 and no stack trace', () => {
    const doctor = JSON.parse(ok(cli(['doctor', '--json'])).stdout);
    const checks = doctor.sections[0].checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`);
    expect(checks).toEqual(expect.arrayContaining(['admin URL:ok', 'server:ok', 'create databases:ok', 'root "dev":ok']));

    const noUrl = cli(['create', 'zed'], { DATABASE_ADMIN_URL: undefined });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/DATABASE_ADMIN_URL is not set/);
    expect(hasStackTrace(noUrl.stderr)).toBe(false);

    // The longest project name (40) and a 30-character env make a 71-byte database name.
    const long = path.join(tmp.dir, 'long');
    mkdirSync(long);
    const project = 'a-very-long-project-name-for-the-limits1';
    ok(runCli(['init', '--database', 'postgres', '--project', project, '--root', 'dev', '--yes'], { cwd: long, env }));
    const tooLong = runCli(['create', 'feature-with-a-long-name-12345'], { cwd: long, env });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/database name "a_very_long_project_name_for_the_limits1_feature_with_a_long_name_12345" is 71 bytes; PostgreSQL allows at most 63/);
    expect(hasStackTrace(tooLong.stderr)).toBe(false);
  });
});
