/**
 * Crash at any point, local stack: `fork-stack create alice` (SQLite database, fs bucket, dotenv secrets,
 * all forked from a parent big enough that the copy takes a while) is SIGKILLed before each step of its
 * file protocol (lock, journal, partial files, renames, env file), before the n-th filesystem mutation
 * wherever it falls (mostly inside the bulk copies), and at timed points for what happens inside SQLite
 * (support/crash.ts). After every
 * kill, re-running create finishes the environment with exactly the parent's data, or delete removes
 * every trace of it; the parent's rows, files and secrets never change.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { guardsFix, provesBug } from './support/bugs.js';
import { calibrate, crashCampaign, spread, stepPoints, type Calibration, type CrashStack } from './support/crash.js';
import { recordFigures, scale, TIMEOUT_MS } from './support/figures.js';
import { localChecksums, localLeftovers, localPhase, localStack, type LocalStack } from './support/local-stack.js';

const SIZE = scale({ rows: 4_000, rowBytes: 4096, files: 400 }, { rows: 20_000, rowBytes: 4096, files: 2_000 });
/** Steps of the file protocol (lock, journal, renames…): a few evenly chosen, or every one. */
const STEP_POINTS = scale<number | undefined>(3, undefined);
const OP_POINTS = scale(1, 12);
const TIMER_POINTS = scale(1, 8);

describe('crash at any point: local stack', () => {
  let project: LocalStack;
  let stack: CrashStack;
  let calibration: Calibration;

  beforeAll(async () => {
    project = await localStack(SIZE);
    const dir = project.dir;
    const parent = await localChecksums(dir, 'dev');
    stack = {
      dir,
      env: 'alice',
      cliEnv: {},
      leftovers: async () => localLeftovers(dir, 'alice'),
      parentChecksum: async () => JSON.stringify(await localChecksums(dir, 'dev')),
      childDiffers: async () => {
        const child = await localChecksums(dir, 'alice');
        const differ = (Object.keys(parent) as (keyof typeof parent)[]).filter((k) => child[k] !== parent[k]);
        return differ.length === 0 ? undefined : `${differ.join(', ')} differ`;
      },
      phase: async () => localPhase(dir, 'alice'),
    };
    calibration = await calibrate(stack);
  }, TIMEOUT_MS);
  afterAll(() => project?.cleanup());

  it(
    'every kill is recovered by re-running create or by delete, with zero orphans and the parent unchanged',
    async () => {
      const steps = stepPoints(calibration.sequence, STEP_POINTS);
      const points = [
        ...steps,
        ...spread('op', OP_POINTS, 1, calibration.ops),
        // Timed kills between the first mutation (~node start-up) and the end of the run.
        ...spread('timer', TIMER_POINTS, calibration.durationMs * 0.2, calibration.durationMs),
      ];
      const figures = await crashCampaign(stack, points, calibration);
      recordFigures('crash', 'local stack', {
        stack: 'sqlite + fs bucket + dotenv secrets',
        parent: `${SIZE.rows} rows (${Math.round(project.size.dbBytes / 2 ** 20)} MiB), ${SIZE.files} files, ${project.size.secrets} secrets`,
        ...figures,
        calibration: { ...figures.calibration },
      });
      expect(figures.recoveryFailures).toEqual([]);
      // Leftovers of known bugs are reported in figures.knownBugOrphans and proved by the it.fails below.
      expect(figures.orphans).toEqual([]);
      expect(figures.parentUnchanged).toBe(true);
      expect(figures.killPoints).toBeGreaterThanOrEqual(Math.floor(points.length * 0.75));
    },
    TIMEOUT_MS
  );
});

const HOOK = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'kill-hook.mjs')).href;

describe('crash at a chosen point: local stack', () => {
  // Regression test for a bug this suite found, now fixed: atomic-write-temp-orphan in support/bugs.ts.
  it(
    'a kill between writing and renaming the secrets file leaves nothing once delete has run',
    guardsFix('atomic-write-temp-orphan', async () => {
      const project = await localStack({ rows: 10, rowBytes: 64, files: 5 });
      try {
        const killed = await runCliAsync(['create', 'alice'], {
          cwd: project.dir,
          env: { NODE_OPTIONS: `--import=${HOOK}`, RELIABILITY_KILL_BEFORE: 'rename .alice.env.<tmp>' },
        });
        expect(killed.signal).toBe('SIGKILL');
        const deleted = project.run(['delete', 'alice', '--yes']);
        expect(deleted.code, deleted.stderr).toBe(0);
        expect(localLeftovers(project.dir, 'alice')).toEqual([]);
      } finally {
        project.cleanup();
      }
    })
  );
});
