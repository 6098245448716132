import { afterEach, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../src/engine/create.js';
import { readMeta } from '../../src/core/state.js';
import { readEnvFile } from '../../src/engine/env-files.js';
import { ForkStackError } from '../../src/core/errors.js';
import { acquireLock } from '../../src/core/lock.js';
import { MemoryProvider } from '../helpers/memory-provider.js';
import { memoryEngine, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
afterEach(() => t?.cleanup());

async function rejection(promise: Promise<unknown>): Promise<ForkStackError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ForkStackError);
    return error as ForkStackError;
  }
  throw new Error('expected a rejection');
}

describe('create', () => {
  it('forks every slot from the default parent and writes the variables file', async () => {
    t = memoryEngine();
    const result = await createEnvironment(t.engine, { env: 'alice' });
    expect(result.parent).toBe('dev');
    expect(Object.keys(result.resources).sort()).toEqual(['database', 'secrets', 'storage.uploads']);
    for (const p of Object.values(t.providers)) expect(p.resources.has('alice')).toBe(true);
    const file = await readEnvFile(t.config.paths, 'alice');
    expect(file?.values).toMatchObject({ FORK_STACK_ENV: 'alice', DATABASE_URL: 'memory://app-database-alice', API_KEY: 'dev-key' });
    expect(file?.publicKeys).toContain('DATABASE_URL');
    expect(file?.publicKeys).not.toContain('API_KEY');
    expect((await readMeta(t.config.paths, 'alice'))?.status).toBe('ready');
  });

  it('never changes the parent', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    for (const p of Object.values(t.providers)) expect(p.mutationsOf('dev')).toEqual([]);
  });

  it('provisions in parallel: all forks run at once', async () => {
    t = memoryEngine();
    for (const p of Object.values(t.providers)) p.delayMs = 100;
    const shared = { active: 0, max: 0 };
    for (const p of Object.values(t.providers)) {
      const fork = p.fork.bind(p);
      p.fork = async (ctx, req) => {
        shared.active++;
        shared.max = Math.max(shared.max, shared.active);
        try {
          return await fork(ctx, req);
        } finally {
          shared.active--;
        }
      };
    }
    await createEnvironment(t.engine, { env: 'alice' });
    expect(shared.max).toBe(3);
  });

  it('rejects bad names before any provider call', async () => {
    t = memoryEngine();
    for (const bad of ['../x', 'Alice', 'a b', '-x', 'x'.repeat(64), '', 'a--b', 'a-']) {
      const error = await rejection(createEnvironment(t.engine, { env: bad }));
      expect(error.exitCode).toBe(2);
    }
    for (const p of Object.values(t.providers)) expect(p.calls).toEqual([]);
  });

  it('rejects a name too long for one provider, naming that provider', async () => {
    t = memoryEngine([{ id: 'database', provider: new MemoryProvider({ maxName: 20 }) }]);
    const error = await rejection(createEnvironment(t.engine, { env: 'a-rather-long-name' }));
    expect(error.exitCode).toBe(2);
    expect(error.details.join('\n')).toMatch(/database \(memory\).*longer than 20/);
    expect(t.providers.database?.calls).toEqual([]);
  });

  it('refuses protected and root environments', async () => {
    t = memoryEngine();
    expect((await rejection(createEnvironment(t.engine, { env: 'prod' }))).message).toMatch(/protected/);
    expect((await rejection(createEnvironment(t.engine, { env: 'dev', from: 'prod' }))).message).toMatch(/protected/);
    t.config.protected = [];
    expect((await rejection(createEnvironment(t.engine, { env: 'dev', from: 'prod' }))).message).toMatch(/root/);
  });

  it('fails clearly when the parent does not exist, creating nothing', async () => {
    t = memoryEngine();
    const error = await rejection(createEnvironment(t.engine, { env: 'alice', from: 'nope' }));
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/parent environment "nope" does not exist/);
    for (const p of Object.values(t.providers)) expect(p.mutationsOf('alice')).toEqual([]);
    expect(await readMeta(t.config.paths, 'alice')).toBeUndefined();
  });

  it('refuses to create an environment that exists', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    const error = await rejection(createEnvironment(t.engine, { env: 'alice' }));
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/already exists/);
  });

  it('a teammate who created the environment at the same moment wins: this run says so and removes nothing', async () => {
    const database = new MemoryProvider({ kind: 'database', recordsRun: true });
    t = memoryEngine([{ id: 'database', provider: database }, { id: 'storage.uploads' }]);
    database.teammateRuns.set('alice', 'teammate-run');
    const error = await rejection(createEnvironment(t.engine, { env: 'alice' }));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('environment "alice" already exists: another checkout created it at the same moment');
    expect(t.providers['storage.uploads']!.calls.filter((c) => c.op === 'remove')).toEqual([]);
    expect(database.calls.filter((c) => c.op === 'remove')).toEqual([]);
    expect(await readMeta(t.engine.config.paths, 'alice')).toBeUndefined();
  });

  it('with --reuse, losing that race is fine: the environment is used as it is', async () => {
    const database = new MemoryProvider({ kind: 'database', recordsRun: true });
    t = memoryEngine([{ id: 'database', provider: database }, { id: 'secrets' }]);
    database.teammateRuns.set('alice', 'teammate-run');
    const result = await createEnvironment(t.engine, { env: 'alice', reuse: true });
    expect(result.reused).toBe(true);
    expect((await readEnvFile(t.engine.config.paths, 'alice'))?.values.DATABASE_URL).toBe('memory://app-database-alice');
  });

  it('a resource that records runs and was made by this run is its own create', async () => {
    const database = new MemoryProvider({ kind: 'database', recordsRun: true });
    t = memoryEngine([{ id: 'database', provider: database }, { id: 'secrets' }]);
    const result = await createEnvironment(t.engine, { env: 'alice' });
    expect(result.resources.database?.createdByRun).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readMeta(t.engine.config.paths, 'alice'))?.status).toBe('ready');
  });

  it('rolls back what it created when one slot fails, and says so', async () => {
    t = memoryEngine();
    t.providers['storage.uploads']?.failFork.set('alice', new Error('bucket quota exceeded'));
    t.providers['storage.uploads']!.delayMs = 20;
    const error = await rejection(createEnvironment(t.engine, { env: 'alice' }));
    expect(error.exitCode).toBe(1);
    expect(error.details.join('\n')).toMatch(/storage.uploads \(memory\).*bucket quota exceeded/);
    expect(error.details.join('\n')).toMatch(/rolled back/);
    for (const p of Object.values(t.providers)) {
      expect(p.resources.has('alice')).toBe(false);
      expect(p.resources.has('dev')).toBe(true);
      expect(p.mutationsOf('dev')).toEqual([]);
    }
    expect(await readMeta(t.config.paths, 'alice')).toBeUndefined();
    expect(await readEnvFile(t.config.paths, 'alice')).toBeUndefined();
  });

  it('rolls back a resource a failing fork half-made', async () => {
    t = memoryEngine();
    const db = t.providers.database!;
    db.failAfterCreate = true;
    db.failFork.set('alice', new Error('connection reset after create'));
    await rejection(createEnvironment(t.engine, { env: 'alice' }));
    expect(db.resources.has('alice')).toBe(false);
  });

  it('keeps what it made with keepPartial, and a re-run finishes the environment', async () => {
    t = memoryEngine();
    const storage = t.providers['storage.uploads']!;
    storage.failFork.set('alice', new Error('boom'));
    const error = await rejection(createEnvironment(t.engine, { env: 'alice', keepPartial: true }));
    expect(error.message).toMatch(/kept/);
    expect(t.providers.database?.resources.has('alice')).toBe(true);
    expect((await readMeta(t.config.paths, 'alice'))?.status).toBe('creating');
    storage.failFork.clear();
    const result = await createEnvironment(t.engine, { env: 'alice' });
    expect(result.resumed).toBe(true);
    expect(storage.resources.has('alice')).toBe(true);
    expect((await readMeta(t.config.paths, 'alice'))?.status).toBe('ready');
    // The database was not forked twice: the second fork found it.
    expect(t.providers.database?.resources.size).toBe(2);
  });

  it('finishes a create that crashed (journal says creating, lock holder gone)', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    // Simulate a crash mid-create: the journal says creating and one resource is missing.
    const { writeMeta } = await import('../../src/core/state.js');
    await writeMeta(t.config.paths, { name: 'alice', parent: 'dev', createdAt: new Date().toISOString(), status: 'creating' });
    t.providers.secrets?.resources.delete('alice');
    const result = await createEnvironment(t.engine, { env: 'alice' });
    expect(result.resumed).toBe(true);
    expect(t.providers.secrets?.resources.has('alice')).toBe(true);
  });

  it('a second create of the same env while one runs fails clearly and changes nothing', async () => {
    t = memoryEngine();
    const lock = await acquireLock(t.config.paths.locksDir, 'alice', 'create alice');
    try {
      const error = await rejection(createEnvironment(t.engine, { env: 'alice' }));
      expect(error.exitCode).toBe(1);
      expect(error.message).toMatch(/busy: another fork-stack process/);
      for (const p of Object.values(t.providers)) expect(p.mutationsOf('alice')).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it('applies the secrets copy policy and reports shadowed keys', async () => {
    t = memoryEngine([
      { id: 'database' },
      { id: 'secrets', common: { copy: 'all', exclude: ['STRIPE_*'], keep_on_delete: false, from: {} } },
    ]);
    t.providers.secrets?.plant('dev', { API_KEY: 'k', STRIPE_SECRET: 's', DATABASE_URL: 'postgres://prod' });
    const result = await createEnvironment(t.engine, { env: 'alice' });
    expect(result.variables.values.STRIPE_SECRET).toBeUndefined();
    expect(result.variables.values.API_KEY).toBe('k');
    expect(result.variables.values.DATABASE_URL).toBe('memory://app-database-alice');
    expect(result.variables.shadowed).toEqual(['DATABASE_URL']);
    expect(t.warnings.join('\n')).toMatch(/DATABASE_URL.*ignored/);
  });

  it('refuses --at when a provider cannot fork a point in time, before any call', async () => {
    t = memoryEngine([{ id: 'database', provider: new MemoryProvider({ pointInTime: true }) }, { id: 'secrets' }]);
    const error = await rejection(createEnvironment(t.engine, { env: 'alice', at: new Date(Date.now() - 60_000) }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/secrets \(memory\)/);
    for (const p of Object.values(t.providers)) expect(p.mutationsOf('alice')).toEqual([]);
  });

  it('stops and rolls back when interrupted', async () => {
    const controller = new AbortController();
    t = memoryEngine(undefined, {}, controller.signal);
    for (const p of Object.values(t.providers)) p.delayMs = 5_000;
    const pending = createEnvironment(t.engine, { env: 'alice' });
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 50);
    const error = await rejection(pending);
    expect(error.message).toMatch(/interrupted/);
    for (const p of Object.values(t.providers)) expect(p.resources.has('alice')).toBe(false);
  });
});
