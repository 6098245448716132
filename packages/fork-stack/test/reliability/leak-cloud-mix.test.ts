/**
 * Secrets never leak, cloud mixes: a cloud database (Neon, Turso, PlanetScale, Supabase fakes) together
 * with a cloud secrets provider (Doppler, AWS Secrets Manager, Vault fakes), whose parent holds canary
 * secrets, and whose database answers carry minted credentials (role passwords, tokens, branch
 * passwords). Every command runs with and without --json, then again while an echo proxy turns the
 * requests that write secret values into errors quoting the request and the provider's answer, and the
 * database's create into an error quoting the request. No canary and no minted credential may appear in
 * any output, nor in any file outside the places values are meant to live. Errors that quote an answer
 * carrying a credential the CLI has not seen yet are the it.fails tests at the end (bugs). Extends test/safety (leak-scan.ts: canaries and the scans), which covers the local stack and the
 * secrets providers alone.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { startFake } from '@fork-stack/provider-fakes';
import { hasStackTrace, runCliAsync, type RunResult } from '../helpers/cli.js';
import { canaries, expectNoLeak, expectNoLeakInFiles, type Transcript } from '../safety/leak-scan.js';
import { cloudProject } from './support/cloud-providers.js';
import { startAnyEchoProxy, type AnyEchoProxy, type EchoRequest } from './support/echo-proxy-any.js';
import { guardsFix } from './support/bugs.js';
import { recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';

type AnyFake = Awaited<ReturnType<typeof startFake>>;

/** The requests of each secrets provider that write values (all read, and so known to scrub, by then). */
const SECRET_WRITES: Record<string, (r: EchoRequest) => boolean> = {
  doppler: (r) => r.method === 'POST' && /^\/v3\/configs(\/config\/secrets)?$/.test(r.path),
  'aws-secrets': (r) => /CreateSecret|PutSecretValue/.test(r.target ?? ''),
  vault: (r) => r.method === 'POST' && /^\/v1\/secret\/data\//.test(r.path),
};
/** The request that creates each database provider's resource. */
const DATABASE_CREATES: Record<string, (r: EchoRequest) => boolean> = {
  neon: (r) => r.method === 'POST' && /\/branches$/.test(r.path),
  turso: (r) => r.method === 'POST' && /\/databases$/.test(r.path),
  planetscale: (r) => r.method === 'POST' && /\/branches$/.test(r.path),
  supabase: (r) => r.method === 'POST' && /\/branches$/.test(r.path),
};
/** A fake's answer that carries a credential it minted. */
const CARRIES_CREDENTIAL = /"(password|plain_text|db_pass|jwt|jwt_secret)"\s*:/;

/** Credentials the database fakes minted so far (passwords, tokens), as extra needles. */
function minted(name: string, fake: AnyFake): string[] {
  const state = fake.state as unknown as Record<string, unknown>;
  switch (name) {
    case 'neon':
      return (state.roles as { password: string }[]).map((r) => r.password);
    case 'turso':
      return (state.tokens as { jwt: string }[]).map((t) => t.jwt);
    case 'planetscale':
      return (state.passwords as { plain_text: string }[]).map((p) => p.plain_text);
    case 'supabase':
      return [...(state.projects as Map<string, { db_pass: string; jwt_secret: string }>).values()].flatMap((p) => [p.db_pass, p.jwt_secret]);
    default:
      return [];
  }
}

const MIXES: [string, string][] = scale(
  [['neon', 'doppler']],
  [
    ['neon', 'doppler'],
    ['turso', 'aws-secrets'],
    ['planetscale', 'vault'],
    ['supabase', 'aws-secrets'],
  ]
);

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('leaks', 'cloud mixes', results));

