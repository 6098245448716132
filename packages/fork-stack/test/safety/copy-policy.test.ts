/**
 * The secrets copy policy: `copy`, `exclude`, `[secrets.from.<parent>]` as parsed from fork-stack.toml and
 * applied by the engine, and through the CLI with the local dotenv provider (keep_on_delete included).
 * The cloud providers run the same predicate in their own tests against the fakes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { SecretsCommon } from '../../src/config/common.js';
import { secretsKeep } from '../../src/engine/policy.js';
import { hasStackTrace } from '../helpers/cli.js';
import { safetyProject, type SafetyProject } from './helpers.js';

async function policy(section: string): Promise<SecretsCommon> {
  const config = await parseConfig(`project = "app"\n\n[secrets]\nprovider = "dotenv"\n${section}\n`, '/tmp/fork-stack.toml');
  return config.slots[0]?.common as SecretsCommon;
}

const KEYS = ['API_KEY', 'STRIPE_LIVE_KEY', 'STRIPE_TEST_KEY', 'SENTRY_DSN', 'SENTRY_ENV', 'SENDGRID_API_KEY'];
const kept = (common: SecretsCommon, parent: string) => KEYS.filter(secretsKeep(common, parent));

describe('copy policy', () => {
  it('copies everything by default, and exclude always wins', async () => {
    expect(kept(await policy(''), 'dev')).toEqual(KEYS);
    expect(kept(await policy('exclude = ["STRIPE_LIVE_*", "SENDGRID_API_KEY"]'), 'dev')).toEqual(['API_KEY', 'STRIPE_TEST_KEY', 'SENTRY_DSN', 'SENTRY_ENV']);
    expect(kept(await policy('copy = ["STRIPE_*", "API_?EY"]\nexclude = ["*_LIVE_*"]'), 'dev')).toEqual(['API_KEY', 'STRIPE_TEST_KEY']);
    expect(kept(await policy('copy = "none"'), 'dev')).toEqual([]);
  });

  it('applies [secrets.from.<parent>] only to forks of that parent, on top of the section', async () => {
    const common = await policy('copy = ["API_KEY", "STRIPE_*", "SENTRY_*"]\nexclude = ["STRIPE_LIVE_*"]\n[secrets.from.prod]\ncopy = ["SENTRY_*"]\n[secrets.from.staging]\nexclude = ["SENTRY_ENV"]');
    expect(kept(common, 'dev')).toEqual(['API_KEY', 'STRIPE_TEST_KEY', 'SENTRY_DSN', 'SENTRY_ENV']);
    expect(kept(common, 'prod')).toEqual(['SENTRY_DSN', 'SENTRY_ENV']);
    // An override without copy keeps the section's copy (it must not fall back to "all").
    expect(kept(common, 'staging')).toEqual(['API_KEY', 'STRIPE_TEST_KEY', 'SENTRY_DSN']);
  });

  it('rejects bad policies with the key and an example', async () => {
    await expect(policy('copy = ["NOT A KEY"]')).rejects.toMatchObject({ exitCode: 2, details: [expect.stringMatching(/\[secrets\] copy\.0: is a key or a pattern/)] });
    await expect(policy('copy = "some"')).rejects.toMatchObject({ exitCode: 2 });
    await expect(policy('copy = []')).rejects.toMatchObject({ details: [expect.stringContaining('use "none" to copy nothing')] });
    await expect(policy('[secrets.from.prod]\nexcludes = ["X"]')).rejects.toMatchObject({ details: [expect.stringContaining('excludes: unknown key')] });
    await expect(policy('[secrets.from.Prod_1]\ncopy = "none"')).rejects.toMatchObject({ exitCode: 2 });
  });
});

let project: SafetyProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const config = (extra: string) => `project = "app"
roots = ["dev", "prod"]
protected = ["prod", "dev"]

[secrets]
provider = "dotenv"
${extra}
`;

describe('copy policy through the CLI (dotenv)', () => {
  const seed = { API_KEY: 'api-123456', STRIPE_LIVE_KEY: 'sk_live_999999', STRIPE_TEST_KEY: 'sk_test_111111', SENTRY_DSN: 'https://k@sentry.example/1' };

  it('forks only the kept keys, per parent', async () => {
    project = await safetyProject(config('exclude = ["STRIPE_LIVE_*"]\n[secrets.from.prod]\ncopy = ["SENTRY_*"]'), { dev: seed, prod: seed });
    expect(project.run(['create', 'alice', '--from', 'dev']).code).toBe(0);
    const alice = project.run(['secrets', 'list', '--env', 'alice', '--json']);
    expect(Object.keys(JSON.parse(alice.stdout).secrets).sort()).toEqual(['API_KEY', 'SENTRY_DSN', 'STRIPE_TEST_KEY']);
    expect(project.run(['create', 'hotfix', '--from', 'prod']).code).toBe(0);
    const hotfix = project.run(['secrets', 'list', '--env', 'hotfix', '--json']);
    expect(Object.keys(JSON.parse(hotfix.stdout).secrets)).toEqual(['SENTRY_DSN']);
    expect(project.read('.fork-stack/secrets/hotfix.env')).not.toContain('sk_live');
  });

  it('keeps the secrets of a deleted environment with keep_on_delete, removes them without', async () => {
    project = await safetyProject(config('keep_on_delete = true'), { dev: seed, prod: {} });
    expect(project.run(['create', 'alice']).code).toBe(0);
    const deleted = project.run(['delete', 'alice', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(existsSync(path.join(project.dir, '.fork-stack/secrets/alice.env'))).toBe(true);
    project.cleanup();

    project = await safetyProject(config(''), { dev: seed, prod: {} });
    expect(project.run(['create', 'alice']).code).toBe(0);
    expect(project.run(['delete', 'alice', '--yes']).code).toBe(0);
    expect(existsSync(path.join(project.dir, '.fork-stack/secrets/alice.env'))).toBe(false);
  });

  it('reports a policy error in fork-stack.toml with exit code 2 and no stack trace', async () => {
    project = await safetyProject(config(''), { dev: seed, prod: {} });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(project.dir, 'fork-stack.toml'), config('exclude = "STRIPE_*"'));
    const result = project.run(['create', 'alice']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\[secrets\] exclude: must be a list/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});
