/**
 * A real redis-server (or valkey-server) for tests: started on a free loopback port in a temp directory,
 * with no persistence, stopped and removed by `stop()`.
 *
 *   const available = redisServerAvailable();            // false → skip (fails instead when CI=true)
 *   describe.skipIf(!available)('…', () => {
 *     let server: RedisServer;
 *     beforeAll(async () => { server = await startRedisServer({ password: 'pw' }); });
 *     afterAll(() => server.stop());
 *   });
 *
 * The binary is found on PATH (and /usr/bin, /usr/sbin, /usr/local/bin); REDIS_SERVER_BIN or
 * VALKEY_SERVER_BIN picks a specific one. Debian packages: redis-server (valkey-server from trixie on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export type ServerFlavour = 'redis' | 'valkey';

export interface RedisServerOptions {
  flavour?: ServerFlavour;
  password?: string;
  /** Logical databases (server default 16). */
  databases?: number;
  /** Further `--name value` arguments for the server. */
  args?: string[];
}

export interface RedisServer {
  flavour: ServerFlavour;
  host: string;
  port: number;
  password?: string;
  /** redis://[:password@]127.0.0.1:<port> */
  url: string;
  /** The same URL without the password. */
  urlWithoutPassword: string;
  /** A connected client (closed by stop()). */
  client(db?: number): Promise<Redis>;
  stop(): Promise<void>;
}

const BINARIES: Record<ServerFlavour, { name: string; variable: string }> = {
  redis: { name: 'redis-server', variable: 'REDIS_SERVER_BIN' },
  valkey: { name: 'valkey-server', variable: 'VALKEY_SERVER_BIN' },
};

export function findServerBinary(flavour: ServerFlavour = 'redis'): string | undefined {
  const { name, variable } = BINARIES[flavour];
  const explicit = process.env[variable];
  if (explicit) return explicit;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Whether tests needing this server can run. Missing binary: a failure when CI=true (CI installs it), a
 * skip with a message otherwise. `required: false` never fails (optional extras such as valkey-server).
 */
export function redisServerAvailable(flavour: ServerFlavour = 'redis', required = true): boolean {
  if (findServerBinary(flavour)) return true;
  const { name, variable } = BINARIES[flavour];
  const message = `${name} not found (PATH, /usr/bin, /usr/sbin, /usr/local/bin, $${variable})`;
  if (required && process.env.CI === 'true') throw new Error(`${message}: CI must install it (Debian package ${name})`);
  console.warn(`skipping tests that need ${name}: ${message}`);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPing(port: number, password: string | undefined, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}: ${log()}`);
    const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not answer PING: ${log()}`);
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const flavour = options.flavour ?? 'redis';
  const binary = findServerBinary(flavour);
  if (!binary) throw new Error(`${BINARIES[flavour].name} not found`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `fork-stack-${flavour}-`));
  let lastError: unknown;
  // A port found free can be taken before the server binds it; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    if (options.password) args.push('--requirepass', options.password);
    if (options.databases) args.push('--databases', String(options.databases));
    args.push(...(options.args ?? []));
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    try {
      await waitForPing(port, options.password, child, () => output);
    } catch (error) {
      child.kill('SIGKILL');
      lastError = error;
      continue;
    }
    const clients: Redis[] = [];
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    return {
      flavour,
      host: '127.0.0.1',
      port,
      password: options.password,
      url: `redis://${auth}127.0.0.1:${port}`,
      urlWithoutPassword: `redis://127.0.0.1:${port}`,
      async client(db = 0) {
        const client = new Redis({ host: '127.0.0.1', port, password: options.password, db, lazyConnect: true });
        await client.connect();
        clients.push(client);
        return client;
      },
      async stop() {
        for (const c of clients) c.disconnect();
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Every key under `prefix` (all keys when "") → `DUMP hex | absolute expiry in ms` (PEXPIRETIME; -1 without
 * TTL). Two snapshots are equal when every key is byte-identical with the same expiry. `relative` strips the
 * prefix from the names, to compare an environment with its copy. Keys are latin1 strings (binary-safe).
 */
export async function dumpKeys(client: Redis, prefix = '', options: { relative?: boolean; skip?: (key: string) => boolean } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const pattern = `${prefix.replace(/[\\*?[\]]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next.toString();
    const wanted = keys.filter((k) => k.toString('latin1').startsWith(prefix) && !options.skip?.(k.toString('latin1')));
    if (wanted.length === 0) continue;
    const pipeline = client.pipeline();
    for (const key of wanted) {
      pipeline.dumpBuffer(key);
      pipeline.call('PEXPIRETIME', key);
    }
    const replies = (await pipeline.exec()) ?? [];
    wanted.forEach((key, i) => {
      const dump = replies[2 * i]?.[1] as Buffer | null;
      const expiry = replies[2 * i + 1]?.[1];
      const name = key.toString('latin1');
      out.set(options.relative ? name.slice(prefix.length) : name, `${dump?.toString('hex')}|${String(expiry)}`);
    });
  } while (cursor !== '0');
  return out;
}

/** Write one key of every type under `prefix` (some with TTLs, one binary key), for copy and isolation tests. */
export async function seedKeys(client: Redis, prefix: string): Promise<void> {
  const p = client.pipeline();
  p.set(`${prefix}string`, 'hello');
  p.set(`${prefix}ttl`, 'expires', 'PX', 3_600_000);
  p.hset(`${prefix}hash`, { a: '1', b: 'two' });
  p.rpush(`${prefix}list`, 'x', 'y', 'z');
  p.sadd(`${prefix}set`, 'm', 'n');
  p.zadd(`${prefix}zset`, 1, 'one', 2, 'two');
  p.xadd(`${prefix}stream`, '1-1', 'field', 'value');
  p.pexpire(`${prefix}hash`, 7_200_000);
  p.set(Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0x00, 0x2a])]), Buffer.from([1, 2, 3]));
  p.set(`${prefix}with:colons:and*glob?[chars]`, 'literal');
  await p.exec();
}

/**
 * Every key under `prefix` → its logical value and absolute expiry (`type:value|expiry`), independent of
 * the server's internal encoding (a copied set may DUMP its members in another order). For comparing an
 * environment with its copy; use dumpKeys() to prove keys were not touched at all.
 */
export async function readKeys(client: Redis, prefix = '', options: { relative?: boolean; skip?: (key: string) => boolean } = {}): Promise<Map<string, string>> {
  const dumps = await dumpKeys(client, prefix, options);
  const out = new Map<string, string>();
  for (const [name, dump] of dumps) {
    const key = Buffer.from(options.relative ? prefix + name : name, 'latin1');
    const type = await client.type(key);
    let value: unknown;
    if (type === 'string') value = (await client.getBuffer(key))?.toString('hex');
    else if (type === 'hash') value = Object.entries(await client.hgetall(key)).sort();
    else if (type === 'list') value = await client.lrange(key, 0, -1);
    else if (type === 'set') value = (await client.smembers(key)).sort();
    else if (type === 'zset') value = await client.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
    else if (type === 'stream') value = await client.xrange(key, '-', '+');
    else value = dump;
    out.set(name, `${type}:${JSON.stringify(value)}|${dump.split('|')[1]}`);
  }
  return out;
}
