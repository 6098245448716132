import { resolveEnv } from '../../runtime/resolve.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

/** Prints the current environment. Reads no config and loads no provider: it must start instantly. */
export async function run(cli: CliContext): Promise<void> {
  let resolved;
  try {
    resolved = resolveEnv({ cwd: cli.cwd });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const name = resolved.name;
  await cli.out.result({ data: { env: name, source: resolved.source, root: resolved.root ?? null }, human: () => cli.out.line(name) });
}
