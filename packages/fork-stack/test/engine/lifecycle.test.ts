import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { createEnvironment } from '../../src/engine/create.js';
import { deleteEnvironment } from '../../src/engine/remove.js';
import { listEnvironments } from '../../src/engine/list.js';
import { switchEnvironment } from '../../src/engine/switch.js';
import { environmentStatus } from '../../src/engine/status.js';
import { changeSecrets, getSecret } from '../../src/engine/secrets.js';
import { readEnvFile } from '../../src/engine/env-files.js';
import { writeMeta } from '../../src/core/state.js';
import { ForkStackError } from '../../src/core/errors.js';
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

describe('delete', () => {
  it('removes every resource and the local files, and switches away when it was current', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    await switchEnvironment(t.engine, 'alice');
    const result = await deleteEnvironment(t.engine, 'alice');
    expect(result.switchedTo).toBe('dev');
    for (const p of Object.values(t.providers)) expect(p.resources.has('alice')).toBe(false);
    expect(await readEnvFile(t.config.paths, 'alice')).toBeUndefined();
    expect((await fs.readFile(t.config.paths.currentEnv, 'utf8')).trim()).toBe('dev');
  });

  it('refuses protected and root environments without calling any provider', async () => {
    t = memoryEngine();
    expect((await rejection(deleteEnvironment(t.engine, 'dev'))).exitCode).toBe(2);
    expect((await rejection(deleteEnvironment(t.engine, 'prod'))).exitCode).toBe(2);
    for (const p of Object.values(t.providers)) expect(p.calls).toEqual([]);
  });

  it('says an unknown environment does not exist', async () => {
    t = memoryEngine();
    const error = await rejection(deleteEnvironment(t.engine, 'ghost'));
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/does not exist/);
  });

  it('reports a partial failure and can be re-run', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    t.providers.database?.failRemove.set('alice', new Error('server said no'));
    const error = await rejection(deleteEnvironment(t.engine, 'alice'));
    expect(error.details.join()).toMatch(/server said no/);
    expect(t.providers.secrets?.resources.has('alice')).toBe(false);
    t.providers.database?.failRemove.clear();
    await deleteEnvironment(t.engine, 'alice');
    expect(t.providers.database?.resources.has('alice')).toBe(false);
  });

  it('keeps secrets with keep_on_delete', async () => {
    t = memoryEngine([{ id: 'database' }, { id: 'secrets', common: { copy: 'all', exclude: [], keep_on_delete: true, from: {} } }]);
    await createEnvironment(t.engine, { env: 'alice' });
    const result = await deleteEnvironment(t.engine, 'alice');
    expect(result.kept).toEqual(['secrets']);
    expect(t.providers.secrets?.resources.has('alice')).toBe(true);
  });
});

describe('list and status', () => {
  it('merges what providers report, shows partial and interrupted environments', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    t.providers.database?.plant('bob');
    await writeMeta(t.config.paths, { name: 'carol', parent: 'dev', createdAt: new Date().toISOString(), status: 'creating' });
    const { environments, errors } = await listEnvironments(t.engine);
    expect(errors).toEqual([]);
    const byName = Object.fromEntries(environments.map((e) => [e.name, e]));
    expect(environments[0]?.name).toBe('dev');
    expect(byName.dev).toMatchObject({ state: 'ready', root: true, protected: true, parent: undefined });
    expect(byName.alice).toMatchObject({ state: 'ready', parent: 'dev' });
    expect(byName.bob).toMatchObject({ state: 'partial' });
    expect(byName.bob?.resources.secrets).toBeNull();
    expect(byName.carol).toMatchObject({ state: 'creating' });
  });

  it('lists what it can when one provider fails, and reports that provider', async () => {
    t = memoryEngine();
    t.providers.secrets!.list = async () => {
      throw new Error('503 Service Unavailable');
    };
    const { environments, errors } = await listEnvironments(t.engine);
    expect(environments.map((e) => e.name)).toEqual(['dev']);
    expect(environments[0]?.state).toBe('ready');
    expect(errors[0]?.slot).toBe('secrets');
    expect(errors[0]?.message).toMatch(/503/);
  });

  it('status describes one environment', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    const status = await environmentStatus(t.engine, 'alice');
    expect(status).toMatchObject({ name: 'alice', state: 'ready', parent: 'dev', protected: false, root: false });
    expect(status.resources.map((r) => r.slot)).toEqual(['database', 'storage.uploads', 'secrets']);
  });
});

describe('switch and secrets', () => {
  it('writes .current-env last and the .env.local block', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    await fs.writeFile(t.config.paths.envLocal, 'MY_OWN=1\n# keep me\n');
    await switchEnvironment(t.engine, 'alice');
    const local = await fs.readFile(t.config.paths.envLocal, 'utf8');
    expect(local.startsWith('MY_OWN=1\n# keep me\n')).toBe(true);
    expect(local).toMatch(/FORK_STACK_ENV=alice/);
    expect((await fs.readFile(t.config.paths.currentEnv, 'utf8')).trim()).toBe('alice');
  });

  it('refuses to switch to an environment that does not exist, writing nothing', async () => {
    t = memoryEngine();
    const error = await rejection(switchEnvironment(t.engine, 'ghost'));
    expect(error.message).toMatch(/does not exist/);
    await expect(fs.access(t.config.paths.currentEnv)).rejects.toThrow();
  });

  it('secrets set/get/unset go through the provider and refresh the variables file', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice' });
    await changeSecrets(t.engine, 'alice', { set: { NEW_KEY: 'multi\nline "value"' } });
    expect(await getSecret(t.engine, 'alice', 'NEW_KEY')).toBe('multi\nline "value"');
    expect((await readEnvFile(t.config.paths, 'alice'))?.values.NEW_KEY).toBe('multi\nline "value"');
    await changeSecrets(t.engine, 'alice', { unset: ['NEW_KEY'] });
    expect((await readEnvFile(t.config.paths, 'alice'))?.values.NEW_KEY).toBeUndefined();
    expect((await rejection(changeSecrets(t.engine, 'alice', { set: { 'bad-key': 'x' } }))).exitCode).toBe(2);
    expect((await rejection(changeSecrets(t.engine, 'alice', { unset: ['NOPE'] }))).exitCode).toBe(1);
  });
});

describe('resources of protected environments are never acted on through another name', () => {
  it('create, delete and reset refuse an env whose resource name is prod\'s, before any call', async () => {
    t = memoryEngine();
    const db = t.providers.database!;
    db.resourceName = (_ctx, env) => (env === 'alias' ? 'app-database-prod' : `app-database-${env}`);
    const { resetEnvironment } = await import('../../src/engine/reset.js');
    for (const run of [() => createEnvironment(t.engine, { env: 'alias' }), () => deleteEnvironment(t.engine, 'alias'), () => resetEnvironment(t.engine, 'alias')]) {
      const error = await rejection(run());
      expect(error.exitCode).toBe(2);
      expect(error.details.join()).toMatch(/"alias" and "prod" both name app-database-prod/);
    }
    expect(db.calls).toEqual([]);
  });

  it('rollback tells providers it is a rollback', async () => {
    t = memoryEngine();
    const seen: unknown[] = [];
    const remove = t.providers.database!.remove.bind(t.providers.database!);
    t.providers.database!.remove = async (ctx, req) => {
      seen.push(req);
      return remove(ctx, req);
    };
    t.providers.secrets?.failFork.set('alice', new Error('boom'));
    await rejection(createEnvironment(t.engine, { env: 'alice' }));
    expect(seen).toEqual([{ env: 'alice', reason: 'rollback' }]);
  });
});
