// Shared helpers for the benchmarks: timing with repeats (median), ratios, tables, temp dirs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const CLI = path.join(REPO, 'packages/fork-stack/dist/cli.js');

/** A scratch directory on the same disk as the repository (so copies compare like with like). */
export function scratch(prefix) {
  const base = process.env.FORK_STACK_BENCH_DIR ?? path.join(REPO, 'bench', '.work');
  execFileSync('mkdir', ['-p', base]);
  const dir = mkdtempSync(path.join(base, `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Time `fn` (sync or async) `runs` times after `setup` each time; median milliseconds. */
export async function time(fn, { runs = 5, setup, teardown } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    if (setup) await setup(i);
    const start = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (teardown) await teardown(i);
  }
  return median(samples);
}

export function runCli(args, cwd, env = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  if (result.status !== 0) throw new Error(`fork-stack ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export function table(columns, rows) {
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

export function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
