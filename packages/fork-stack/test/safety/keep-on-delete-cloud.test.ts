/**
 * keep_on_delete with each cloud secrets provider: `delete` removes the environment's other resources and
 * leaves its secrets in the store (list shows it partial), and a later `create` of the same name picks
 * them up again — the values set before the delete included.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { secretsCliProject, type SecretsCliProject } from './cloud-project.js';

const cases = [
  { fake: 'doppler' as const, section: 'provider = "doppler"' },
  { fake: 'aws-secrets' as const, section: 'provider = "aws-secrets"' },
  { fake: 'vault' as const, section: 'provider = "vault"' },
];

let project: SecretsCliProject | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  project?.cleanup();
  await close?.();
  project = undefined;
  close = undefined;
});

describe.each(cases)('keep_on_delete ($fake)', ({ fake: name, section }) => {
  it('delete keeps the secrets; create picks them up again', async () => {
    const fake = await startFake(name);
    close = () => fake.close();
    project = await secretsCliProject(`${section}\nkeep_on_delete = true`, fake.env, { local: true });
    expect((await project.run(['create', 'alice'])).code).toBe(0);
    expect((await project.run(['secrets', 'set', 'KEPT_VALUE', 'still-here-123', '--env', 'alice'])).code).toBe(0);
    const deleted = await project.run(['delete', 'alice', '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ kept: ['secrets'] });
    expect(project.read('.fork-stack/data/myapp.alice.db')).toBeUndefined();
    const listed = JSON.parse((await project.run(['list', '--json'])).stdout) as { environments: { name: string; state: string }[] };
    expect(listed.environments.find((e) => e.name === 'alice')).toMatchObject({ state: 'partial' });
    const again = await project.run(['create', 'alice']);
    expect(again.code, again.stderr).toBe(0);
    const got = await project.run(['secrets', 'get', 'KEPT_VALUE', '--env', 'alice']);
    expect(got.stdout).toBe('still-here-123\n');
    expect(fake.violations).toEqual([]);
  });
});
