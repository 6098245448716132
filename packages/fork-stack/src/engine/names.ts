/** Check an environment name against the grammar and every configured provider's limits, before any call. */
import { UsageError } from '../core/errors.js';
import { assertEnvName } from '../core/names.js';
import type { LoadedSlot } from './context.js';

export function assertNameFitsProviders(slots: readonly LoadedSlot[], env: string, role = 'environment'): void {
  assertEnvName(env, role);
  const problems = slots.flatMap((slot) => {
    const problem = slot.provider.checkName(slot.ctx, env);
    return problem ? [`${slot.config.id} (${slot.provider.name}): ${problem}`] : [];
  });
  if (problems.length > 0) {
    throw new UsageError(`${role} name "${env}" does not fit every configured provider`, {
      details: problems,
      hint: 'Choose a shorter name, or change the naming pattern of that resource in fork-stack.toml.',
    });
  }
}

/**
 * Refuse when a naming override gives `env` the very resource of a protected or root environment
 * (`names = { alice = "myapp" }` on Turso, where prod's database is "myapp"): creating, resetting or
 * deleting `env` would then act on prod's resource. Checked before any provider call.
 */
export function assertOwnResources(slots: readonly LoadedSlot[], env: string, guarded: readonly string[], action: string): void {
  const others = [...new Set(guarded)].filter((g) => g !== env);
  const clashes = slots.flatMap((slot) => {
    const mine = slot.provider.resourceName(slot.ctx, env);
    const owner = others.find((other) => slot.provider.resourceName(slot.ctx, other) === mine);
    return owner ? [`${slot.config.id} (${slot.provider.name}): "${env}" and "${owner}" both name ${mine}`] : [];
  });
  if (clashes.length > 0) {
    throw new UsageError(`refusing to ${action} "${env}": its resources are those of a protected environment`, {
      details: clashes,
      hint: 'Fix the names override in fork-stack.toml so that this environment gets resources of its own.',
    });
  }
}
