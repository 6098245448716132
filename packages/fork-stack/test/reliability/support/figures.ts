/**
 * Short or long variant, and the figures each reliability suite hands to scripts/reliability-report.mjs.
 *
 * `npm test` runs the short variants; `npm run reliability` sets FORK_STACK_RELIABILITY=long. Every suite
 * writes what it measured (kill points survived, faults injected, orphans found, inputs tried, time) as a
 * small JSON file in FORK_STACK_RELIABILITY_RESULTS (default: <tmp>/fork-stack-reliability/<mode>), which
 * the report script reads to write docs/reliability.md. Figures are facts of the run, never assertions:
 * the tests assert; the figures say how much was tried.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MODE: 'short' | 'long' = process.env.FORK_STACK_RELIABILITY === 'long' ? 'long' : 'short';
export const LONG = MODE === 'long';

/** The short value under `npm test`, the long one under `npm run reliability`. */
export function scale<T>(short: T, long: T): T {
  return LONG ? long : short;
}

/** Per-test timeout: generous for the long variants, which run for minutes. */
export const TIMEOUT_MS = scale(120_000, 30 * 60_000);

export const RESULTS_DIR = process.env.FORK_STACK_RELIABILITY_RESULTS ?? path.join(os.tmpdir(), 'fork-stack-reliability', MODE);

export type Figure = string | number | boolean | null | Figure[] | { [key: string]: Figure };

/**
 * Record one part of a suite's figures, e.g. recordFigures('crash', 'local stack', { killPoints: 50, … }).
 * One file per part, so suites running in parallel never write the same file.
 */
export function recordFigures(suite: string, part: string, figures: Record<string, Figure>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${suite}--${part.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`);
  const record = { suite, part, mode: MODE, recordedAt: new Date().toISOString(), figures };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Milliseconds since `start`, rounded. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** Count of each value: ['a', 'b', 'a'] → { a: 2, b: 1 }. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
