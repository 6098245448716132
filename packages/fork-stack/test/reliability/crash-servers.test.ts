/**
 * Crash at any point, self-hosted servers: `fork-stack create alice` forking a PostgreSQL database (built
 * under a staging name, then renamed) and a Redis cache prefix with copy = true (a real postgres and
 * redis-server started here) is SIGKILLed before each step of its file protocol and at timed points
 * spread over the run (inside CREATE DATABASE, inside the key copy). After every kill, re-running create
 * finishes the environment or delete removes it: no database app_alice, no staging database
 * fork_stack_tmp_*, no key or registry entry under app:alice:, nothing on disk; dev's rows and keys unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinariesOrSkip } from '../helpers/postgres-server.js';
import { redisServerAvailable } from '../helpers/redis-server.js';
import { calibrate, crashCampaign, spread, stepPoints, type Calibration } from './support/crash.js';
import { recordFigures, scale, TIMEOUT_MS } from './support/figures.js';
import { serversStack, type ServersStack } from './support/servers-stack.js';

const SIZE = scale({ rows: 20_000, keys: 3_000 }, { rows: 150_000, keys: 40_000 });
const STEP_POINTS = scale(1, 12);
const TIMER_POINTS = scale(2, 40);
const available = Boolean(postgresBinariesOrSkip()) && redisServerAvailable();

describe.skipIf(!available)('crash at any point: PostgreSQL + Redis', () => {
  let stack: ServersStack;
  let calibration: Calibration;

  beforeAll(async () => {
    stack = await serversStack(SIZE);
    calibration = await calibrate(stack);
  }, TIMEOUT_MS);
  afterAll(() => stack?.close());

  it(
    'every kill is recovered by re-running create or by delete, with no staging database, no keys left and the parent unchanged',
    async () => {
      const points = [
        ...stepPoints(calibration.sequence, STEP_POINTS),
        ...spread('timer', TIMER_POINTS, calibration.durationMs * 0.15, calibration.durationMs),
      ];
      const figures = await crashCampaign(stack, points, calibration);
      const { sequence: _sequence, ...calibrationFigures } = figures.calibration;
      const size = (await stack.postgres.query<{ s: string }>("SELECT pg_size_pretty(pg_database_size('app_dev')) AS s"))[0]?.s;
      recordFigures('crash', 'postgres and redis', {
        stack: `postgres ${stack.postgres.major} (CREATE DATABASE … TEMPLATE) + redis cache (prefix, copy = true)`,
        parent: `${SIZE.rows} rows (${size}), ${SIZE.keys} keys`,
        ...figures,
        calibration: calibrationFigures,
      });
      expect(figures.recoveryFailures).toEqual([]);
      expect(figures.orphans).toEqual([]);
      expect(figures.parentUnchanged).toBe(true);
      expect(figures.killPoints).toBeGreaterThanOrEqual(Math.floor(points.length * 0.6));
    },
    TIMEOUT_MS
  );
});
