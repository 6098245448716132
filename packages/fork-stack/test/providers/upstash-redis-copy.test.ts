/**
 * upstash-redis with `copy = true`: back up the parent, restore the backup into the new database, delete
 * the backup. The shared Upstash fake does not model the backup endpoints (they are left out of its
 * trimmed spec), so this file extends it, for this test only, with the four backup operations exactly as
 * the Upstash Developer API's OpenAPI spec declares them (upstash/docs devops/developer-api/openapi.yml:
 * create-backup, list-backup, restore-backup, delete-backup, and the Backup schema), and with handlers that
 * follow the docs: a backup is "pending" before it is "completed", a restore replaces all data of the
 * target database, and a backup may be restored "to any database in your account or team".
 * Every request is still checked against the (extended) spec.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
  process.env.FORK_STACK_POLL_INTERVAL_MS = '5';
});

import { FakeServer } from '@fork-stack/provider-fakes';
import { HttpError, notFound } from '../../../provider-fakes/src/core/http-error.js';
import type { Handler } from '../../../provider-fakes/src/core/provider.js';
import { upstashRedis, type UpstashSeed, type UpstashState } from '../../../provider-fakes/src/providers/upstash-redis.js';
import { provider } from '../../src/providers/cache/upstash-redis.js';
import { schema, type UpstashRedisOptions } from '../../src/providers/cache/upstash-redis.schema.js';
import { testContext } from '../helpers/context.js';

interface Backup {
  database_id: string;
  name: string;
  backup_id: string;
  creation_time: number;
  reads: number;
  data: Record<string, string>;
}
type State = UpstashState & { backups: Map<string, Backup>; data: Map<string, Record<string, string>> };

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const okString = { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'string' } } } } };
const security = [{ basicAuth: [] }];
const BACKUP_PATHS = {
  '/redis/create-backup/{id}': {
    post: {
      operationId: 'createBackup',
      parameters: [idParam],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } } },
      responses: okString,
      security,
    },
  },
  '/redis/list-backup/{id}': {
    get: {
      operationId: 'listBackup',
      parameters: [idParam],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Backup' } } } } } },
      security,
    },
  },
  '/redis/restore-backup/{id}': {
    post: {
      operationId: 'restoreBackup',
      parameters: [idParam],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { backup_id: { type: 'string' } }, required: ['backup_id'] } } } },
      responses: okString,
      security,
    },
  },
  '/redis/delete-backup/{id}/{backup_id}': {
    delete: {
      operationId: 'deleteBackup',
      parameters: [idParam, { name: 'backup_id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: okString,
      security,
    },
  },
};
const BACKUP_SCHEMA = {
  type: 'object',
  properties: {
    database_id: { type: 'string' },
    customer_id: { type: 'string' },
    name: { type: 'string' },
    backup_id: { type: 'string' },
    creation_time: { type: 'integer', format: 'int64' },
    state: { type: 'string', enum: ['pending', 'completed', 'failed'] },
    backup_size: { type: 'integer', format: 'int64' },
    daily_backup: { type: 'string', enum: ['true', 'false'] },
  },
};

const base = upstashRedis as unknown as typeof upstashRedis & { handlers: Record<string, Handler<State>> };
const backupHandlers: Record<string, Handler<State>> = {
  'POST /redis/create-backup/{id}': (ctx) => {
    if (!ctx.state.databases.has(ctx.params.id as string)) throw notFound('database not found');
    const n = ctx.nextId('backup');
    const backup_id = `00000000-0000-4000-a000-${n.toString(16).padStart(12, '0')}`;
    const data = { ...(ctx.state.data.get(ctx.params.id as string) ?? {}) };
    ctx.state.backups.set(backup_id, { database_id: ctx.params.id as string, name: (ctx.body as { name: string }).name, backup_id, creation_time: 1_760_000_000 + n, reads: 0, data });
    return { body: 'OK' };
  },
  'GET /redis/list-backup/{id}': (ctx) => ({
    body: [...ctx.state.backups.values()]
      .filter((b) => b.database_id === ctx.params.id)
      // A backup is taken in the background: the first listing shows it pending.
      .map((b) => ({ database_id: b.database_id, customer_id: 'dev@example.com', name: b.name, backup_id: b.backup_id, creation_time: b.creation_time, state: b.reads++ === 0 ? 'pending' : 'completed', backup_size: 1024, daily_backup: 'false' })),
  }),
  'POST /redis/restore-backup/{id}': (ctx) => {
    const backup = ctx.state.backups.get((ctx.body as { backup_id: string }).backup_id);
    if (!ctx.state.databases.has(ctx.params.id as string) || !backup) throw notFound('database or backup not found');
    if (backup.reads < 2) throw new HttpError(400, 'backup is not completed yet');
    ctx.state.data.set(ctx.params.id as string, { ...backup.data });
    return { body: 'OK' };
  },
  'DELETE /redis/delete-backup/{id}/{backup_id}': (ctx) => {
    if (!ctx.state.backups.delete(ctx.params.backup_id as string)) throw notFound('backup not found');
    return { body: 'OK' };
  },
};

async function startFakeWithBackups(): Promise<FakeServer<State, UpstashSeed>> {
  const spec = structuredClone(base.spec) as typeof base.spec & { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  Object.assign(spec.paths, BACKUP_PATHS);
  spec.components.schemas.Backup = BACKUP_SCHEMA;
  const definition = {
    ...base,
    spec,
    createState: (): State => ({ ...base.createState(), backups: new Map(), data: new Map() }),
    handlers: { ...base.handlers, ...backupHandlers },
  };
  const fake = new FakeServer<State, UpstashSeed>(definition as never, {});
  await fake.listen();
  return fake;
}

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'upstash-copy-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe('upstash-redis copy = true (backup and restore)', () => {
  let fake: FakeServer<State, UpstashSeed>;
  beforeEach(async () => {
    fake = await startFakeWithBackups();
  });
  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.close();
  });
  const ctx = () =>
    testContext<UpstashRedisOptions>({ kind: 'cache', project: 'myapp', root: tmpRoot, schema, options: { names: { prod: 'myapp-cache' }, copy: true }, env: fake.env, roots: ['prod'] });

  it('backs up the parent, restores it into the new database, waits for both, and deletes the backup', async () => {
    const prod = [...fake.state.databases.values()].find((d) => d.database_name === 'myapp-cache');
    fake.state.data.set(prod?.database_id as string, { 'session:1': 'alice', greeting: 'hello' });
    const made = await provider.fork(ctx(), { env: 'alice', parent: 'prod' });
    expect(fake.state.data.get(made.id as string)).toEqual({ 'session:1': 'alice', greeting: 'hello' });
    expect(fake.state.backups.size).toBe(0);
    const ops = fake.requests.map((r) => r.operation).filter((o) => o && o !== 'GET /redis/databases');
    expect(ops).toEqual([
      'POST /redis/database',
      'POST /redis/create-backup/{id}',
      'GET /redis/list-backup/{id}',
      'GET /redis/list-backup/{id}',
      'POST /redis/restore-backup/{id}',
      'DELETE /redis/delete-backup/{id}/{backup_id}',
    ]);
    // The parent's data is untouched.
    expect(fake.state.data.get(prod?.database_id as string)).toEqual({ 'session:1': 'alice', greeting: 'hello' });
  });

  it('a failed restore still deletes the temporary backup, and the error names the step', async () => {
    fake.failNth({ operation: 'POST /redis/restore-backup/{id}', fault: '500', times: 10 });
    await expect(provider.fork(ctx(), { env: 'alice', parent: 'prod' })).rejects.toThrow(/restore the backup of myapp-cache into myapp-alice failed: HTTP 500/);
    expect(fake.state.backups.size).toBe(0);
  });
});
