/**
 * switch: make `env` the current environment. Its variables are read from the providers (the truth),
 * written to `.fork-stack/envs/<env>.env`, into the managed block of `.env.local`, and `.current-env` is
 * written last, so an app that sees the new name also finds its variables. Serialised with every other
 * command that changes these files (exclusive.ts).
 */
import { runVariablesGuards } from './guards.js';
import { OperationError } from '../core/errors.js';
import { assertEnvName } from '../core/names.js';
import type { Engine } from './context.js';
import { writeEnvFile, type EnvLocalResult } from './env-files.js';
import { withLocks } from './exclusive.js';
import { findAll, missingSlots } from './find.js';
import { makeCurrent } from './shared-files.js';
import { resolveVariables, type ResolvedVariables } from './variables.js';
import { runAndRecord, type HookRun } from './hooks.js';
import { readMeta } from '../core/state.js';

export { runVariablesGuards, type VariablesGuard } from './guards.js';

export interface SwitchResult {
  env: string;
  variables: ResolvedVariables;
  envLocal: EnvLocalResult;
  /** after_switch's run (docs/hooks.md). */
  hooks?: HookRun;
}


export async function assertEnvExists(engine: Engine, env: string): Promise<void> {
  const slots = await engine.slots();
  const found = await findAll(slots, env);
  const missing = missingSlots(slots, found);
  if (missing.length === slots.length && slots.length > 0) {
    throw new OperationError(`environment "${env}" does not exist`, {
      hint: `Create it with "fork-stack create ${env}", or run "fork-stack list" to see what exists.`,
    });
  }
  if (missing.length > 0) {
    throw new OperationError(`environment "${env}" is incomplete`, {
      details: missing.map((s) => `${s.config.id} (${s.provider.name}): no ${s.provider.resourceName(s.ctx, env)}`),
      hint: `Finish it with "fork-stack create ${env}", or remove it with "fork-stack delete ${env}".`,
    });
  }
}

/**
 * Holds the environment's lock throughout (so a delete of it cannot run in between: either the delete
 * finished first and the environment no longer exists, or the switch finishes first), and the
 * shared-files lock around `.env.local` and `.current-env` (shared-files.ts).
 */
export async function switchEnvironment(engine: Engine, env: string, options: { noHooks?: boolean } = {}): Promise<SwitchResult> {
  assertEnvName(env);
  const result = await withLocks(engine, [env], `switch ${env}`, async () => {
    await assertEnvExists(engine, env);
    const variables = await resolveVariables(engine, env);
    await runVariablesGuards(engine, variables);
    await writeEnvFile(engine.config.paths, variables);
    const envLocal = await makeCurrent(engine, env, variables.values);
    return { env, variables, envLocal };
  });
  // After the locks are released: a hook may run fork-stack itself.
  if (engine.config.hooks.after_switch.length === 0) return result;
  const parent = (await readMeta(engine.config.paths, env))?.parent;
  const hooks = await runAndRecord(engine, 'after_switch', { env, parent, variables: result.variables }, options.noHooks ? '--no-hooks' : undefined);
  return { ...result, hooks };
}

/**
 * The variables of an existing environment, also stored in its variables file (what `env` and `run`
 * read next time). Under the environment's lock, so a delete running at the same time cannot be
 * followed by a stray variables file of the environment it deleted.
 */
export async function resolveAndStore(engine: Engine, env: string): Promise<ResolvedVariables> {
  return withLocks(engine, [env], `env ${env}`, async () => {
    await assertEnvExists(engine, env);
    const resolved = await resolveVariables(engine, env);
    await writeEnvFile(engine.config.paths, resolved);
    return resolved;
  });
}
