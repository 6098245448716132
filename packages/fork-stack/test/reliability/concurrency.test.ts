/**
 * Concurrency: two `create alice` at once in one checkout → one succeeds, the other gets a clear error
 * (the per-environment lock) and changes nothing; in two checkouts of a team (no shared lock) the
 * environment still exists once and whole and neither run removes the other's resources; ten
 * creates of different environments at once all succeed; `switch` racing with `create` and with other
 * switches never leaves `.env.local` or `.current-env` torn for readers polling them in a tight loop.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';
import { guardsFix } from './support/bugs.js';
import { cloudProject } from './support/cloud-providers.js';
import { recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';
import { localChecksums, localLeftovers, localStack } from './support/local-stack.js';

const RACES = scale(1, 12);
const PARALLEL = scale(10, 10);
const SWITCHERS = scale(2, 4);
const SWITCHES = scale(4, 25);
const READER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'torn-reader.mjs');

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('concurrency', 'races', results));

/** What the losing run of a two-checkout race saw, without the environment's name (so the report can count them). */
function raceOutcome(winners: number, loserStderr: string, env: string): string {
  if (winners === 2) return 'both finished it';
  if (/another checkout created it at the same moment/.test(loserStderr)) return 'loser told it already exists';
  if (/already exists in part/.test(loserStderr)) return 'loser refused: exists in part';
  return (loserStderr.split('\n').find((l) => l.startsWith('error:')) ?? '').replaceAll(env, '<env>');
}

const clearFailure = (r: RunResult) => r.code === 1 && !hasStackTrace(r.stderr) && /^error: /m.test(r.stderr) && !/This is a bug/.test(r.stderr);

