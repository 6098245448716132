/**
 * switch: make `env` the current environment. Its variables are read from the providers (the truth),
 * written to `.fork-stack/envs/<env>.env`, into the managed block of `.env.local`, and `.current-env` is
 * written last, so an app that sees the new name also finds its variables.
 */
import { OperationError } from '../errors.js';
import { assertEnvName } from '../names.js';
import type { Engine } from './context.js';
import { writeCurrentEnv, writeEnvFile, writeEnvLocal, type EnvLocalResult } from './env-files.js';
import { findAll, missingSlots } from './find.js';
import { resolveVariables, type ResolvedVariables } from './variables.js';

export interface SwitchResult {
  env: string;
  variables: ResolvedVariables;
  envLocal: EnvLocalResult;
}

/** Hooks run on resolved variables before anything is written (issue: prod-safety check). */
export type VariablesGuard = (engine: Engine, resolved: ResolvedVariables) => Promise<void>;
const guards: VariablesGuard[] = [];
export function addVariablesGuard(guard: VariablesGuard): void {
  guards.push(guard);
}
export async function runVariablesGuards(engine: Engine, resolved: ResolvedVariables): Promise<void> {
  for (const guard of guards) await guard(engine, resolved);
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

export async function switchEnvironment(engine: Engine, env: string): Promise<SwitchResult> {
  assertEnvName(env);
  await assertEnvExists(engine, env);
  const variables = await resolveVariables(engine, env);
  await runVariablesGuards(engine, variables);
  const { paths } = engine.config;
  await writeEnvFile(paths, variables);
  const envLocal = await writeEnvLocal(paths, env, variables.values);
  await writeCurrentEnv(paths, env);
  return { env, variables, envLocal };
}
