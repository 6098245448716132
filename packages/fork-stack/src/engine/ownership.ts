/**
 * Ownership is proven, never inferred (docs/architecture.md, "Ownership"). Before delete, reset,
 * `create --resume`, `create --reuse` or a resumed create acts on an environment's existing resources, the
 * engine requires every one of them to be `owned: true`, i.e. to carry fork-stack's marker for this
 * project and this environment. Anything else is left exactly as it is, and the refusal says whose it is.
 * Providers refuse the same way on their own (defence in depth), but this check runs first, before any
 * provider is asked to change anything.
 */
import type { Resource } from '../providers/types.js';
import { OperationError } from '../core/errors.js';
import type { LoadedSlot } from './context.js';

export interface ForeignResource {
  slot: LoadedSlot;
  resource: Resource;
}

/** Found resources that fork-stack cannot prove it made for `env` of this project. */
export function foreignResources(slots: readonly LoadedSlot[], found: readonly (Resource | undefined)[]): ForeignResource[] {
  return slots.flatMap((slot, i) => {
    const resource = found[i];
    return resource && resource.owned !== true ? [{ slot, resource }] : [];
  });
}

/** "bucket app-alice: belongs to fork-stack project "hbc", environment "d-e"". */
export function whose(project: string, env: string, foreign: ForeignResource): string {
  const { slot, resource } = foreign;
  const label = `${slot.config.id} (${slot.provider.name}): ${resource.name}`;
  const marked = resource.markedFor;
  if (!marked) return `${label} was not made by fork-stack for "${env}" (it carries no fork-stack marker of project "${project}")`;
  if (marked.project !== project) return `${label} belongs to another fork-stack project: "${marked.project}", environment "${marked.env}"`;
  return `${label} belongs to environment "${marked.env}" of this project, not "${env}"`;
}

/** Throw (exit 1) when any found resource of `env` is not proven fork-stack's; nothing has been touched yet. */
export function assertOwned(project: string, env: string, slots: readonly LoadedSlot[], found: readonly (Resource | undefined)[], action: string): void {
  const foreign = foreignResources(slots, found);
  if (foreign.length === 0) return;
  throw new OperationError(`refusing to ${action} "${env}": ${foreign.length === 1 ? 'a resource under its name is' : 'resources under its name are'} not fork-stack's`, {
    details: [...foreign.map((f) => whose(project, env, f)), 'nothing was changed'],
    hint: `fork-stack never touches what it did not make. Remove or rename ${foreign.length === 1 ? 'that resource' : 'those resources'} yourself, or give "${env}" other names with names = { ${env} = "…" } in fork-stack.toml.`,
  });
}
