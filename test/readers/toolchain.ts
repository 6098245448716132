/**
 * Running the Python, Go and Rust readers' own test tools from vitest. A missing toolchain skips the
 * test with a message saying what to install — except in CI (CI=true), where it fails.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATES = path.join(REPO, 'templates', 'base');
/** Cargo builds outside the tree; shared between runs so that only the first one compiles everything. */
export const CARGO_TARGET_DIR = path.join(os.tmpdir(), 'fork-stack-cargo-target');

export interface Toolchain {
  name: string;
  command: string;
  available: boolean;
  version: string;
  install: string;
}

export function toolchain(command: string, versionArgs: string[], install: string): Toolchain {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  const available = !result.error && result.status === 0;
  return { name: command, command, available, version: available ? `${result.stdout}${result.stderr}`.trim().split('\n')[0] ?? '' : '', install };
}

/** Skip (or, in CI, fail) when the toolchain is missing. */
export function requireToolchain(tool: Toolchain, skip: (note?: string) => void): void {
  if (tool.available) return;
  const message = `${tool.command} is not installed (${tool.install})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs every reader's toolchain`);
  skip(`${message}; skipped here, a failure when CI=true`);
}

/** The environment for reader test runs: no fork-stack selection leaking in from the developer's shell. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', CARGO_TARGET_DIR };
  delete env.FORK_STACK_ENV;
  delete env.ENV;
  delete env.FORK_STACK_CONFORMANCE_DIR;
  return { ...env, ...extra };
}

export function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}, input?: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: toolEnv(extra), encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
}

/** A failed run's output, for the assertion message. */
export function output(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout}\n${result.stderr}`.slice(-6000);
}
