/**
 * after_create (docs/hooks.md): runs once every resource is ready and the variables passed the guards,
 * before create reports success. A failure fails the create: what this run made is rolled back, or, with
 * --keep-partial (or when this run made nothing, i.e. it resumed a kept environment), the environment
 * is kept with `status: failed` and the failed command named; `create` again or `hooks run after_create`
 * resumes from that command.
 */
import { OperationError } from '../core/errors.js';
import type { Engine } from './context.js';
import { describeHookFailure, hookRefusal, recordHook, runHook, skippedHook, type HookRun } from './hooks.js';
import type { ResolvedVariables } from './variables.js';

export interface AfterCreateOptions {
  env: string;
  parent: string;
  variables: ResolvedVariables;
  noHooks?: boolean;
  /** Resume at this command (the one that failed last time). */
  from?: number;
  keepPartial: boolean;
  /** Removes what this run made; undefined when it made nothing. Returns the removals that failed. */
  rollback?: () => Promise<string[]>;
}

/** Undefined when no after_create is configured (results then carry no `hooks` field). */
export async function runAfterCreate(engine: Engine, o: AfterCreateOptions): Promise<HookRun | undefined> {
  if (engine.config.hooks.after_create.length === 0) return undefined;
  const refusal = o.noHooks ? '--no-hooks' : hookRefusal(engine, o.env);
  if (refusal) {
    engine.reporter.info(`not running after_create: ${refusal}`);
    return skippedHook('after_create', refusal);
  }
  const run = await runHook(engine, 'after_create', { env: o.env, parent: o.parent, variables: o.variables, from: o.from });
  if (run.ok) {
    await recordHook(engine, o.env, run);
    return run;
  }
  const { message, details } = describeHookFailure(run);
  const what = `could not create "${o.env}"${run.interrupted ? ' (interrupted)' : ''}: ${message}`;
  const resume = `Fix it, then run "fork-stack create ${o.env} --from ${o.parent}" or "fork-stack hooks run after_create --env ${o.env}": either resumes from that command.`;
  if (o.keepPartial || !o.rollback) {
    await recordHook(engine, o.env, run, 'failed');
    throw Object.assign(
      new OperationError(what, {
        details: [...details, `"${o.env}" is kept and listed as failed${o.keepPartial ? ' (--keep-partial)' : ''}`],
        hint: `${resume}\nOr remove it with "fork-stack delete ${o.env}".`,
      }),
      { hookRun: run },
    );
  }
  const failures = await o.rollback();
  throw Object.assign(
    new OperationError(what, {
      details: [
        ...details,
        ...(failures.length === 0 ? ['rolled back: nothing of the new environment was left behind; the parent was not changed'] : ['rollback incomplete:', ...failures]),
      ],
      hint: failures.length === 0 ? `Fix the hook and create "${o.env}" again, or pass --keep-partial to keep a failed environment to resume.` : `Run "fork-stack delete ${o.env} --yes" to remove what is left.`,
    }),
    { hookRun: run },
  );
}
