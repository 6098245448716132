/**
 * The ownership half of the provider contract (docs/architecture.md, "Ownership"): a resource is
 * fork-stack's only when it carries fork-stack's marker for this project and this environment. For each
 * way a provider's test can plant something else under an environment's exact name (empty, non-empty,
 * versioned with only delete markers, marked for another project or another environment), the suite
 * proves that the provider and the engine leave it byte-identical through delete, gc, rollback,
 * `create --resume`, `create --reuse`, a plain create and reset, and that the engine's refusal says whose
 * it is.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../src/config/load.js';
import { createEngine, type Engine } from '../../src/engine/context.js';
import { createEnvironment } from '../../src/engine/create.js';
import { collectGarbage } from '../../src/engine/gc.js';
import { deleteEnvironment } from '../../src/engine/remove.js';
import { resetEnvironment } from '../../src/engine/reset.js';
import { projectPaths } from '../../src/core/project.js';
import type { Provider, ProviderContext } from '../../src/providers/types.js';

/** The variants a provider's test can plant; every provider with a server plants at least the first three. */
export type ForeignVariant = 'empty' | 'non-empty' | 'other-project' | 'other-env' | 'delete-markers-only';

export interface ForeignSetup {
  /**
   * Put a resource fork-stack did not make for (project, env) under `env`'s exact resource name. For
   * 'other-project' and 'other-env', the resource carries fork-stack's marker, for another project (or
   * another environment of this project) whose naming happens to map to the same name.
   */
  plant: Partial<Record<ForeignVariant, (env: string) => Promise<void>>>;
  /** Everything observable of what sits under `env`'s name: data, markers, tags, versions, policies. */
  fingerprint: (env: string) => Promise<string>;
  /** Remove the planted resource (test clean-up, done with the provider's own API, not fork-stack's). */
  clear: (env: string) => Promise<void>;
}

export interface OwnershipContractSetup {
  ctx: ProviderContext<unknown>;
  /** An environment that exists and can be forked from. */
  parent: string;
  foreign: ForeignSetup;
}

/** An engine over this one provider, in the test's project directory, with the same options and credentials. */
function engineFor(provider: Provider<unknown>, ctx: ProviderContext<unknown>, parent: string): Engine {
  // Cloud providers' tests may give a root that does not exist (they never write files); the engine's
  // journal and locks need a real directory, and local providers need theirs (ctx.root).
  const root = existsSync(ctx.root) ? ctx.root : mkdtempSync(path.join(os.tmpdir(), 'fork-stack-ownership-'));
  const file = path.join(root, 'fork-stack.toml');
  const paths = { ...projectPaths(root, file), ...(root === ctx.root ? { stateDir: ctx.stateDir } : {}) };
  const kind = ctx.kind;
  const config: ProjectConfig = {
    file,
    root,
    paths,
    project: ctx.project,
    defaultParent: parent,
    protected: [...new Set([...ctx.protectedEnvs])],
    roots: [...new Set([...ctx.roots, parent])],
    git: { mainBranches: ['main'], mainEnv: parent, autoCreate: false, parent, remote: 'origin' },
    lifecycle: {},
    hooks: { after_create: [], after_reset: [], before_delete: [], after_switch: [] },
    slots: [
      {
        id: ctx.slot,
        kind,
        provider: provider.name,
        options: ctx.options,
        bucket: ctx.bucket,
        common: kind === 'secrets' ? { copy: 'all', exclude: [], keep_on_delete: false, from: {} } : {},
      },
    ],
    raw: {},
  };
  return createEngine(config, { providers: { [ctx.slot]: provider }, env: ctx.env, now: () => ctx.now() });
}

export function ownershipContract(label: string, provider: Provider<unknown>, setup: () => Promise<OwnershipContractSetup>): void {
  describe(`${label}: ownership contract (a foreign resource under the environment's name)`, () => {
    const env = 'contract-foreign';
    const variants: ForeignVariant[] = ['empty', 'non-empty', 'other-project', 'other-env', 'delete-markers-only'];
    let s: OwnershipContractSetup | undefined;
    const ready = async () => (s ??= await setup());

    afterEach(async () => {
      if (s) await s.foreign.clear(env);
    });

    for (const variant of variants) {
      it(`${variant}: the provider neither claims, forks over, resets nor removes it`, async (t) => {
        const { ctx, parent, foreign } = await ready();
        const plant = foreign.plant[variant];
        if (!plant) return t.skip();
        await plant(env);
        const before = await foreign.fingerprint(env);

        const found = await provider.find(ctx, env);
        expect(found?.owned, 'find must not report a foreign resource as owned').not.toBe(true);
        const listed = (await provider.list(ctx)).filter((r) => r.env === env);
        expect(listed.every((r) => r.owned !== true), 'list must not report a foreign resource as owned').toBe(true);

        await expect(provider.fork(ctx, { env, parent, keep: () => true }), 'fork over a foreign resource').rejects.toThrow();
        expect(await foreign.fingerprint(env)).toBe(before);
        await expect(provider.remove(ctx, { env }), 'remove of a foreign resource').rejects.toThrow();
        expect(await foreign.fingerprint(env)).toBe(before);
        await expect(provider.remove(ctx, { env, reason: 'rollback' }), 'rollback of a foreign resource').rejects.toThrow();
        expect(await foreign.fingerprint(env)).toBe(before);
        if (provider.reset) {
          await expect(provider.reset(ctx, { env, parent, keep: () => true }), 'reset of a foreign resource').rejects.toThrow();
          expect(await foreign.fingerprint(env)).toBe(before);
        }
      });

      it(`${variant}: delete, gc, create, create --resume, create --reuse and reset refuse and say whose it is`, async (t) => {
        const { ctx, parent, foreign } = await ready();
        const plant = foreign.plant[variant];
        if (!plant) return t.skip();
        await plant(env);
        const before = await foreign.fingerprint(env);
        const engine = engineFor(provider, ctx, parent);
        const whose = variant === 'other-project' ? /another fork-stack project/ : variant === 'other-env' ? /belongs to environment/ : /not fork-stack's/;

        for (const [what, run] of [
          ['delete', () => deleteEnvironment(engine, env)],
          ['create', () => createEnvironment(engine, { env, from: parent, ttlMs: null })],
          ['create --resume', () => createEnvironment(engine, { env, from: parent, ttlMs: null, resume: true })],
          ['create --reuse', () => createEnvironment(engine, { env, from: parent, ttlMs: null, reuse: true })],
          ['reset', () => resetEnvironment(engine, env, parent)],
        ] as const) {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e as Error & { exitCode?: number; details?: string[] },
          );
          expect(error, `${what} must fail`).toBeDefined();
          expect(error?.exitCode, `${what} exits 1`).toBe(1);
          expect([error?.message, ...(error?.details ?? [])].join('\n'), `${what} says whose it is`).toMatch(variant === 'other-project' || variant === 'other-env' ? whose : /not fork-stack's|not made by fork-stack/);
          expect(await foreign.fingerprint(env), `${what} left it byte-identical`).toBe(before);
        }
        const gc = await collectGarbage(engine, { olderThanMs: 0 });
        expect(gc.entries.filter((e) => e.env === env && (e.action === 'deleted' || e.action === 'failed'))).toEqual([]);
        expect(await foreign.fingerprint(env), 'gc left it byte-identical').toBe(before);
      });
    }
  });
}
