/**
 * `fork-stack diff` for hosted PostgreSQL: neon and supabase describe an environment by connecting to its
 * own DATABASE_URL. The fakes hand out connection details of a real local PostgreSQL server (one
 * database per branch), so the schema is read from a real server through the real providers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { OperationError } from '../../src/core/errors.js';
import { provider as neon } from '../../src/providers/database/neon.js';
import { schema as neonSchema, type NeonOptions } from '../../src/providers/database/neon.schema.js';
import { provider as supabase } from '../../src/providers/database/supabase.js';
import { schema as supabaseSchema, type SupabaseOptions } from '../../src/providers/database/supabase.schema.js';
import { testContext } from '../helpers/context.js';
import { postgresBinariesOrSkip, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { startNeonFake } from './neon.fake.js';

const binaries = postgresBinariesOrSkip();
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'hosted-pg-describe-'));
let server: PostgresServer;

beforeAll(async () => {
  if (!binaries) return;
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe.skipIf(!binaries)('describe over DATABASE_URL (hosted PostgreSQL)', () => {
  it('neon: the schema of each branch, read from its compute', async () => {
    const fake = await startNeonFake({ async: { polls: 2 }, scenario: 'empty' });
    try {
      fake.seed.project({ id: 'fake-project-shop', name: 'shop' });
      // Each branch's compute is a database of the local server named after the branch.
      fake.state.computeUrl = (branch) => server.url({ database: `neon_${branch.name}` });
      await server.query('CREATE DATABASE neon_main');
      await server.query('CREATE TABLE orders (id int PRIMARY KEY, item text)', [], 'neon_main');
      const ctx = testContext<NeonOptions>({ kind: 'database', root: tmpRoot, schema: neonSchema, options: { project_id: 'fake-project-shop' }, env: fake.env, roots: ['prod'] });

      await neon.fork(ctx, { env: 'alice', parent: 'prod' });
      // What Neon's copy-on-write branch holds: the parent's data, then alice's own migration.
      await server.query('CREATE DATABASE neon_alice TEMPLATE neon_main');
      await server.query('ALTER TABLE orders ADD COLUMN note text', [], 'neon_alice');
      await server.query('CREATE INDEX orders_item ON orders (item)', [], 'neon_alice');

      expect(await neon.describe(ctx, 'prod')).toEqual({ schema: { tables: { orders: { columns: { id: 'integer', item: 'text' }, indexes: ['orders_pkey'] } } } });
      expect(await neon.describe(ctx, 'alice')).toEqual({
        schema: { tables: { orders: { columns: { id: 'integer', item: 'text', note: 'text' }, indexes: ['orders_item', 'orders_pkey'] } } },
      });
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('neon: an unreachable compute is a clear operation error without the password', async () => {
    const fake = await startNeonFake({ async: { polls: 2 }, scenario: 'empty' });
    try {
      fake.seed.project({ id: 'fake-project-shop', name: 'shop' });
      const closed = server.url({ database: 'neon_gone' }).replace(`:${server.port}/`, ':1/');
      fake.state.computeUrl = () => closed;
      const ctx = testContext<NeonOptions>({ kind: 'database', root: tmpRoot, schema: neonSchema, options: { project_id: 'fake-project-shop' }, env: fake.env, roots: ['prod'] });
      await neon.fork(ctx, { env: 'bob', parent: 'prod' });
      const error = await neon.describe(ctx, 'bob').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationError);
      expect((error as OperationError).message).toMatch(/^neon: reading the schema of "bob" failed: .*ECONNREFUSED/);
      expect((error as OperationError).hint).toMatch(/DATABASE_URL/);
      expect(`${(error as OperationError).message} ${(error as OperationError).hint}`).not.toContain(server.password);
    } finally {
      await fake.close();
    }
  });

  it("supabase: the schema of a branch, read from the database its config names", async () => {
    const fake = await startFake('supabase', { async: { polls: 2 } });
    try {
      fake.state.database = () => ({ host: '127.0.0.1', port: server.port, password: server.password });
      await server.query('CREATE DATABASE sb_alice');
      await server.query('CREATE TABLE profiles (id uuid PRIMARY KEY, name text NOT NULL)', [], 'sb_alice');
      const ctx = testContext<SupabaseOptions>({
        kind: 'database',
        project: 'myapp',
        root: tmpRoot,
        schema: supabaseSchema,
        options: { project_ref: 'fakeprojectmyappaaaa', database: 'sb_alice' },
        env: fake.env,
        roots: ['prod'],
      });
      await supabase.fork(ctx, { env: 'alice', parent: 'prod' });
      expect(await supabase.describe(ctx, 'alice')).toEqual({ schema: { tables: { profiles: { columns: { id: 'uuid', name: 'text' }, indexes: ['profiles_pkey'] } } } });
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
