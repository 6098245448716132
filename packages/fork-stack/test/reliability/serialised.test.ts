/**
 * One writer at a time (docs/architecture.md, "Locks"), on the CLI: concurrent `secrets set`/`unset` lose no write,
 * concurrent `switch`es leave `.current-env` and `.env.local` naming the same environment, and `switch X`
 * racing `delete X` ends with one of them having won: X exists and is current, or X is gone, is not
 * current and left no variables file behind. Regression tests for issue 14 §3.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, localProject, runCliAsync, type RunResult } from '../helpers/cli.js';
import { recordFigures, scale, since, type Figure } from './support/figures.js';

const TIMEOUT_MS = 600_000;
const SWITCH_ROUNDS = scale(3, 10);
const DELETE_RACES = scale(4, 12);
// Forty processes queue for one lock on a shared two-core machine: give the last one time.
const ENV = { FORK_STACK_LOCK_WAIT_MS: '240000' };

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('serialised', 'one writer at a time', results));

function secretKeys(project: ReturnType<typeof localProject>, env = 'dev'): string[] {
  const listed = project.run(['secrets', 'list', '--env', env, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return Object.keys((JSON.parse(listed.stdout) as { secrets: Record<string, string> }).secrets);
}

/** The environment `.env.local`'s managed block holds, and its DATABASE_URL. */
function envLocal(dir: string): { env?: string; url?: string } {
  const text = readFileSync(path.join(dir, '.env.local'), 'utf8');
  return { env: /# environment: ([a-z0-9-]+)/.exec(text)?.[1], url: /^DATABASE_URL=(.*)$/m.exec(text)?.[1] };
}

function storedUrl(dir: string, env: string): string | undefined {
  return /^DATABASE_URL=(.*)$/m.exec(readFileSync(path.join(dir, '.fork-stack', 'envs', `${env}.env`), 'utf8'))?.[1];
}

const clean = (r: RunResult) => !hasStackTrace(r.stderr) && !/This is a bug/.test(r.stderr);

describe('secrets set and unset are serialised per environment', () => {
  it(
    'four concurrent secrets set store all four keys (they lost writes: 3 of 4 stored)',
    async () => {
      const project = localProject();
      try {
        const runs = await Promise.all(['P', 'Q', 'R', 'S'].map((k) => runCliAsync(['secrets', 'set', `LOST_${k}`, 'v'], { cwd: project.dir, env: ENV })));
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        expect(secretKeys(project).filter((k) => k.startsWith('LOST_')).sort()).toEqual(['LOST_P', 'LOST_Q', 'LOST_R', 'LOST_S']);
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'forty concurrent secrets set store all forty keys, in the secrets file, the variables file and .env.local',
    async () => {
      const project = localProject();
      try {
        const keys = Array.from({ length: 40 }, (_, i) => `LOST_${i}`);
        const start = performance.now();
        const runs = await Promise.all(keys.map((k) => runCliAsync(['secrets', 'set', k, `value-${k}`], { cwd: project.dir, env: ENV })));
        const ms = since(start);
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        expect(secretKeys(project).filter((k) => k.startsWith('LOST_')).sort()).toEqual([...keys].sort());
        // The files the app reads were refreshed by the last writer with every key, not a stale subset.
        for (const file of ['.env.local', path.join('.fork-stack', 'envs', 'dev.env')]) {
          const text = readFileSync(path.join(project.dir, file), 'utf8');
          expect(keys.filter((k) => !text.includes(`${k}=value-${k}`)), file).toEqual([]);
        }
        results['40 concurrent secrets set'] = { stored: 40, ms };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'concurrent secrets unset remove every key they name',
    async () => {
      const project = localProject();
      try {
        const keys = Array.from({ length: 8 }, (_, i) => `GONE_${i}`);
        for (const k of keys) expect(project.run(['secrets', 'set', k, 'v']).code).toBe(0);
        const runs = await Promise.all(keys.map((k) => runCliAsync(['secrets', 'unset', k], { cwd: project.dir, env: ENV })));
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        expect(secretKeys(project).filter((k) => k.startsWith('GONE_'))).toEqual([]);
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS,
  );
});

describe('switch is serialised', () => {
  it(
    'concurrent switches always leave .current-env and .env.local naming the same environment (they disagreed)',
    async () => {
      const project = localProject();
      const envs = ['dev', 'alice', 'bob'];
      try {
        for (const e of envs.slice(1)) expect(project.run(['create', e]).code).toBe(0);
        const seen = new Set<string>();
        for (let round = 0; round < SWITCH_ROUNDS; round++) {
          const order = ['alice', 'bob', 'dev', 'bob', 'alice', 'dev'];
          const runs = await Promise.all(order.map((e) => runCliAsync(['switch', e], { cwd: project.dir, env: ENV })));
          for (const r of runs) expect(r.code, r.stderr).toBe(0);
          const current = readFileSync(path.join(project.dir, '.current-env'), 'utf8').trim();
          const local = envLocal(project.dir);
          expect(local.env, `round ${round}`).toBe(current);
          expect(local.url, `round ${round}`).toBe(storedUrl(project.dir, current));
          expect(local.url).toContain(`.${current}.db`);
          seen.add(current);
        }
        results['concurrent switches'] = { rounds: SWITCH_ROUNDS, switchesPerRound: 6, lastWinners: [...seen].sort().join(', ') };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'switch X racing delete X: either X exists and is current, or X is gone, not current, with no stray variables file',
    async () => {
      const project = localProject();
      const outcomes: Record<string, number> = {};
      try {
        for (let i = 0; i < DELETE_RACES; i++) {
          const created = project.run(['create', 'x']);
          expect(created.code, created.stderr).toBe(0);
          const [sw, del] = await Promise.all([
            runCliAsync(['switch', 'x'], { cwd: project.dir, env: ENV }),
            runCliAsync(['delete', 'x', '--yes'], { cwd: project.dir, env: ENV }),
          ]);
          for (const r of [sw, del] as RunResult[]) {
            expect(clean(r), r.stderr).toBe(true);
            expect([0, 1]).toContain(r.code);
          }
          const current = readFileSync(path.join(project.dir, '.current-env'), 'utf8').trim();
          const exists = existsSync(path.join(project.dir, '.fork-stack', 'data', 'app.x.db'));
          // x.env, or a temp file of a write to it (.x.env.<pid>.<random>.tmp).
          const xFiles = readdirSync(path.join(project.dir, '.fork-stack', 'envs')).filter((n) => n === 'x.env' || n.startsWith('.x.env.'));
          if (exists) {
            // The switch won (delete refused: busy): X is whole and current, its files agree.
            expect(sw!.code, sw!.stderr).toBe(0);
            expect(del!.code).toBe(1);
            expect(current).toBe('x');
            expect(envLocal(project.dir).env).toBe('x');
            expect(xFiles).toEqual(['x.env']);
          } else {
            // The delete won: X is not current anywhere and left nothing behind.
            expect(del!.code, del!.stderr).toBe(0);
            expect(current).not.toBe('x');
            expect(envLocal(project.dir).env).toBe(current);
            expect(xFiles).toEqual([]);
            // `run` hands the app the current environment's database, which exists.
            const url = (await runCliAsync(['run', '--', 'printenv', 'DATABASE_URL'], { cwd: project.dir })).stdout.trim();
            expect(url).toContain(`.${current}.db`);
          }
          const outcome = exists ? 'switch won' : sw!.code === 0 ? 'switch then delete' : 'delete won';
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          // Back to a clean slate for the next race.
          expect(project.run(['switch', 'dev']).code).toBe(0);
          if (exists) expect(project.run(['delete', 'x', '--yes']).code).toBe(0);
        }
        results['switch racing delete'] = { races: DELETE_RACES, ...outcomes };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS,
  );
});
