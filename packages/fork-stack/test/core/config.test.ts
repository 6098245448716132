import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ForkStackError } from '../../src/core/errors.js';

async function problems(toml: string): Promise<ForkStackError> {
  try {
    await parseConfig(toml, '/tmp/p/fork-stack.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(ForkStackError);
    expect((error as ForkStackError).exitCode).toBe(2);
    return error as ForkStackError;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('loads the local stack with defaults', async () => {
    const config = await parseConfig('project = "app"\n[database]\nprovider = "sqlite"\n[storage.uploads]\nprovider = "fs"\n[storage.assets]\nprovider = "fs"\ndefault = true\n[secrets]\nprovider = "dotenv"\nexclude = ["STRIPE_*"]\n', '/tmp/p/fork-stack.toml');
    expect(config).toMatchObject({ project: 'app', defaultParent: 'dev', protected: ['prod', 'dev'], roots: ['dev'], root: '/tmp/p' });
    expect(config.slots.map((s) => s.id)).toEqual(['database', 'storage.uploads', 'storage.assets', 'secrets']);
    expect(config.slots[1]?.bucket).toEqual({ name: 'uploads', isDefault: false });
    expect(config.slots[2]?.bucket).toEqual({ name: 'assets', isDefault: true });
    expect(config.slots[0]?.options).toMatchObject({ path: '.fork-stack/data/{project}.{env}.db' });
    expect(config.slots[3]?.common).toMatchObject({ exclude: ['STRIPE_*'], copy: 'all' });
  });

  it('names the file, line and column of a TOML syntax error', async () => {
    const error = await problems('project = "app"\nbroken line\n');
    expect(error.message).toMatch(/fork-stack.toml:2:\d+: not valid TOML/);
  });

  it('lists every problem with the key and an example', async () => {
    const error = await problems('project = "My App"\ndefualt_parent = "dev"\n[database]\nprovider = "mongo"\n[storage.uploads]\nprovider = "fs"\nconcurrency = "lots"\n[secrets]\n');
    const all = error.details.join('\n');
    expect(error.message).toMatch(/not valid \(\d+ problems\)/);
    expect(all).toMatch(/^project: must be lower-case letters/m);
    expect(all).toMatch(/defualt_parent: unknown key; known keys: project, default_parent/);
    expect(all).toMatch(/\[database\] provider: unknown database provider "mongo"; known: "sqlite"/);
    expect(all).toMatch(/\[storage.uploads\] concurrency: must be a number, not a string/);
    expect(all).toMatch(/\[secrets\] provider: is required; one of "dotenv"/);
  });

  it('[hooks] are lists of shell commands; defaults are empty lists', async () => {
    const none = await parseConfig('project = "app"\n[database]\nprovider = "sqlite"\n', '/tmp/p/fork-stack.toml');
    expect(none.hooks).toEqual({ after_create: [], after_reset: [], before_delete: [], after_switch: [] });
    const some = await parseConfig('project = "app"\n[database]\nprovider = "sqlite"\n[hooks]\nafter_create = ["npm run migrate", "npm run seed"]\n', '/tmp/p/fork-stack.toml');
    expect(some.hooks.after_create).toEqual(['npm run migrate', 'npm run seed']);
  });

  it('a hook given as a string, an empty command or an unknown hook name is a config error naming the hook keys', async () => {
    const error = await problems('project = "app"\n[database]\nprovider = "sqlite"\n[hooks]\nafter_create = "npm run migrate"\nafter_reset = [""]\nafter_deploy = ["x"]\n');
    const all = error.details.join('\n');
    expect(all).toMatch(/^hooks\.after_create: must be a list, not a string\. Example: \[hooks\] after_create = \["npm run migrate", "npm run seed"\]/m);
    expect(all).toMatch(/^hooks\.after_reset\.0: must not be empty/m);
    expect(all).toMatch(/^hooks\.after_deploy: unknown key; known keys: after_create, after_reset, before_delete, after_switch$/m);
  });

  it('requires project', async () => {
    const error = await problems('[database]\nprovider = "sqlite"\n');
    expect(error.details.join('\n')).toMatch(/project: is required. Example: project = "myapp"/);
  });

  it('explains [storage] without a bucket name', async () => {
    const error = await problems('project = "app"\n[storage]\nprovider = "fs"\n');
    expect(error.details.join('\n')).toMatch(/write \[storage.uploads\]/);
  });

  it('rejects naming patterns without {env} or with unknown placeholders', async () => {
    const error = await problems('project = "app"\n[database]\nprovider = "sqlite"\npath = "data/app.db"\n[storage.u]\nprovider = "fs"\nname = "{project}-{user}-{env}"\n');
    const all = error.details.join('\n');
    expect(all).toMatch(/\[database\] path: must contain \{env\}/);
    expect(all).toMatch(/\[storage.u\] name: may only use the placeholders/);
  });
});
