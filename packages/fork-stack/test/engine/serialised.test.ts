/**
 * One writer at a time, in one process: switches started together (the event loop interleaves their file
 * writes at every await, as separate processes do at random) always leave `.current-env` and `.env.local`
 * naming the same environment, and `switch X` started together with `delete X` ends with one winner.
 * The CLI-level versions are in test/reliability/serialised.test.ts.
 */
import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../src/engine/create.js';
import { deleteEnvironment } from '../../src/engine/remove.js';
import { switchEnvironment } from '../../src/engine/switch.js';
import { memoryEngine, type TestEngine } from '../helpers/engine.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let t: TestEngine;
afterEach(() => t?.cleanup());

async function files(t: TestEngine): Promise<{ current: string; block?: string }> {
  const current = (await fs.readFile(t.config.paths.currentEnv, 'utf8')).trim();
  const local = await fs.readFile(t.config.paths.envLocal, 'utf8');
  return { current, block: /FORK_STACK_ENV=([a-z0-9-]+)/.exec(local)?.[1] };
}

describe('switch is serialised (in one process)', () => {
  it('switches started together leave .current-env and .env.local naming the same environment (they disagreed)', async () => {
    t = memoryEngine();
    for (const env of ['alice', 'bob']) await createEnvironment(t.engine, { env });
    const disagreed: string[] = [];
    for (let round = 0; round < 40; round++) {
      const order = round % 2 ? ['alice', 'bob', 'alice', 'bob'] : ['bob', 'alice', 'bob', 'alice'];
      // Staggered starts: each switch's writes overlap the others' at a different point.
      await Promise.all(order.map((env, i) => delay(i * (round % 5)).then(() => switchEnvironment(t.engine, env))));
      const seen = await files(t);
      if (seen.block !== seen.current) disagreed.push(`round ${round}: .current-env ${seen.current}, .env.local ${seen.block}`);
    }
    expect(disagreed).toEqual([]);
  });

  it('switch X started together with delete X: X is current and whole, or gone with no variables file left', async () => {
    t = memoryEngine();
    const outcomes = new Set<string>();
    for (let round = 0; round < 10; round++) {
      await createEnvironment(t.engine, { env: 'x' });
      const [sw, del] = await Promise.allSettled([switchEnvironment(t.engine, 'x'), deleteEnvironment(t.engine, 'x')]);
      const { current, block } = await files(t).catch(() => ({ current: '', block: undefined }));
      const envFile = await fs.stat(t.config.paths.envFile('x')).then(() => true, () => false);
      const exists = t.providers.database!.resources.has('x');
      if (exists) {
        expect(del.status).toBe('rejected');
        expect([current, block, envFile]).toEqual(['x', 'x', true]);
        await switchEnvironment(t.engine, 'dev');
        await deleteEnvironment(t.engine, 'x');
      } else {
        expect(del.status).toBe('fulfilled');
        expect(current).not.toBe('x');
        expect(block).toBe(current);
        expect(envFile).toBe(false);
      }
      outcomes.add(exists ? 'switch won' : sw.status === 'fulfilled' ? 'switch, then delete' : 'delete won');
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});
