/**
 * Faulty providers: every cloud provider through its fake, with a seeded fraction of requests answered by
 * 429 (Retry-After), 500, 503, a dropped connection or a stall past the HTTP timeout (20% in the long
 * variant). create, list and delete must still succeed through retries, leave exactly one resource per
 * environment on the fake (none after delete) and never touch the parent. Faults that hit *after* the
 * request was applied (the create happened, the client saw an error) check that retried mutations are
 * idempotent. At 100% faults on the creating request, create fails cleanly: exit 1, a message naming the
 * provider, no stack trace, and a rollback that leaves nothing on the fake.
 *
 * Timeouts and backoff are shortened through the variables core/retry.ts and core/http.ts read, so a
 * stall costs FORK_STACK_HTTP_TIMEOUT_MS and a retry a few milliseconds. Wall times are measured and
 * reported, never asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultKind } from '@fork-stack/provider-fakes';
import { hasStackTrace, runCliAsync, type RunResult } from '../helpers/cli.js';
import { guardsFix } from './support/bugs.js';
import { cloudProject, type CloudProject } from './support/cloud-providers.js';
import { LONG, recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';

const RATE = scale(0.08, 0.2);
const CYCLES = scale(1, 4);
const HTTP_TIMEOUT_MS = 300;
const STALL_MS = 2_000;
const KINDS: FaultKind[] = ['429', '500', '503', 'drop', 'stall'];
/** Every provider appears once as database or secrets; the short variant runs two of the four pairs. */
const PAIRS: [string, string | undefined][] = scale(
  [
    ['neon', 'doppler'],
    ['turso', 'aws-secrets'],
  ],
  [
    ['neon', 'doppler'],
    ['turso', 'aws-secrets'],
    ['planetscale', 'vault'],
    ['supabase', undefined],
  ]
);
const RETRY_ENV = {
  FORK_STACK_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
  // With 20% faults, ten failures in a row happen once in ten million calls.
  FORK_STACK_RETRY_ATTEMPTS: '10',
  FORK_STACK_RETRY_BASE_MS: '5',
  FORK_STACK_POLL_INTERVAL_MS: '5',
};

const results: Record<string, Figure> = {};
afterAll(() => {
  recordFigures('faults', 'faulty providers', {
    rate: RATE,
    kinds: KINDS,
    httpTimeoutMs: HTTP_TIMEOUT_MS,
    stallMs: STALL_MS,
    retryAttempts: Number(RETRY_ENV.FORK_STACK_RETRY_ATTEMPTS),
    results,
  });
});

async function timed(run: () => Promise<RunResult>): Promise<RunResult & { ms: number }> {
  const start = performance.now();
  const result = await run();
  return { ...result, ms: since(start) };
}

function clean(result: RunResult, what: string): void {
  expect(result.code, `${what}: ${result.stderr}`).toBe(0);
  expect(hasStackTrace(result.stderr), `${what} printed a stack trace`).toBe(false);
}

