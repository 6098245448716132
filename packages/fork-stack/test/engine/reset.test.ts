/**
 * A failed reset (issue 14 §6): the environment is marked `resetting`, never shown as ready, refused by
 * `create` (which would take it for an interrupted create and restore nothing), and finished by running
 * `reset` again, also when the failed run had already removed a resource it could not fork again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../src/engine/create.js';
import { listEnvironments } from '../../src/engine/list.js';
import { resetEnvironment } from '../../src/engine/reset.js';
import { environmentStatus } from '../../src/engine/status.js';
import { readMeta } from '../../src/core/state.js';
import type { ForkStackError } from '../../src/core/errors.js';
import { memoryEngine, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
afterEach(() => t?.cleanup());

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ForkStackError);

describe('reset', () => {
  it('a failed reset is marked resetting, create refuses it with a hint to run reset, and reset finishes it', async () => {
    t = memoryEngine();
    await createEnvironment(t.engine, { env: 'alice', ttlMs: null });
    const db = t.providers.database!;
    db.resources.get('alice')!.values.ROW = 'written in alice';
    // The database is removed, then its fork from dev fails: the reset cannot be reported as done.
    db.failFork.set('alice', new Error('copy failed: disk full'));
    const error = await failure(resetEnvironment(t.engine, 'alice'));
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toMatch(/could not reset "alice"/);
    expect(error?.details.join('\n')).toMatch(/copy failed: disk full/);
    expect(error?.hint).toMatch(/fork-stack reset alice --from dev/);
    expect(error?.hint).not.toMatch(/fork-stack create/);
    expect((await readMeta(t.config.paths, 'alice'))?.status).toBe('resetting');
    expect((await listEnvironments(t.engine)).environments.find((e) => e.name === 'alice')?.state).toBe('resetting');
    expect((await environmentStatus(t.engine, 'alice')).state).toBe('resetting');

    // The hinted command of old (create --from dev) must not print "finished" and restore nothing.
    const created = await failure(createEnvironment(t.engine, { env: 'alice', from: 'dev', ttlMs: null }));
    expect(created?.exitCode).toBe(1);
    expect(created?.message).toMatch(/a reset of "alice" did not finish/);
    expect(created?.hint).toMatch(/fork-stack reset alice --from dev/);

    db.failFork.clear();
    const done = await resetEnvironment(t.engine, 'alice');
    expect(done.refork).toContain('database');
    expect(db.resources.get('alice')?.values).toEqual(db.resources.get('dev')?.values);
    expect(db.resources.get('alice')?.values.ROW).toBeUndefined();
    expect((await readMeta(t.config.paths, 'alice'))?.status).toBe('ready');
    expect((await listEnvironments(t.engine)).environments.find((e) => e.name === 'alice')?.state).toBe('ready');
  });
});
