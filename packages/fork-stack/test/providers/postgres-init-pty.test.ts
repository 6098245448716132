/**
 * Interactive `init` on PostgreSQL, on a real pseudo-terminal (util-linux `script`) with key presses:
 * it must ask which existing database is the root, never create an empty `<project>_prod` on a server
 * that holds the user's data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, tempDir } from '../helpers/cli.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

const binaries = postgresBinariesOrSkip();
const hasScript = existsSync('/usr/bin/script');

let server: PostgresServer;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  if (!binaries || !hasScript) return;
  server = await startPostgres();
  tmp = tempDir('fork-stack-pg-pty-');
});
afterAll(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const DOWN = '\x1b[B';
const ENTER = '\r';

/** Run the CLI on a pseudo-terminal, pressing `keys` one by one once its output has settled. */
function onTerminal(args: string[], cwd: string, env: Record<string, string | undefined>, keys: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  // A terminal of a real size: with 0 columns the prompts wrap after every character.
  const child = spawn('script', ['-qefc', `stty cols 120 rows 40; ${command}`, '/dev/null'], { cwd, env: cleanEnv({ ...env, TERM: 'xterm', CI: undefined }), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let last = Date.now();
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    last = Date.now();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
    last = Date.now();
  });
  const pending = [...keys];
  const timer = setInterval(() => {
    // One key per quiet period: the prompt has drawn itself and waits.
    if (pending.length > 0 && output.length > 0 && Date.now() - last > 400) {
      child.stdin.write(pending.shift()!);
      last = Date.now();
    }
  }, 50);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(kill);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!binaries || !hasScript)('interactive init on postgres (pseudo-terminal)', () => {
  it('interactive init on postgres asks which existing database is the root and creates no empty shop_prod', async () => {
    await server.createDatabase('crm', { statements: ['CREATE TABLE customers (id int)', 'INSERT INTO customers VALUES (1)'] });
    await server.createDatabase('crm_archive', { statements: [] });
    const dir = path.join(tmp.dir, 'shop');
    mkdirSync(dir);
    // project (shop), database: sqlite → postgres, storage fs, secrets dotenv, cache none, queue none,
    // root (prod), then the database that is prod: crm → crm_archive.
    const keys = [ENTER, DOWN, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, DOWN, ENTER];
    const run = await onTerminal(['init'], dir, { DATABASE_ADMIN_URL: server.adminUrl }, keys);
    expect(run.code, run.output).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(run.output.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '')).toMatch(/Which existing database is "prod"/);
    const toml = readFileSync(path.join(dir, 'fork-stack.toml'), 'utf8');
    expect(toml).toMatch(/names = \{ prod = "crm_archive" \}/);
    expect(await server.query("SELECT datname FROM pg_database WHERE datname LIKE 'shop%'")).toEqual([]);
    expect(readFileSync(path.join(dir, '.current-env'), 'utf8').trim()).toBe('prod');
    expect(await server.query('SELECT count(*)::int AS n FROM customers', [], 'crm')).toEqual([{ n: 1 }]);
  });
});
