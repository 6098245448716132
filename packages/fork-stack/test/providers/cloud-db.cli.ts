/**
 * End-to-end helpers for the cloud database providers: a project directory with a fork-stack.toml for one
 * provider, and the built CLI run asynchronously (the fake answers from this test process, so a
 * synchronous spawn would block it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, hasStackTrace, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';

export interface CloudProject {
  dir: string;
  run(args: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  read(file: string): string | undefined;
  cleanup(): void;
}

/** `section` is the body of [database] (provider line included). */
export function cloudProject(section: string, fakeEnv: Record<string, string>, project = 'shop'): CloudProject {
  if (!existsSync(CLI)) throw new Error(`the CLI is not built (${CLI}); run "npm run build -w fork-stack"`);
  const tmp = tempDir('fork-stack-cloud-db-');
  const dir = path.join(tmp.dir, project);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fork-stack.toml'), `project = "${project}"\ndefault_parent = "prod"\nroots = ["prod"]\n\n[database]\n${section}\n`);
  return {
    dir,
    run: (args, env = {}) => runCliAsync(args, { cwd: dir, env: { ...fakeEnv, ...env }, timeoutMs: 60_000 }),
    read: (file) => {
      const full = path.join(dir, file);
      return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    },
    cleanup: tmp.cleanup,
  };
}

/** A failure printed the way users must see it: the message, no stack trace, the expected exit code. */
export function expectCleanFailure(result: RunResult, code: 1 | 2, ...patterns: RegExp[]): void {
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== code || hasStackTrace(output) || !patterns.every((p) => p.test(output))) {
    throw new Error(`expected exit ${code} matching ${patterns.join(', ')} without a stack trace; got exit ${result.code}:\n${output}`);
  }
}
