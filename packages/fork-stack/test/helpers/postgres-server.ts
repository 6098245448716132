/**
 * A real PostgreSQL server for tests and benchmarks: `initdb` + `postgres` on a free loopback port, in a
 * temp directory, stopped and removed by `stop()`. Uses the server binaries already on the machine:
 * FORK_STACK_PG_BIN (a bin directory), else the newest /usr/lib/postgresql/<major>/bin (Debian, Ubuntu:
 * `apt-get install postgresql`), else `initdb` on PATH (Homebrew, other distributions).
 *
 * PostgreSQL refuses to run as root. When the tests run as root (containers, CI), the server runs as an
 * unprivileged user: `nobody`, or a system user `fork-stack-pg` created here if `nobody` is missing; the
 * data directory is handed to that user. Nothing else on the machine is touched.
 *
 * Usage:
 *   const pgBin = postgresBinariesOrSkip();            // undefined → skip (throws when CI=true)
 *   describe.skipIf(!pgBin)('…', () => {
 *     let server: PostgresServer;
 *     beforeAll(async () => { server = await startPostgres(); });
 *     afterAll(() => server?.stop());
 *     it('…', async () => { await server.query('SELECT 1'); const url = server.url({ database: 'app' }); });
 *   });
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresBinaries {
  /** Directory holding initdb and postgres. */
  binDir: string;
  /** Major version, e.g. 15. */
  major: number;
}

export interface StartOptions {
  /** Extra server settings (`-c name=value`), e.g. { max_connections: '50' }. */
  settings?: Record<string, string>;
  /**
   * Durable writes (fsync on). Off by default: tests do not need crash safety and run much faster.
   * Benchmarks turn it on so timings are those of a real server.
   */
  durable?: boolean;
  /** Password of the superuser `postgres` (random by default). */
  password?: string;
  /** Parent directory of the server's temp directory. */
  baseDir?: string;
}

export interface Credentials {
  user: string;
  password?: string;
}

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly major: number;
  /** Superuser name and password. */
  readonly user: 'postgres';
  readonly password: string;
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  readonly adminUrl: string;
  /** The temp directory (data directory in `data/`). */
  readonly dir: string;
  readonly binaries: PostgresBinaries;
  /** Connection URL for a database (default postgres) as a role (default the superuser). */
  url(options?: { database?: string } & Partial<Credentials>): string;
  /** A connected client; the caller ends it. */
  connect(options?: { database?: string; applicationName?: string } & Partial<Credentials>): Promise<pg.Client>;
  /** Run one statement on a fresh connection and return its rows. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** CREATE ROLE … LOGIN with a password; options map to role attributes. */
  createRole(name: string, options?: { password?: string; createdb?: boolean; superuser?: boolean }): Promise<Credentials>;
  /** CREATE DATABASE, then run `statements` in it (schema and seed data). */
  createDatabase(name: string, options?: { owner?: string; statements?: string[] }): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stop the server (fast shutdown) and delete its directory. Safe to call twice. */
  stop(): Promise<void>;
}

function versionOf(binDir: string): number | undefined {
  const result = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const match = /(\d+)(?:\.\d+)?/.exec(result.stdout ?? '');
  return result.status === 0 && match ? Number(match[1]) : undefined;
}

function usable(binDir: string): PostgresBinaries | undefined {
  if (!existsSync(path.join(binDir, 'initdb')) || !existsSync(path.join(binDir, 'postgres'))) return undefined;
  const major = versionOf(binDir);
  return major === undefined ? undefined : { binDir, major };
}

/** Find PostgreSQL server binaries on this machine, or undefined. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const explicit = process.env.FORK_STACK_PG_BIN;
  if (explicit) return usable(explicit);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of majors) {
      const found = usable(path.join(debian, v, 'bin'));
      if (found) return found;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'initdb'))) {
      const found = usable(dir);
      if (found) return found;
    }
  }
  return undefined;
}

const MISSING =
  'PostgreSQL server binaries (initdb, postgres) not found: install them (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql) or set FORK_STACK_PG_BIN to their bin directory';

/**
 * The binaries, or undefined after printing why the PostgreSQL tests are skipped. When CI=true a
 * missing server is an error: CI must run these tests.
 */
