import { resolveEnv } from '../../runtime/resolve.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

/** Prints the current environment. Reads no config and loads no provider: it must start instantly. */
export function run(cli: CliContext): void {
  let resolved;
  try {
    resolved = resolveEnv({ cwd: cli.cwd });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (cli.out.json) cli.out.data({ env: resolved.name, source: resolved.source, root: resolved.root ?? null });
  else cli.out.line(resolved.name);
}
