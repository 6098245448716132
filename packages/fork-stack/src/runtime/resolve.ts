/**
 * Environment resolution (docs/architecture.md, "Environment resolution"), identical in every language reader:
 *   1. FORK_STACK_ENV, else ENV (trimmed, lower-cased; production → prod, development → dev);
 *   2. `.current-env` in the first directory, walking up from the working directory, that holds
 *      `fork-stack.toml` or `.current-env`;
 *   3. "dev".
 * Zero dependencies: this file is bundled into `fork-stack/runtime` and also used by the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { envNameProblem, normaliseEnvValue } from '../core/names.js';

export const DEFAULT_ENV = 'dev';

export type RuntimeErrorCode =
  | 'invalid-env-variable'
  | 'invalid-current-env'
  | 'unreadable-env-file'
  | 'missing-value'
  | 'invalid-config'
  | 'invalid-key'
  | 'cli-failed';

/** Errors a reader raises; `code` is the same in every language (see conformance/). */
export class ForkStackRuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ForkStackRuntimeError';
  }
}

export interface ResolveOptions {
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export type EnvSource = 'FORK_STACK_ENV' | 'ENV' | '.current-env' | 'default';

export interface ResolvedEnv {
  name: string;
  source: EnvSource;
  /** Project root (directory of fork-stack.toml or .current-env), if any. */
  root?: string;
}

export function findProjectDir(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, 'fork-stack.toml')) || existsSync(path.join(dir, '.current-env'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function resolveEnv(options: ResolveOptions = {}): ResolvedEnv {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = findProjectDir(cwd);
  for (const variable of ['FORK_STACK_ENV', 'ENV'] as const) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const name = normaliseEnvValue(raw);
    const problem = envNameProblem(name);
    if (problem) {
      throw new ForkStackRuntimeError(
        'invalid-env-variable',
        `${variable}=${JSON.stringify(raw)} is not a valid environment name (${problem}); set it to a name like "dev" or "alice"`,
      );
    }
    return { name, source: variable, root };
  }
  if (root) {
    const file = path.join(root, '.current-env');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new ForkStackRuntimeError('invalid-current-env', `cannot read ${file} (${code ?? 'error'}); fix its permissions or run "fork-stack switch <env>"`);
      }
    }
    if (text !== undefined) {
      const name = text.trim();
      const problem = envNameProblem(name);
      if (problem) {
        throw new ForkStackRuntimeError(
          'invalid-current-env',
          `${file} holds ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}, which is not a valid environment name (${problem}); run "fork-stack switch <env>" or delete the file`,
        );
      }
      return { name, source: '.current-env', root };
    }
  }
  return { name: DEFAULT_ENV, source: 'default', root };
}