describe.each(MIXES)('secret values and credentials stay out of output: %s + %s', (database, secrets) => {
  it(
    'every command with and without --json, and errors that echo what the providers were sent and answered',
    async () => {
      const values = canaries(`${database}${secrets}`.replace(/-/g, ''));
      const scenario: Record<string, unknown> = {
        doppler: { projects: [{ slug: 'myapp', environments: ['dev', 'prd'], secrets: { prd: values } }] },
        'aws-secrets': { secrets: [{ name: 'myapp/prod', value: JSON.stringify(values) }] },
        vault: { secrets: [{ path: 'myapp/prod', data: values }] },
      };
      const project = await cloudProject([database, secrets], (name) => ({
        async: { polls: 1 },
        ...(scenario[name] ? { scenario: scenario[name] as never } : {}),
      }));
      // prod's DB_PASSWORD_URL canary names a database: the prod-safety guard would (rightly) refuse to
      // copy it into alice, so it stays in prod, where every read of prod's secrets still sees it.
      appendFileSync(path.join(project.dir, 'fork-stack.toml'), 'exclude = ["DB_PASSWORD_URL"]\n');
      const proxies: { name: string; proxy: AnyEchoProxy }[] = [];
      const start = performance.now();
      try {
        const env = { ...project.env };
        for (const { provider, fake } of project.fakes) {
          const origin = new URL(fake.url).origin;
          const proxy = await startAnyEchoProxy(origin);
          proxies.push({ name: provider.fake, proxy });
          for (const [k, v] of Object.entries(fake.env)) if (typeof v === 'string' && v.startsWith(origin)) env[k] = proxy.origin + v.slice(origin.length);
        }
        const credentials = new Set<string>();
        const collect = () => project.fakes.forEach(({ provider, fake }) => minted(provider.fake, fake).forEach((c) => credentials.add(c)));
        const transcripts: Transcript[] = [];
        const run = async (label: string, args: string[], input?: string): Promise<RunResult> => {
          const result = await runCliAsync(args, { cwd: project.dir, env, input });
          transcripts.push({ label: `${label} (exit ${result.code})`, result });
          collect();
          return result;
        };

        // The short variant runs the command surface once (with --json); the long one with and without.
        for (const json of scale([['--json']], [[], ['--json']])) {
          const j = json.join('');
          const created = await run(`create ${j}`, ['create', 'alice', ...json]);
          expect(created.code, created.stderr).toBe(0);
          await run(`create again ${j}`, ['create', 'alice', ...json]);
          expect((await run(`switch ${j}`, ['switch', 'alice', ...json])).code).toBe(0);
          await run(`list ${j}`, ['list', ...json]);
          await run(`status ${j}`, ['status', 'alice', ...json]);
          for (const format of ['dotenv', 'json', 'shell']) await run(`env ${format} ${j}`, ['env', 'alice', '--format', format, ...json]);
          await run(`doctor ${j}`, ['doctor', ...json]);
          await run(`secrets list ${j}`, ['secrets', 'list', '--env', 'alice', ...json]);
          await run(`secrets get missing ${j}`, ['secrets', 'get', 'NOT_THERE', '--env', 'alice', ...json]);
          expect((await run(`secrets set ${j}`, ['secrets', 'set', 'ADDED_LATER', '--env', 'alice', ...json], `${values.QUOTED}-added\n`)).code).toBe(0);
          // Writes of secret values fail with an echo of what was sent and what the provider holds.
          const secretsProxy = proxies.find((p) => p.name === secrets)?.proxy;
          secretsProxy?.failWhen(SECRET_WRITES[secrets]);
          const failedCreate = await run(`create failing on secrets ${j}`, ['create', 'bob', ...json]);
          expect(failedCreate.code, failedCreate.stderr).toBe(1);
          expect(hasStackTrace(failedCreate.stderr)).toBe(false);
          await run(`secrets set failing ${j}`, ['secrets', 'set', 'ECHOED', '--env', 'alice', ...json], `${values.MULTILINE_PEM}-echo\n`);
          secretsProxy?.failWhen(undefined);
          // The database create fails with an echo of the request (its answer: see the it.fails below).
          proxies.find((p) => p.name === database)?.proxy.failWhen(DATABASE_CREATES[database], { quoteAnswer: false });
          const failedDb = await run(`create failing on the database ${j}`, ['create', 'carol', ...json]);
          expect(failedDb.code, failedDb.stderr).toBe(1);
          for (const { proxy } of proxies) proxy.failWhen(undefined);
          expect((await run(`delete ${j}`, ['delete', 'alice', '--yes', ...json])).code).toBe(0);
          await run(`delete bob ${j}`, ['delete', 'bob', '--yes', ...json]);
          await run(`delete carol ${j}`, ['delete', 'carol', '--yes', ...json]);
        }
        const echoed = proxies.reduce((a, p) => a + p.proxy.echoed, 0);
        expect(echoed).toBeGreaterThan(0);
        const needles = { ...values, ...Object.fromEntries([...credentials].filter((c) => c.length >= 8).map((c, i) => [`MINTED_${i}`, c])) };
        expectNoLeak(transcripts, needles);
        expectNoLeakInFiles({ dir: project.dir }, needles);
        for (const { fake } of project.fakes) expect(fake.violations).toEqual([]);
        results[`${database} + ${secrets}`] = {
          commands: transcripts.length,
          secretValues: Object.keys(values).length,
          mintedCredentials: credentials.size,
          echoedErrors: echoed,
          leaks: 0,
          ms: since(start),
        };
      } finally {
        for (const { proxy } of proxies) await proxy.close();
        await project.close();
      }
    },
    TIMEOUT_MS
  );
});

