/**
 * Ownership is proven, never inferred (issue 14 §1): the engine refuses to delete, reset, resume, reuse or
 * garbage-collect anything under an environment's name that does not carry fork-stack's marker for this
 * project and environment. Runs the shared ownership contract over the memory provider (the engine's
 * half; every real provider runs it too, in its own test file), plus the engine cases a single provider
 * cannot show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../src/engine/create.js';
import { deleteEnvironment } from '../../src/engine/remove.js';
import type { ProviderContext } from '../../src/providers/types.js';
import { memoryEngine } from '../helpers/engine.js';
import { MemoryProvider } from '../helpers/memory-provider.js';
import { ownershipContract } from '../helpers/ownership-contract.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-ownership-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const memory = new MemoryProvider({ kind: 'database' });
memory.plant('dev');
const ctx: ProviderContext<unknown> = {
  project: 'app',
  slot: 'database',
  kind: 'database',
  options: {},
  root,
  stateDir: path.join(root, '.fork-stack'),
  env: {},
  roots: ['dev'],
  protectedEnvs: ['prod', 'dev'],
  signal: new AbortController().signal,
  progress() {},
  warn() {},
  now: () => new Date(),
};

ownershipContract('memory', memory, async () => ({
  ctx,
  parent: 'dev',
  foreign: {
    plant: {
      empty: async (env) => memory.plantForeign(env),
      'non-empty': async (env) => memory.plantForeign(env, undefined, { ROW: '1' }),
      'other-project': async (env) => memory.plantForeign(env, { project: 'app-d', env: 'e' }),
      'other-env': async (env) => memory.plantForeign(env, { project: 'app', env: 'someone-else' }),
    },
    fingerprint: async (env) => JSON.stringify(memory.resources.get(env) ?? null),
    clear: async (env) => void memory.resources.delete(env),
  },
}));

describe('engine: ownership across slots', () => {
  it('create --reuse refuses an environment whose resources are foreign, and touches nothing', async () => {
    const t = memoryEngine();
    try {
      for (const p of Object.values(t.providers)) p.plantForeign('alice');
      await expect(createEnvironment(t.engine, { env: 'alice', reuse: true, ttlMs: null })).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/refusing to reuse "alice"/) });
      for (const p of Object.values(t.providers)) expect(p.mutationsOf('alice')).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('delete of an environment with one foreign resource among its own removes nothing', async () => {
    const t = memoryEngine();
    try {
      await createEnvironment(t.engine, { env: 'bob', ttlMs: null });
      t.providers['storage.uploads']?.plantForeign('bob', { project: 'other', env: 'bob' });
      const error = await deleteEnvironment(t.engine, 'bob').catch((e: unknown) => e as Error & { details: string[] });
      expect(error).toMatchObject({ exitCode: 1 });
      expect((error as { details: string[] }).details.join('\n')).toMatch(/another fork-stack project: "other", environment "bob"/);
      for (const p of Object.values(t.providers)) expect(p.calls.filter((c) => c.op === 'remove')).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