describe.each(PAIRS)('faulty providers: %s + %s', (database, secrets) => {
  const names = [database, secrets].filter((n): n is string => n !== undefined);
  const label = names.join(' + ');

  // Faults applied after the request (retried mutations must be idempotent): every pair in the long
  // variant, the Neon pair in the short one.
  const modes: (readonly ['before' | 'after', boolean])[] =
    LONG || database === 'neon'
      ? [
          ['before', false],
          ['after', true],
        ]
      : [['before', false]];
  it.each(modes)(
    `create, list and delete succeed through ${Math.round(RATE * 100)}% faults (applied %s the fault) without duplicates or parent changes`,
    async (when, afterApply) => {
      const project: CloudProject = await cloudProject(
        names,
        (name) => ({
          async: { polls: 2 },
          faults: { rate: RATE, kinds: KINDS, seed: 7 + names.indexOf(name), stallMs: STALL_MS, retryAfterSeconds: 0, afterApply },
        }),
        RETRY_ENV
      );
      try {
        const parentBefore = project.parents();
        const run = (args: string[]) => timed(() => runCliAsync(args, { cwd: project.dir, env: project.env }));
        const times = { create: [] as number[], list: [] as number[], delete: [] as number[] };
        let duplicates = 0;
        let leftAfterDelete = 0;
        for (let cycle = 0; cycle < CYCLES; cycle++) {
          const env = `alice-${cycle}`;
          const created = await run(['create', env]);
          clean(created, `create ${env}`);
          times.create.push(created.ms);
          duplicates += Object.values(project.counts(env)).reduce((a, n) => a + Math.max(0, n - 1), 0);
          expect(project.counts(env), 'exactly one resource per provider after create').toEqual(
            Object.fromEntries(project.fakes.map(({ provider }) => [provider.fake, 1]))
          );
          const listed = await run(['list', '--json']);
          clean(listed, 'list');
          times.list.push(listed.ms);
          const list = JSON.parse(listed.stdout) as { environments: { name: string; state: string }[]; errors: unknown[] };
          expect(list.errors).toEqual([]);
          expect(list.environments.find((e) => e.name === env)?.state).toBe('ready');
          const deleted = await run(['delete', env, '--yes']);
          clean(deleted, `delete ${env}`);
          times.delete.push(deleted.ms);
          leftAfterDelete += Object.values(project.counts(env)).reduce((a, n) => a + n, 0);
          expect(
            Object.values(project.counts(env)).every((n) => n === 0),
            'nothing left after delete'
          ).toBe(true);
        }
        const parentUnchanged = project.parents() === parentBefore;
        expect(project.parents()).toBe(parentBefore);
        const requests = project.fakes.flatMap(({ fake }) => fake.requests);
        const faults = requests.filter((r) => r.fault !== undefined);
        for (const { fake } of project.fakes) expect(fake.violations).toEqual([]);
        const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        results[`${label} (faults ${when} apply)`] = {
          cycles: CYCLES,
          requests: requests.length,
          faults: faults.length,
          faultRate: Number((faults.length / requests.length).toFixed(3)),
          byKind: Object.fromEntries(KINDS.map((k) => [k, faults.filter((r) => r.fault === k).length])),
          createMs: total(times.create),
          listMs: total(times.list),
          deleteMs: total(times.delete),
          maxCreateMs: Math.max(...times.create),
          duplicates,
          leftAfterDelete,
          parentUnchanged,
        };
      } finally {
        await project.close();
      }
    },
    TIMEOUT_MS
  );

  // Neon: a regression test for neon-rollback-while-branch-initialising (support/bugs.ts), now fixed.
  const failsCleanly = async () => {
    const project = await cloudProject(names, { async: { polls: 2 } }, { ...RETRY_ENV, FORK_STACK_RETRY_ATTEMPTS: '3' });
    try {
      const parentBefore = project.parents();
      // The request that creates each resource is applied, then answered 503, every time.
      for (const { provider, fake } of project.fakes) fake.failNth({ operation: provider.createOperation, times: 1e9, fault: '503', afterApply: true });
      const started = performance.now();
      const failed = await runCliAsync(['create', 'bob'], { cwd: project.dir, env: project.env });
      const ms = since(started);
      expect(failed.code, failed.stderr).toBe(1);
      expect(hasStackTrace(failed.stdout + failed.stderr)).toBe(false);
      expect(failed.stderr).toMatch(/^error: could not create "bob"/m);
      expect(failed.stderr).toMatch(/HTTP 503|503/);
      expect(failed.stderr).toMatch(/rolled back: nothing of the new environment was left behind/);
      expect(failed.stderr).not.toMatch(/This is a bug in fork-stack/);
      const leftOnFakes = Object.values(project.counts('bob')).reduce((a, n) => a + n, 0);
      expect(leftOnFakes, `left on the fakes: ${JSON.stringify(project.counts('bob'))}`).toBe(0);
      expect(project.parents()).toBe(parentBefore);
      const listed = await runCliAsync(['list', '--json'], { cwd: project.dir, env: project.env });
      expect((JSON.parse(listed.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name)).toEqual(['prod']);
      results[`${label} (100% faults on create)`] = {
        exitCode: failed.code,
        message: failed.stderr.split('\n').find((l) => l.startsWith('error:')) ?? '',
        faults: project.fakes.flatMap(({ fake }) => fake.requests).filter((r) => r.fault).length,
        leftOnFakes,
        ms,
      };
    } finally {
      await project.close();
    }
  };
  it(
    'at 100% faults on the creating request, create fails cleanly and rolls back',
    database === 'neon' ? guardsFix('neon-rollback-while-branch-initialising', failsCleanly) : failsCleanly,
    TIMEOUT_MS
  );
});
