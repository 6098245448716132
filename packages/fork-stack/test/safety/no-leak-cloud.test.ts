/**
 * No secret value in any output or stray file with the cloud secrets providers (Doppler, AWS Secrets
 * Manager, Vault fakes): every command with and without --json, then a provider that fails mid-create
 * and on `secrets set` with an error quoting the request it got and its own answer — values included.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORK_STACK_RETRY_BASE_MS = '5';
});

import { startFake } from '@fork-stack/provider-fakes';
import { hasStackTrace, type RunResult } from '../helpers/cli.js';
import { secretsCliProject, type SecretsCliProject } from './cloud-project.js';
import { startEchoProxy, type EchoProxy, type ErrorFormat } from './echo-proxy.js';
import { canaries, exitCodes, expectNoLeak, expectNoLeakInFiles, runEverything, type Transcript } from './leak-scan.js';

interface Case {
  fake: 'doppler' | 'aws-secrets' | 'vault';
  format: ErrorFormat;
  urlVariable: string;
  section: string;
  seed(fake: unknown, values: Record<string, string>): void;
  /** The request of a create that carries values (or whose answer does). */
  failsCreate(req: { method: string; path: string; target?: string }): boolean;
  /** The request of `secrets set` that carries the new value. */
  failsWrite(req: { method: string; path: string; target?: string }): boolean;
}

const cases: Case[] = [
  {
    fake: 'doppler',
    format: 'doppler',
    urlVariable: 'FORK_STACK_DOPPLER_API_URL',
    // An excluded key makes the create write to the new config (whose answer lists every value).
    section: 'provider = "doppler"\nexclude = ["DOLLAR"]',
    seed: (fake, values) => {
      const dev = (fake as Awaited<ReturnType<typeof startFake<'doppler'>>>).state.configs.find((c) => c.name === 'dev');
      for (const [k, v] of Object.entries(values)) dev?.secrets.set(k, v);
    },
    failsCreate: (r) => r.method === 'POST' && r.path === '/v3/configs/config/secrets',
    failsWrite: (r) => r.method === 'POST' && r.path === '/v3/configs/config/secrets',
  },
  {
    fake: 'aws-secrets',
    format: 'aws',
    urlVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    section: 'provider = "aws-secrets"\nforce_delete = true',
    seed: (fake, values) => (fake as Awaited<ReturnType<typeof startFake<'aws-secrets'>>>).seed.secret('myapp/dev', JSON.stringify(values)),
    failsCreate: (r) => r.target === 'secretsmanager.CreateSecret',
    failsWrite: (r) => r.target === 'secretsmanager.PutSecretValue',
  },
  {
    fake: 'vault',
    format: 'vault',
    urlVariable: 'VAULT_ADDR',
    section: 'provider = "vault"',
    seed: (fake, values) => (fake as Awaited<ReturnType<typeof startFake<'vault'>>>).seed.secret('myapp/dev', values),
    failsCreate: (r) => r.method === 'POST' && r.path.startsWith('/v1/secret/data/myapp/bob'),
    failsWrite: (r) => r.method === 'POST' && r.path.startsWith('/v1/secret/data/myapp/alice'),
  },
];

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

describe.each(cases)('secret values stay out of output ($fake)', (c) => {
  it('every command with and without --json, and errors that echo the values', async () => {
    const fake = await startFake(c.fake);
    cleanup.push(() => fake.close());
    const values = canaries(c.fake.replace(/-/g, ''));
    c.seed(fake, values);
    const proxy: EchoProxy = await startEchoProxy(fake.url, c.format);
    cleanup.push(() => proxy.close());
    const project: SecretsCliProject = await secretsCliProject(c.section, { ...fake.env, [c.urlVariable]: proxy.url }, { local: true });
    cleanup.push(async () => project.cleanup());
    const run = (args: string[], input?: string): Promise<RunResult> => project.run(args, {}, input);

    const transcripts: Transcript[] = await runEverything(run, { parent: 'dev', child: 'alice', values });
    expect(exitCodes(transcripts)).toMatchObject({ 'create ': 0, 'switch ': 0, 'secrets set ': 0, 'delete ': 0, 'create --json': 0, 'delete --json': 0, 'secrets get missing ': 1 });

    proxy.failWhen(c.failsCreate);
    for (const json of [[], ['--json']]) {
      const failed = await run(['create', 'bob', ...json]);
      expect(failed.code, failed.stderr).toBe(1);
      expect(hasStackTrace(failed.stderr)).toBe(false);
      transcripts.push({ label: `create failing mid-way ${json.join('')}`, result: failed });
    }
    expect(proxy.echoed).toBeGreaterThan(0);
    proxy.failWhen(undefined);
    expect((await run(['create', 'alice'])).code).toBe(0);
    proxy.failWhen(c.failsWrite);
    const echoedBefore = proxy.echoed;
    for (const json of [[], ['--json']]) {
      const failed = await run(['secrets', 'set', 'ECHOED', '--env', 'alice', ...json], `${values.MULTILINE_PEM}-echo\n`);
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.stderr).toContain('****');
      transcripts.push({ label: `secrets set failing ${json.join('')}`, result: failed });
    }
    expect(proxy.echoed).toBeGreaterThan(echoedBefore);
    proxy.failWhen(undefined);

    expectNoLeak(transcripts, values);
    expectNoLeakInFiles(project, values);
    expect(fake.violations).toEqual([]);
  });
});
