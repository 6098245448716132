/**
 * Helpers for end-to-end tests: a throwaway project directory and a way to run the built CLI in it.
 * Tests spawn dist/cli.js (built by `npm test` before vitest starts), exactly what users run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(PACKAGE_DIR, 'dist', 'cli.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** The environment CLI runs get: no colours, no CI detection surprises, no inherited fork-stack state. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORK_STACK_ENV: undefined, ENV: undefined, ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function runCli(args: string[], options: RunOptions): RunResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

export function runCliAsync(args: string[], options: RunOptions): Promise<RunResult> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  const promise = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  }) as Promise<RunResult> & { child: ReturnType<typeof spawn> };
  promise.child = child;
  return promise;
}

export function tempDir(prefix = 'fork-stack-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A project on the local stack, initialised with `fork-stack init` (root dev created and current). */
export function localProject(name = 'app'): { dir: string; cleanup(): void; run(args: string[], opts?: Partial<RunOptions>): RunResult } {
  const tmp = tempDir();
  const dir = path.join(tmp.dir, name);
  spawnSync('mkdir', ['-p', dir]);
  const run = (args: string[], opts: Partial<RunOptions> = {}) => runCli(args, { cwd: dir, ...opts });
  const init = run(['init', '--yes']);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  return { dir, cleanup: tmp.cleanup, run };
}

/** Output must never carry a stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)/.test(text) || /\n\s+at (async )?[\w.<>]+ \(?file:/.test(text);
}

export function removeSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