async function echoedCreate(
  names: string[],
  predicate: (r: EchoRequest, answer: string) => boolean,
  options: Parameters<typeof cloudProject>[1] = { async: { polls: 1 } }
) {
  const project = await cloudProject(names, options);
  const proxies: AnyEchoProxy[] = [];
  try {
    const env = { ...project.env };
    for (const { fake } of project.fakes) {
      const origin = new URL(fake.url).origin;
      const proxy = await startAnyEchoProxy(origin);
      proxies.push(proxy);
      proxy.failWhen(predicate);
      for (const [k, v] of Object.entries(fake.env)) if (typeof v === 'string' && v.startsWith(origin)) env[k] = proxy.origin + v.slice(origin.length);
    }
    const result = await runCliAsync(['create', 'bob'], { cwd: project.dir, env });
    return { result, echoed: proxies.reduce((a, p) => a + p.echoed, 0) };
  } finally {
    for (const proxy of proxies) await proxy.close();
    await project.close();
  }
}

describe('errors quoting a provider answer that carries a credential', () => {
  // Regression test for a bug this suite found, now fixed: error-body-credentials in support/bugs.ts.
  it.each(['neon', 'turso', 'planetscale', 'supabase'])('%s: the minted credential is not printed', (database) =>
    guardsFix(
      'error-body-credentials',
      async () => {
        // The credentials in the answers that were turned into errors (the resources are rolled back after).
        const quoted = new Set<string>();
        const { result, echoed } = await echoedCreate([database], (_r, answer) => {
          for (const m of answer.matchAll(/"(?:password|plain_text|db_pass|jwt|jwt_secret)"\s*:\s*"([^"]{8,})"/g)) quoted.add(m[1] as string);
          return CARRIES_CREDENTIAL.test(answer);
        });
        expect(echoed).toBeGreaterThan(0);
        expect(quoted.size).toBeGreaterThan(0);
        expect(result.code).toBe(1);
        expect([...quoted].filter((c) => result.stderr.includes(c) || result.stdout.includes(c))).toEqual([]);
      },
      database
    )()
  );

  // Regression test for a limitation this suite found, now fixed: error-body-unseen-values in
  // support/bugs.ts (a failed read whose error body holds secret values the CLI never saw).
  it(
    'doppler: values quoted by a failing download are not printed',
    guardsFix('error-body-unseen-values', async () => {
      const values = canaries('download');
      const { result, echoed } = await echoedCreate(['doppler'], (r) => /secrets\/download/.test(r.path), {
        async: { polls: 1 },
        scenario: { projects: [{ slug: 'myapp', environments: ['dev', 'prd'], secrets: { prd: values } }] } as never,
      });
      expect(echoed).toBeGreaterThan(0);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/read the secrets of \S+ failed: HTTP 400/);
      expectNoLeak([{ label: 'create with a failing download', result }], values);
    })
  );
});
