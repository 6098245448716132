/**
 * `fork-stack hooks run <hook> --env <env>`: run one hook by hand. For an environment kept as failed
 * after after_create failed (--keep-partial), it resumes from the command that failed and, when that
 * succeeds, finishes the create: the variables file is written and the environment becomes ready.
 * No lock is held while the hook runs: a hook may itself run fork-stack on the environment.
 */
import { HOOK_NAMES, type HookName } from '../core/config-schema.js';
import { OperationError, UsageError } from '../core/errors.js';
import { assertEnvName } from '../core/names.js';
import { readMeta } from '../core/state.js';
import type { Engine } from './context.js';
import { writeEnvFile } from './env-files.js';
import { describeHookFailure, hookRefusal, recordHook, runHook, type HookRun } from './hooks.js';
import { assertEnvExists, runVariablesGuards } from './switch.js';
import { resolveVariables } from './variables.js';

export function assertHookName(name: string): asserts name is HookName {
  if (!(HOOK_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown hook "${name}"`, { hint: `Hooks are ${HOOK_NAMES.join(', ')} (the [hooks] table of fork-stack.toml).` });
  }
}

export async function runHookByHand(engine: Engine, hook: HookName, env: string, options: { all?: boolean } = {}): Promise<HookRun> {
  assertEnvName(env);
  const refusal = hookRefusal(engine, env);
  if (refusal) throw new UsageError(`not running ${hook}: ${refusal}`, { hint: 'Hooks run against environments made by "fork-stack create".' });
  if (engine.config.hooks[hook].length === 0) {
    throw new UsageError(`no ${hook} hook is configured in ${engine.config.file}`, { hint: `Add it: [hooks] ${hook} = ["npm run migrate"]` });
  }
  await assertEnvExists(engine, env);
  const meta = await readMeta(engine.config.paths, env);
  const last = meta?.hooks?.[hook];
  const from = !options.all && last?.state === 'failed' ? (last.failedIndex ?? 0) : 0;
  const finishesCreate = hook === 'after_create' && meta?.status === 'failed';
  const variables = await resolveVariables(engine, env);
  await runVariablesGuards(engine, variables);
  if (from > 0) engine.reporter.info(`resuming ${hook} of "${env}" at \`${engine.config.hooks[hook][from] ?? ''}\` (--all runs every command)`);
  const run = await runHook(engine, hook, { env, parent: meta?.parent, variables, from });
  if (run.ok && finishesCreate) await writeEnvFile(engine.config.paths, variables);
  await recordHook(engine, env, run, finishesCreate ? (run.ok ? 'ready' : 'failed') : undefined);
  if (!run.ok) {
    const { message, details } = describeHookFailure(run);
    throw Object.assign(new OperationError(message, { details, hint: `Fix it and run "fork-stack hooks run ${hook} --env ${env}" again: it resumes from that command.` }), { hookRun: run });
  }
  return run;
}
