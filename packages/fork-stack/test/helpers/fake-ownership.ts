/**
 * The ownership contract against a provider fake whose proof of ownership is a record in the checkout
 * (Upstash Redis, Redis Cloud, QStash): a project directory of its own for the records, and the fake
 * started for the contract, checked for spec violations and closed after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import type { ProviderContext } from '../../src/providers/types.js';

interface ClosableFake {
  violations: unknown[];
  close(): Promise<void>;
}

export function fakeOwnershipScope(prefix: string) {
  const root = mkdtempSync(path.join(os.tmpdir(), `${prefix}-ownership-`));
  let started: ClosableFake | undefined;
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    if (started) {
      expect(started.violations).toEqual([]);
      await started.close();
    }
  });
  return {
    /** Remember the fake so that it is checked and closed after the file's tests. */
    track<F extends ClosableFake>(fake: F): F {
      started = fake;
      return fake;
    },
    /** `ctx` with this scope's project directory (where the checkout's records live). */
    inScope(ctx: ProviderContext<unknown>): ProviderContext<unknown> {
      return { ...ctx, root, stateDir: path.join(root, '.fork-stack') };
    },
  };
}