export function postgresBinariesOrSkip(): PostgresBinaries | undefined {
  const found = findPostgresBinaries();
  if (found) return found;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${MISSING} (CI=true: the PostgreSQL tests must run)`);
  console.warn(`skipping PostgreSQL tests: ${MISSING}`);
  return undefined;
}

interface RunAs {
  uid: number;
  gid: number;
}

function passwdEntry(name: string): RunAs | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // No /etc/passwd: not a system where we run as root.
  }
  return undefined;
}

/** As root: an unprivileged user to run the server as (creating a system user if needed). Otherwise undefined. */
function serverUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const existing = passwdEntry('nobody') ?? passwdEntry('fork-stack-pg');
  if (existing) return existing;
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'fork-stack-pg'], { encoding: 'utf8' });
  const created = passwdEntry('fork-stack-pg');
  if (!created) throw new Error(`running as root and no unprivileged user to run PostgreSQL as: useradd failed: ${made.stderr}`);
  return created;
}

/** Every ancestor must be searchable by others, or the server user cannot reach its data directory. */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(binary: string, args: string[], runAs: RunAs | undefined, cwd: string): void {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, ...(runAs ?? {}) });
  if (result.status !== 0) throw new Error(`${path.basename(binary)} failed (${result.status}): ${result.stderr || result.stdout}`);
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  // libpq variables of the surrounding shell must not leak into the server or our clients.
  for (const key of Object.keys(env)) if (key.startsWith('PG')) delete env[key];
  return env;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start-up:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms (${(error as Error).message}):\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test run must not leave servers behind: immediate shutdown of the ones we started.
  process.once('exit', () => {
    for (const c of running) c.kill('SIGQUIT');
  });
}

/** Start a fresh server. Throws when no binaries are found (use postgresBinariesOrSkip first). */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const binaries = findPostgresBinaries();
  if (!binaries) throw new Error(MISSING);
  const runAs = serverUser();
  const base = options.baseDir ?? (runAs && !reachableByOthers(os.tmpdir()) ? '/tmp' : os.tmpdir());
  const dir = mkdtempSync(path.join(base, 'fork-stack-pg-'));
  const dataDir = path.join(dir, 'data');
  const password = options.password ?? randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  chmodSync(dir, 0o700);

  try {
    run(
      path.join(binaries.binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      runAs,
      dir,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  rmSync(pwfile, { force: true });

  const durable = options.durable ?? false;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // No Unix socket: its default directory belongs to the system's postgres user.
    unix_socket_directories: '',
    fsync: durable ? 'on' : 'off',
    synchronous_commit: durable ? 'on' : 'off',
    full_page_writes: durable ? 'on' : 'off',
    max_connections: '100',
    ...options.settings,
  };

  let child: ChildProcess | undefined;
  let logText = '';
  const log = () => logText;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    child = spawn(path.join(binaries.binDir, 'postgres'), args, { cwd: dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
    const append = (chunk: Buffer) => {
      logText = (logText + chunk.toString()).slice(-64_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    killOnExit(child);
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    try {
      await waitReady(url, child, log);
      break;
    } catch (error) {
      child.kill('SIGQUIT');
      running.delete(child);
      // Another process took the port between our probe and the server's bind: try another one.
      if (attempt < 3 && /could not bind|Address already in use/i.test(logText)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  const server = child as ChildProcess;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const url: PostgresServer['url'] = ({ database = 'postgres', user = 'postgres', password: pw } = {}) => {
    const secret = pw ?? (user === 'postgres' ? password : undefined);
    const auth = encodeURIComponent(user) + (secret === undefined ? '' : `:${encodeURIComponent(secret)}`);
    return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  };
  const connect: PostgresServer['connect'] = async (opts = {}) => {
    const client = new pg.Client({ connectionString: url(opts), application_name: opts.applicationName });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  let stopped = false;

  return {
    host: '127.0.0.1',
    port,
    major: binaries.major,
    user: 'postgres',
    password,
    adminUrl: url(),
    dir,
    binaries,
    url,
    connect,
    async query(sql, params, database) {
      const client = await connect({ database });
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async createRole(name, { password: rolePassword = randomBytes(9).toString('hex'), createdb = false, superuser = false } = {}) {
      const client = await connect();
      try {
        const attrs = [`LOGIN`, createdb ? 'CREATEDB' : 'NOCREATEDB', superuser ? 'SUPERUSER' : 'NOSUPERUSER'].join(' ');
        await client.query(`CREATE ROLE ${pg.escapeIdentifier(name)} ${attrs} PASSWORD ${pg.escapeLiteral(rolePassword)}`);
      } finally {
        await client.end();
      }
      return { user: name, password: rolePassword };
    },
    async createDatabase(name, { owner, statements = [] } = {}) {
      const admin = await connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${owner ? ` OWNER ${pg.escapeIdentifier(owner)}` : ''}`);
      } finally {
        await admin.end();
      }
      if (statements.length === 0) return;
      const client = await connect({ database: name });
      try {
        for (const sql of statements) await client.query(sql);
      } finally {
        await client.end();
      }
    },
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
        const timer = setTimeout(() => server.kill('SIGQUIT'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
