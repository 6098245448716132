import { resolveEnv } from '../runtime/resolve.js';
import { UsageError } from '../core/errors.js';
import type { ProjectConfig } from '../config/load.js';

/** The current environment for a loaded project, by the same rules as the readers; bad values exit 2. */
export function currentEnv(config: ProjectConfig, env: Readonly<Record<string, string | undefined>> = process.env): string {
  try {
    return resolveEnv({ cwd: config.root, env }).name;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