describe('concurrency: local stack', () => {
  it(
    'two creates of the same environment at once: one succeeds, the other fails clearly and changes nothing',
    async () => {
      const project = await localStack({ rows: 2_000, rowBytes: 2048, files: 300 });
      const outcomes: string[] = [];
      try {
        const parent = await localChecksums(project.dir, 'dev');
        for (let i = 0; i < RACES; i++) {
          const [a, b] = await Promise.all([0, 1].map(() => runCliAsync(['create', 'alice'], { cwd: project.dir })));
          const codes = [a, b].map((r) => r!.code).sort();
          expect(codes, `${a!.stderr}\n${b!.stderr}`).toEqual([0, 1]);
          const loser = [a, b].find((r) => r!.code === 1) as RunResult;
          expect(clearFailure(loser), loser.stderr).toBe(true);
          expect(loser.stderr).toMatch(/environment "alice" (is busy: another fork-stack process|already exists)/);
          outcomes.push(/busy/.test(loser.stderr) ? 'busy' : 'already exists');
          // The winner's environment is whole: the loser removed nothing.
          expect(await localChecksums(project.dir, 'alice')).toEqual(parent);
          expect(project.run(['delete', 'alice', '--yes']).code).toBe(0);
          expect(localLeftovers(project.dir, 'alice')).toEqual([]);
        }
        results['same env, one checkout (local)'] = { races: RACES, loserSaw: outcomes.join(', ') };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS
  );

  it(
    `${PARALLEL} creates of different environments at once all succeed`,
    async () => {
      const project = await localStack({ rows: 500, rowBytes: 2048, files: 50 });
      try {
        const parent = await localChecksums(project.dir, 'dev');
        const names = Array.from({ length: PARALLEL }, (_, i) => `env-${i}`);
        const start = performance.now();
        const runs = await Promise.all(names.map((n) => runCliAsync(['create', n], { cwd: project.dir })));
        const ms = since(start);
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        for (const n of names) expect(await localChecksums(project.dir, n)).toEqual(parent);
        const list = JSON.parse(project.run(['list', '--json']).stdout) as { environments: { name: string; state: string }[] };
        expect(list.environments.filter((e) => names.includes(e.name)).map((e) => e.state)).toEqual(names.map(() => 'ready'));
        results[`${PARALLEL} parallel creates (local)`] = { succeeded: runs.filter((r) => r.code === 0).length, ms };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS
  );

  it(
    'switch racing with create and with other switches: readers never see a torn .env.local or .current-env',
    async () => {
      const project = await localStack(scale({ rows: 1_000, rowBytes: 2048, files: 100 }, { rows: 20_000, rowBytes: 2048, files: 800 }));
      const envs = ['dev', 'alice', 'bob', 'carol'];
      try {
        for (const e of envs.slice(1)) expect(project.run(['create', e]).code).toBe(0);
        const envLocal = path.join(project.dir, '.env.local');
        const block = readFileSync(envLocal, 'utf8');
        writeFileSync(envLocal, `USER_OWN=kept-before\n${block}# user comment after the block\nUSER_AFTER=kept-after\n`);
        const readers = [0, 1].map(() => {
          const child = spawn(process.execPath, [READER, project.dir, envs.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          return new Promise<{ reads: number; torn: number; examples: string[] }>((resolve) =>
            child.on('close', () => resolve(JSON.parse(out || '{"reads":0,"torn":-1,"examples":["no output"]}')))
          );
        });
        const start = performance.now();
        const create = runCliAsync(['create', 'dave'], { cwd: project.dir });
        const switchers = Array.from({ length: SWITCHERS }, async (_, s) => {
          const codes: (number | null)[] = [];
          for (let i = 0; i < SWITCHES; i++) codes.push((await runCliAsync(['switch', envs[(i + s) % envs.length] as string], { cwd: project.dir })).code);
          return codes;
        });
        const [created, ...switched] = await Promise.all([create, ...switchers]);
        writeFileSync(path.join(project.dir, '.stop-readers'), '');
        const seen = await Promise.all(readers);
        const ms = since(start);
        expect(created.code, created.stderr).toBe(0);
        expect(switched.flat().every((c) => c === 0)).toBe(true);
        expect(seen.flatMap((r) => r.examples)).toEqual([]);
        expect(seen.every((r) => r.torn === 0 && r.reads > 0)).toBe(true);
        // dave is whole although switches raced with its create.
        expect(await localChecksums(project.dir, 'dave')).toEqual(await localChecksums(project.dir, 'dev'));
        results['switch racing create and switches (local)'] = {
          switchers: SWITCHERS,
          switches: SWITCHERS * SWITCHES,
          readers: seen.length,
          reads: seen.reduce((a, r) => a + r.reads, 0),
          tornReads: seen.reduce((a, r) => a + r.torn, 0),
          ms,
        };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS
  );
});

describe('concurrency: cloud (Neon + Doppler fakes)', () => {
  it(
    'two checkouts create the same environment at once: it exists once and whole, and neither run removes anything of the other',
    async () => {
      const project = await cloudProject(['neon', 'doppler'], { latencyMs: 10, async: { polls: 2 } });
      // A teammate's checkout of the same project: same config, its own .fork-stack (no shared lock).
      const tmp = tempDir('fork-stack-teammate-');
      const teammate = path.join(tmp.dir, 'myapp');
      mkdirSync(teammate);
      cpSync(path.join(project.dir, 'fork-stack.toml'), path.join(teammate, 'fork-stack.toml'));
      const outcomes: string[] = [];
      try {
        const parentBefore = project.parents();
        for (let i = 0; i < RACES; i++) {
          const env = `alice-${i}`;
          const [a, b] = await Promise.all([project.dir, teammate].map((cwd) => runCliAsync(['create', env], { cwd, env: project.env })));
          const results2 = [a, b] as RunResult[];
          const won = results2.filter((r) => r.code === 0);
          const lost = results2.filter((r) => r.code !== 0);
          for (const r of lost) expect(clearFailure(r), r.stderr).toBe(true);
          expect(won.length, results2.map((r) => r.stderr).join('\n')).toBeGreaterThanOrEqual(1);
          outcomes.push(raceOutcome(won.length, lost[0]?.stderr ?? '', env));
          // Whatever the race, the environment exists once and whole on every provider.
          expect(project.counts(env)).toEqual({ neon: 1, doppler: 1 });
          const listed = JSON.parse((await runCliAsync(['list', '--json'], { cwd: project.dir, env: project.env })).stdout) as {
            environments: { name: string; state: string }[];
          };
          expect(listed.environments.find((e) => e.name === env)?.state).toBe('ready');
        }
        expect(project.parents()).toBe(parentBefore);
        for (const { fake } of project.fakes) expect(fake.violations).toEqual([]);
        results['same env, two checkouts (neon + doppler)'] = { races: RACES, outcomes: outcomes.join(', ') };
      } finally {
        tmp.cleanup();
        await project.close();
      }
    },
    TIMEOUT_MS
  );

  // Regression test for a bug this suite found, now fixed: concurrent-create-adopts in support/bugs.ts.
  it(
    'two checkouts create the same environment at once: the second is told it already exists',
    guardsFix('concurrent-create-adopts', async () => {
      // Latency long enough that both runs look for the environment before either creates it.
      const project = await cloudProject(['neon', 'doppler'], { latencyMs: 150, async: { polls: 2 } });
      const tmp = tempDir('fork-stack-teammate-');
      const teammate = path.join(tmp.dir, 'myapp');
      mkdirSync(teammate);
      cpSync(path.join(project.dir, 'fork-stack.toml'), path.join(teammate, 'fork-stack.toml'));
      try {
        const runs = await Promise.all([project.dir, teammate].map((cwd) => runCliAsync(['create', 'alice'], { cwd, env: project.env })));
        expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
        const loser = runs.find((r) => r.code === 1) as RunResult;
        expect(clearFailure(loser), loser.stderr).toBe(true);
        expect(loser.stderr).toMatch(/environment "alice" already exists/);
        // Once and whole, and the loser left no journal claiming it.
        expect(project.counts('alice')).toEqual({ neon: 1, doppler: 1 });
        expect(runs.every((r) => !/rolled back|rollback/.test(r.stderr))).toBe(true);
      } finally {
        tmp.cleanup();
        await project.close();
      }
    }),
    TIMEOUT_MS
  );

  it(
    `${PARALLEL} creates of different environments at once all succeed`,
    async () => {
      const project = await cloudProject(['neon', 'doppler'], { latencyMs: 10, async: { polls: 2 } });
      try {
        const names = Array.from({ length: PARALLEL }, (_, i) => `env-${i}`);
        const start = performance.now();
        const runs = await Promise.all(names.map((n) => runCliAsync(['create', n], { cwd: project.dir, env: project.env })));
        const ms = since(start);
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        for (const n of names) expect(project.counts(n)).toEqual({ neon: 1, doppler: 1 });
        results[`${PARALLEL} parallel creates (neon + doppler)`] = { succeeded: runs.filter((r) => r.code === 0).length, ms };
      } finally {
        await project.close();
      }
    },
    TIMEOUT_MS
  );
});
