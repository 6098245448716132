/**
 * The contract every provider passes, whatever its kind (STYLE.md: one shared suite). A provider's test
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

    it('check returns named results', async () => {
      const checks = await provider.check(s.ctx);
      expect(checks.length).toBeGreaterThan(0);
      for (const c of checks) expect(['ok', 'warn', 'fail']).toContain(c.status);
    });
  });
}
