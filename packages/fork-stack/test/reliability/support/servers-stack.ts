/**
 * Self-hosted servers for the crash suite: a PostgreSQL database (CREATE DATABASE … TEMPLATE under a
 * staging name, then renamed) and a Redis cache with `copy = true` (the parent's keys copied under the
 * new prefix), both real servers started here, with a parent big enough that the copies take a while.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { tempDir } from '../../helpers/cli.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { dumpKeys, readKeys, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import type { CrashStack } from './crash.js';
import { localLeftovers } from './local-stack.js';

export interface ServersStack extends CrashStack {
  postgres: PostgresServer;
  redis: RedisServer;
  close(): Promise<void>;
}

const REGISTRY = '__fork_stack__:cache:prefixes';

export async function serversStack(options: { rows: number; keys: number }): Promise<ServersStack> {
  const env = 'alice';
  const [postgres, redis] = await Promise.all([startPostgres(), startRedisServer()]);
  await postgres.createDatabase('app_dev', {
    statements: [
      'CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, body text NOT NULL)',
      `INSERT INTO items SELECT g, 'sku-' || g, repeat(md5(g::text), 32) FROM generate_series(1, ${options.rows}) g`,
      'CREATE INDEX items_sku ON items (sku)',
    ],
  });
  const client: Redis = await redis.client();
  for (let i = 0; i < options.keys; i += 1000) {
    const batch = client.pipeline();
    for (let j = i; j < Math.min(options.keys, i + 1000); j++) {
      if (j % 3 === 0) batch.hset(`app:dev:user:${j}`, { name: `user ${j}`, n: String(j) });
      else batch.set(`app:dev:key:${j}`, `value ${j}`, ...((j % 5 === 0 ? ['EX', 86_400] : []) as []));
    }
    await batch.exec();
  }

  const project = tempDir('fork-stack-crash-servers-');
  const dir = path.join(project.dir, 'app');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    [
      'project = "app"',
      'default_parent = "dev"',
      'roots = ["dev"]',
      '',
      '[database]',
      'provider = "postgres"',
      '',
      '[cache]',
      'provider = "redis"',
      `url = "${redis.urlWithoutPassword}"`,
      'copy = true',
      '',
    ].join('\n')
  );

  const rowsHash = async (database: string) =>
    (await postgres.query<{ h: string }>("SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM items t", [], database))[0]?.h;
  const databases = async () => (await postgres.query<{ datname: string }>('SELECT datname FROM pg_database')).map((r) => r.datname);

  const stack: ServersStack = {
    dir,
    env,
    postgres,
    redis,
    cliEnv: { DATABASE_ADMIN_URL: postgres.adminUrl, FORK_STACK_RETRY_BASE_MS: '5' },
    async leftovers() {
      const found = localLeftovers(dir, env).map((f) => `disk: ${f}`);
      for (const name of await databases()) if (name === `app_${env}` || name.startsWith('fork_stack_tmp_')) found.push(`postgres: database ${name}`);
      const keys = await dumpKeys(client, `app:${env}:`);
      if (keys.size > 0) found.push(`redis: ${keys.size} keys under app:${env}:`);
      if (await client.hexists(REGISTRY, `app:${env}:`)) found.push(`redis: registry entry app:${env}:`);
      return found;
    },
    async parentChecksum() {
      return JSON.stringify({ rows: await rowsHash('app_dev'), keys: [...(await dumpKeys(client, 'app:dev:'))].sort() });
    },
    async childDiffers() {
      if ((await rowsHash(`app_${env}`).catch(() => 'missing')) !== (await rowsHash('app_dev'))) return `database app_${env} differs from app_dev`;
      const [parent, child] = await Promise.all([readKeys(client, 'app:dev:', { relative: true }), readKeys(client, `app:${env}:`, { relative: true })]);
      // TTLs are absolute expiry times, the same in a copy; compare values and expiries together.
      if (JSON.stringify([...parent].sort()) !== JSON.stringify([...child].sort())) return `cache: ${child.size} of ${parent.size} keys copied alike`;
      return undefined;
    },
    async phase() {
      const names = await databases();
      const parts = [
        names.some((n) => n.startsWith('fork_stack_tmp_')) && 'pg:staging',
        names.includes(`app_${env}`) && 'pg:database',
        (await client.hget(REGISTRY, `app:${env}:`))?.includes('"creating"') && 'redis:creating',
        (await client.hget(REGISTRY, `app:${env}:`))?.includes('"ready"') && 'redis:ready',
      ].filter(Boolean);
      const disk = localLeftovers(dir, env);
      if (disk.some((f) => f.includes('meta/'))) parts.unshift('journal');
      if (disk.some((f) => f.endsWith('.lock'))) parts.unshift('lock');
      return parts.length === 0 ? 'nothing yet' : parts.join('+');
    },
    async close() {
      project.cleanup();
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
  return stack;
}
