/**
 * `fork-stack env` without --reveal: a passwordless connection URL is shown whole (docs/cli.md, "env"),
 * a URL's password is masked, every other secret value is `****`; --reveal shows them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safetyProject, type SafetyProject } from './helpers.js';

const SECRETS_ONLY = `project = "app"
roots = ["dev"]

[secrets]
provider = "dotenv"
`;

const PASSWORDLESS = 'postgres://admin@127.0.0.1:45407/myapp_dev';
const secrets = {
  DATABASE_URL: PASSWORDLESS,
  CACHE_URL: 'redis://default:cache-password-123@127.0.0.1:6379/0',
  STRIPE_KEY: 'sk_test_masked_value',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/webhook-secret-path',
  TOKEN_URL: 'postgres://admin@db.internal/app?password_file=x&authToken=tok-in-query',
};

let project: SafetyProject;
beforeAll(async () => {
  project = await safetyProject(SECRETS_ONLY, { dev: secrets });
  expect(project.run(['switch', 'dev']).code).toBe(0);
});
afterAll(() => project?.cleanup());

describe('env masking', () => {
  it.each(['json', 'dotenv', 'shell'])('env --format %s shows a passwordless DATABASE_URL instead of ****, and keeps secrets masked', (format) => {
    const result = project.run(['env', '--format', format]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(PASSWORDLESS);
    expect(result.stdout).toContain('redis://default:****@127.0.0.1:6379/0');
    for (const secret of ['cache-password-123', 'sk_test_masked_value', 'webhook-secret-path', 'tok-in-query']) expect(result.stdout).not.toContain(secret);
    if (format === 'json') {
      expect(JSON.parse(result.stdout)).toMatchObject({
        DATABASE_URL: PASSWORDLESS,
        CACHE_URL: 'redis://default:****@127.0.0.1:6379/0',
        STRIPE_KEY: '****',
        SLACK_WEBHOOK_URL: '****',
        TOKEN_URL: '****',
      });
    }
  });

  it('env --reveal shows every value as it is', () => {
    const result = project.run(['env', '--format', 'json', '--reveal']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(secrets);
  });
});
