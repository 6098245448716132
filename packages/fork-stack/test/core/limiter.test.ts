/**
 * The limiter (p-limit) bounds parallelism for real. The hand-written one it replaced let a task
 * submitted the moment another finished start beside the waiter it had just woken: max 1 → 2 running.
 */
import { mkdtempSync, mkdirSync, promises as fsp, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyTree } from '../../src/providers/local/copy-tree.js';

/** Counts tasks between their start and the settling of their promise. */
function tracker() {
  const state = { running: 0, max: 0 };
  const task = (work: Promise<void>) => () => {
    state.running++;
    state.max = Math.max(state.max, state.running);
    // Registered before the limiter awaits the task, so it runs first when the work settles.
    void work.then(() => state.running--);
    return work;
  };
  return { state, task };
}

describe('limiter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('max 1 never runs 2 at once when a task is submitted the moment another finishes', async () => {
    const limit = pLimit(1);
    const { state, task } = tracker();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const all: Promise<unknown>[] = [limit(task(gate)), limit(task(Promise.resolve()))];
    // Submitted from a reaction to the first task's work, after the limiter's own.
    const third = gate.then(() => limit(task(Promise.resolve())));
    open();
    await Promise.all([...all, third]);
    expect(state.max).toBe(1);
  });

  it('never runs more than its limit under random submission', async () => {
    for (const max of [1, 3]) {
      const limit = pLimit(max);
      const { state, task } = tracker();
      const delay = () => new Promise<void>((r) => setTimeout(r, Math.random() * 3));
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        all.push(limit(task(delay())).then(() => limit(task(delay()))));
        if (i % 7 === 0) await Promise.resolve();
      }
      await Promise.all(all);
      expect(state.max).toBeLessThanOrEqual(max);
    }
  });

  it('copyTree with concurrency 1 copies one file at a time', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-limiter-'));
    try {
      const from = path.join(dir, 'from');
      for (let i = 0; i < 40; i++) {
        mkdirSync(path.join(from, `d${i % 4}`), { recursive: true });
        writeFileSync(path.join(from, `d${i % 4}`, `f${i}`), `file ${i}`);
      }
      let running = 0;
      let max = 0;
      const copyFile = fsp.copyFile.bind(fsp);
      vi.spyOn(fsp, 'copyFile').mockImplementation(async (...args: Parameters<typeof fsp.copyFile>) => {
        running++;
        max = Math.max(max, running);
        try {
          await new Promise((r) => setTimeout(r, 1));
          return await copyFile(...args);
        } finally {
          running--;
        }
      });
      const result = await copyTree(from, path.join(dir, 'to'), { concurrency: 1 });
      expect(result.files).toBe(40);
      expect(max).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
