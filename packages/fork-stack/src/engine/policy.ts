/** Secrets copy policy: which of the parent's keys a new environment gets. */
import type { SecretsCommon } from '../config/common.js';

export function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

export function matchesAny(key: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(key));
}

/** The predicate a secrets provider's fork applies, for a fork from `parent`. */
export function secretsKeep(common: SecretsCommon, parent: string): (key: string) => boolean {
  const override = common.from[parent];
  const copy = override?.copy ?? common.copy;
  const exclude = [...common.exclude, ...(override?.exclude ?? [])];
  return (key) => {
    if (matchesAny(key, exclude)) return false;
    if (copy === 'all') return true;
    if (copy === 'none') return false;
    return matchesAny(key, copy);
  };
}
