/**
 * copyTree stopped by the abort signal (Ctrl-C) rejects once, after every queued copy has settled: a
 * copy task rejected outside the awaited set was an unhandled rejection that ended the CLI before its
 * rollback and lock release (vitest fails the run on an unhandled rejection).
 */
import { existsSync, mkdirSync, mkdtempSync, promises as fsp, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyTree } from '../../src/providers/local/copy-tree.js';

describe('copyTree', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an interrupted copy rejects with the interrupt and leaves no task running or unhandled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-copytree-'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const from = path.join(dir, 'from');
      for (let i = 0; i < 600; i++) {
        const sub = path.join(from, `d${i % 23}`, `e${i % 7}`);
        mkdirSync(sub, { recursive: true });
        writeFileSync(path.join(sub, `f${i}`), 'x'.repeat(2048));
      }
      const readdir = fsp.readdir.bind(fsp);
      // The interrupt lands during the walk (at its n-th directory), while copies are queued.
      for (const nth of [2, 10, 40, 100]) {
        const controller = new AbortController();
        const to = path.join(dir, `to-${nth}`);
        const reason = new Error('interrupted by SIGINT');
        let calls = 0;
        vi.spyOn(fsp, 'readdir').mockImplementation(((...args: Parameters<typeof fsp.readdir>) => {
          if (++calls === nth) controller.abort(reason);
          return readdir(...args);
        }) as typeof fsp.readdir);
        const copying = copyTree(from, to, { concurrency: 4, signal: controller.signal });
        const outcome = await copying.then(
          () => 'finished',
          (error: unknown) => error,
        );
        expect(outcome).toBe(reason);
        // Nothing writes into the tree after copyTree has settled.
        const count = (d: string): number => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(path.join(d, e.name)) : 1), 0) : 0);
        const settled = count(to);
        await new Promise((r) => setTimeout(r, 50));
        expect(count(to)).toBe(settled);
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
