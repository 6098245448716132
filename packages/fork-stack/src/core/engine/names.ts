/** Check an environment name against the grammar and every configured provider's limits, before any call. */
import { UsageError } from '../errors.js';
import { assertEnvName } from '../names.js';
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
