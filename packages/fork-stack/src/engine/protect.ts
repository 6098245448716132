import { UsageError } from '../core/errors.js';
import type { ProjectConfig } from '../config/load.js';

export function isProtected(config: ProjectConfig, env: string): boolean {
  return config.protected.includes(env);
}

export function assertNotProtected(config: ProjectConfig, env: string, action: string): void {
  if (isProtected(config, env)) {
    throw new UsageError(`"${env}" is a protected environment and cannot be ${action}`, {
      hint: `Protected environments are listed in ${config.file} (protected = [${config.protected.map((p) => `"${p}"`).join(', ')}]).`,
    });
  }
}
