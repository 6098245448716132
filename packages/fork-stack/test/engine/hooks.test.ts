/**
 * Hooks at the engine level (docs/hooks.md): the prod guard applies to the variables a hook receives,
 * whichever command runs it. The end-to-end cases are in test/e2e/hooks.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/context.js';
import { createEnvironment } from '../../src/engine/create.js';
import { resetEnvironment } from '../../src/engine/reset.js';
import { UsageError } from '../../src/core/errors.js';
import type { VariablesGuard } from '../../src/engine/guards.js';
import { memoryEngine, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
afterEach(() => t?.cleanup());

const marker = (name: string) => `${JSON.stringify(process.execPath)} -e "require('fs').writeFileSync('${name}', '')"`;

describe('hooks and the variables guards', () => {
  it('after_reset never starts when a guard refuses the variables it would receive', async () => {
    t = memoryEngine(undefined, { hooks: { after_create: [marker('created')], after_reset: [marker('reset')], before_delete: [], after_switch: [] } });
    await createEnvironment(t.engine, { env: 'alice', ttlMs: null });
    expect(existsSync(path.join(t.root, 'created'))).toBe(true);
    let armed = false;
    const refuse: VariablesGuard = async (_engine, resolved) => {
      if (armed && resolved.env === 'alice') throw new UsageError('refusing: these variables point at production');
    };
    const guarded = createEngine(t.config, { providers: t.providers, env: {}, guards: [refuse] });
    armed = true;
    await expect(resetEnvironment(guarded, 'alice')).rejects.toThrow(/point at production/);
    expect(existsSync(path.join(t.root, 'reset'))).toBe(false);
  });

  it('a create whose variables a guard refuses never starts after_create', async () => {
    t = memoryEngine(undefined, { hooks: { after_create: [marker('created')], after_reset: [], before_delete: [], after_switch: [] } });
    const refuse: VariablesGuard = async () => {
      throw new UsageError('refusing: these variables point at production');
    };
    const guarded = createEngine(t.config, { providers: t.providers, env: {}, guards: [refuse] });
    await expect(createEnvironment(guarded, { env: 'bob', ttlMs: null })).rejects.toThrow(/point at production/);
    expect(existsSync(path.join(t.root, 'created'))).toBe(false);
  });
});
