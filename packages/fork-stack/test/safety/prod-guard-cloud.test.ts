/**
 * The prod-safety guard with a cloud secrets provider: prod's variables come from Doppler's prd root
 * config (through the provider), a fork of prod that would copy a URL of prod's database is refused,
 * and Doppler's inheritance is handled when the user fixes it (the key is overridden in the branch).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { hasStackTrace } from '../helpers/cli.js';
import { secretsCliProject, type SecretsCliProject } from './cloud-project.js';

let fake: Awaited<ReturnType<typeof startFake<'doppler'>>> | undefined;
let project: SecretsCliProject | undefined;
afterEach(async () => {
  project?.cleanup();
  await fake?.close();
  project = undefined;
  fake = undefined;
});

describe('prod-safety guard with Doppler', () => {
  it('refuses a fork of prod that keeps prod\'s replica URL, and accepts it once the key is overridden', async () => {
    fake = await startFake('doppler');
    const prd = fake.state.configs.find((c) => c.name === 'prd')!;
    prd.secrets.set('REPLICA_DATABASE_URL', 'postgres://ro:prod-replica-pw@replica.prod.internal:5432/shop');
    prd.secrets.set('DATABASE_URL', 'postgres://app:prod-pw@db.prod.internal:5432/shop');
    project = await secretsCliProject('provider = "doppler"', fake.env, { roots: ['dev', 'prod'], defaultParent: 'dev', local: true });

    const refused = await project.run(['create', 'hotfix', '--from', 'prod']);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('refusing to use "hotfix"');
    expect(refused.stderr).toContain('REPLICA_DATABASE_URL points at prod\'s database "shop" on replica.prod.internal:5432');
    // DATABASE_URL is fork-stack's own (the sqlite database): prod's copy is dropped, not refused.
    expect(refused.stderr).toContain('secret DATABASE_URL copied from "prod" is ignored');
    expect(refused.stderr).not.toContain('prod-replica-pw');
    expect(hasStackTrace(refused.stderr)).toBe(false);
    expect(project.read('.fork-stack/envs/hotfix.env')).toBeUndefined();
    expect(project.read('.env.local')).toBeUndefined();

    const unset = await project.run(['secrets', 'unset', 'REPLICA_DATABASE_URL', '--env', 'hotfix']);
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stderr).toContain('inherited from the root config prd');
    expect(fake.state.configs.find((c) => c.name === 'prd_hotfix')?.secrets.get('REPLICA_DATABASE_URL')).toBe('');
    const finished = await project.run(['create', 'hotfix', '--from', 'prod', '--switch']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(project.read('.env.local')).toMatch(/REPLICA_DATABASE_URL=(''|"")?\n/);
    expect(project.read('.env.local')).not.toContain('replica.prod.internal');

    // dev must not end up on prod's database either; switching to it is checked against prd too.
    fake.state.configs.find((c) => c.name === 'dev')!.secrets.set('ANALYTICS_DB', 'postgresql://x:y@DB.PROD.internal/shop');
    const switched = await project.run(['switch', 'dev']);
    expect(switched.code).toBe(1);
    expect(switched.stderr).toContain('ANALYTICS_DB points at prod\'s database "shop" on db.prod.internal:5432');
    expect(project.read('.current-env')?.trim()).toBe('hotfix');
    expect(fake.violations).toEqual([]);
  });
});
