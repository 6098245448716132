/**
 * The contract every provider passes, whatever its kind (docs/architecture.md, "The pieces": one shared suite). A provider's test
 * file calls `providerContract(...)` with a setup that returns a context whose parent environment exists
 * (seeded with some data), and optionally a fingerprint of the parent's data so the suite can prove the
 * parent is never changed by a fork or a remove of its child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, ProviderContext } from '../../src/providers/types.js';

export interface ContractSetup {
  ctx: ProviderContext<unknown>;
  /** Environment that exists before the suite runs (a root or a seeded parent). */
  parent: string;
  /** Data fingerprint of an environment (rows, objects, keys): must not change for the parent. */
  fingerprint?: (env: string) => Promise<string>;
  cleanup?: () => Promise<void> | void;
}

export function providerContract(label: string, provider: Provider<unknown>, setup: () => Promise<ContractSetup>): void {
  describe(`${label}: provider contract`, () => {
    let s: ContractSetup;
    const child = 'contract-child';
    let parentPrint: string | undefined;
    beforeAll(async () => {
      s = await setup();
      parentPrint = await s.fingerprint?.(s.parent);
    });
    afterAll(async () => {
      await provider.remove(s.ctx, { env: child }).catch(() => undefined);
      await s.cleanup?.();
    });

    it('finds the parent and not a missing environment', async () => {
      const parent = await provider.find(s.ctx, s.parent);
      expect(parent).toMatchObject({ env: s.parent, state: 'ready' });
      expect(await provider.find(s.ctx, 'contract-missing')).toBeUndefined();
    });

    it('names resources within its limits and rejects a name that does not fit', () => {
      expect(provider.checkName(s.ctx, child)).toBeUndefined();
      expect(typeof provider.resourceName(s.ctx, child)).toBe('string');
      expect(provider.checkName(s.ctx, `a${'b'.repeat(300)}`)).toBeTypeOf('string');
    });

    it('forks, and the fork is found, listed and has its own variables', async () => {
      const resource = await provider.fork(s.ctx, { env: child, parent: s.parent, keep: () => true });
      expect(resource).toMatchObject({ env: child });
      expect(await provider.find(s.ctx, child)).toMatchObject({ env: child, state: 'ready' });
      const listed = (await provider.list(s.ctx)).map((r) => r.env);
      expect(listed).toContain(child);
      expect(listed).toContain(s.parent);
      const [mine, theirs] = await Promise.all([provider.variables(s.ctx, child), provider.variables(s.ctx, s.parent)]);
      if (provider.kind !== 'secrets') {
        expect(Object.keys(mine).length).toBeGreaterThan(0);
        expect(mine).not.toEqual(theirs);
      }
      if (s.fingerprint) expect(await s.fingerprint(child)).toBe(parentPrint);
    });

    it('fork is idempotent: a second fork returns the same resource and lists once', async () => {
      const again = await provider.fork(s.ctx, { env: child, parent: s.parent, keep: () => true });
      expect(again.name).toBe(provider.resourceName(s.ctx, child));
      expect((await provider.list(s.ctx)).filter((r) => r.env === child)).toHaveLength(1);
    });

    it('fork from a missing parent fails and creates nothing', async () => {
      await expect(provider.fork(s.ctx, { env: 'contract-orphan', parent: 'contract-no-parent', keep: () => true })).rejects.toThrow();
      expect(await provider.find(s.ctx, 'contract-orphan')).toBeUndefined();
    });

    it('remove deletes the fork, and removing it again succeeds', async () => {
      await provider.remove(s.ctx, { env: child });
      expect(await provider.find(s.ctx, child)).toBeUndefined();
      expect((await provider.list(s.ctx)).map((r) => r.env)).not.toContain(child);
      await provider.remove(s.ctx, { env: child });
    });

    it('never changed the parent', async () => {
      expect(await provider.find(s.ctx, s.parent)).toBeDefined();
      if (s.fingerprint) expect(await s.fingerprint(s.parent)).toBe(parentPrint);
    });

    it('a teammate forking the same environment at the same moment: one resource, listed once, removable', async () => {
      const twin = 'contract-twin';
      const results = await Promise.allSettled([
        provider.fork(s.ctx, { env: twin, parent: s.parent, keep: () => true, runId: 'run-a' }),
        provider.fork(s.ctx, { env: twin, parent: s.parent, keep: () => true, runId: 'run-b' }),
      ]);
      expect(results.some((r) => r.status === 'fulfilled'), 'at least one of two simultaneous forks succeeds').toBe(true);
      // A loser may be told "already exists"; it must not have made a second resource or broken the first.
      const found = await provider.find(s.ctx, twin);
      expect(found).toMatchObject({ env: twin, owned: true });
      if (s.fingerprint) expect(await s.fingerprint(twin)).toBe(parentPrint);
      expect((await provider.list(s.ctx)).filter((r) => r.env === twin)).toHaveLength(1);
      await provider.remove(s.ctx, { env: twin });
      expect(await provider.find(s.ctx, twin)).toBeUndefined();
    });

    it('Ctrl-C at every step of a fork: rollback leaves nothing, a re-run finishes it, the parent never changes', async () => {
      const env = 'contract-ctrlc';
      // "Every step": the abort lands at the k-th progress report of the fork and at growing delays, so it
      // falls before, between and after the provider's calls whatever the provider's speed.
      const points: { before?: boolean; afterProgress?: number; afterMs?: number }[] = [
        // Ctrl-C already pressed when the fork starts: every provider must stop at its first step.
        { before: true },
        { afterMs: 0 },
        ...[1, 2, 3, 5, 8].map((n) => ({ afterProgress: n })),
        ...[1, 4, 15, 40, 120].map((ms) => ({ afterMs: ms })),
      ];
      let interrupted = 0;
      for (const point of points) {
        const controller = new AbortController();
        let reports = 0;
        const ctx = {
          ...s.ctx,
          signal: controller.signal,
          progress: (update: Parameters<typeof s.ctx.progress>[0]) => {
            s.ctx.progress(update);
            if (point.afterProgress !== undefined && ++reports === point.afterProgress) controller.abort(new Error('interrupted (Ctrl-C)'));
          },
        };
        if (point.before) controller.abort(new Error('interrupted (Ctrl-C)'));
        const timer = point.afterMs !== undefined ? setTimeout(() => controller.abort(new Error('interrupted (Ctrl-C)')), point.afterMs) : undefined;
        const outcome = await provider.fork(ctx, { env, parent: s.parent, keep: () => true, runId: 'run-ctrlc' }).then(
          () => 'done',
          () => 'failed',
        );
        clearTimeout(timer);
        if (outcome === 'failed') {
          interrupted++;
          // What a create does next: roll back with a fresh signal. Nothing of the fork may be left.
          await provider.remove(s.ctx, { env, reason: 'rollback' });
          expect(await provider.find(s.ctx, env), `rollback after an interrupt at ${JSON.stringify(point)}`).toBeUndefined();
        } else {
          await provider.remove(s.ctx, { env });
        }
        if (s.fingerprint) expect(await s.fingerprint(s.parent), `parent after an interrupt at ${JSON.stringify(point)}`).toBe(parentPrint);
      }
      // The other way out of an interrupted create: the re-run finishes what the interrupted one started.
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('interrupted (Ctrl-C)')), 2);
      await provider.fork({ ...s.ctx, signal: controller.signal }, { env, parent: s.parent, keep: () => true, runId: 'run-ctrlc' }).catch(() => undefined);
      await provider.fork(s.ctx, { env, parent: s.parent, keep: () => true, runId: 'run-ctrlc' });
      expect(await provider.find(s.ctx, env)).toMatchObject({ env, state: 'ready', owned: true });
      if (s.fingerprint) expect(await s.fingerprint(env)).toBe(parentPrint);
      await provider.remove(s.ctx, { env });
      expect(interrupted, 'a Ctrl-C pressed before the fork starts stops it').toBeGreaterThan(0);
    });

    it('check returns named results', async () => {
      const checks = await provider.check(s.ctx);
      expect(checks.length).toBeGreaterThan(0);
      for (const c of checks) expect(['ok', 'warn', 'fail']).toContain(c.status);
    });
  });
}
