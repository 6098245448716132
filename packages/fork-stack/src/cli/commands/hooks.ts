/** `fork-stack hooks run <hook> --env <env>`: one lifecycle hook by hand (engine/hooks-run.ts). */
import { currentEnv } from '../../engine/current.js';
import type { HookRun } from '../../engine/hooks.js';
import { assertHookName, runHookByHand } from '../../engine/hooks-run.js';
import type { CliContext } from '../context.js';
import type { Output } from '../output.js';
import type { Flags } from '../program.js';
import { progressReporter } from '../ui.js';

export async function run(cli: CliContext, hook: string, flags: Flags<'hooksRun'>): Promise<void> {
  assertHookName(hook);
  const reporter = await progressReporter(cli.out, `running ${hook}`);
  const engine = await cli.engine(reporter);
  const env = flags.env ?? currentEnv(engine.config, engine.env);
  let result;
  try {
    result = await runHookByHand(engine, hook, env, { all: flags.all });
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  await cli.out.result({ data: { env, ...result }, human: (r) => reportHookRun(cli.out, r) });
}

/** "✓ after_create: 2 commands in 3.1 s" — for every command that ran a hook. */
export function reportHookRun(out: Output, run: HookRun | undefined): void {
  if (!run) return;
  if (run.skipped) out.info(`  ${run.hook} not run (${run.skipped})`);
  else out.success(`${run.hook}: ${run.commands.length} command${run.commands.length === 1 ? '' : 's'} in ${(run.durationMs / 1000).toFixed(1)} s`);
}
