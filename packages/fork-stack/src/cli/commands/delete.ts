import { deleteEnvironment } from '../../engine/remove.js';
import { assertNotProtected } from '../../engine/protect.js';
import { assertEnvName } from '../../core/names.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';
import { confirm, progressReporter } from '../ui.js';

export async function run(cli: CliContext, env: string, flags: Flags<'delete'>): Promise<void> {
  assertEnvName(env);
  const reporter = await progressReporter(cli.out, `deleting ${env}`);
  const engine = await cli.engine(reporter);
  assertNotProtected(engine.config, env, 'deleted');
  if (!flags.yes) {
    reporter.stop(true);
    await confirm(cli.out, `delete environment "${env}" and all its resources?`, '--yes', `not confirmed: nothing was deleted`);
  }
  let result;
  try {
    result = await deleteEnvironment(engine, env, { noHooks: !flags.hooks });
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  await cli.out.result({
    data: result,
    human: (r) => {
      cli.out.success(`deleted ${env}${r.kept.length ? ` (kept ${r.kept.join(', ')})` : ''}`);
      if (r.switchedTo) cli.out.info(`  "${env}" was current; switched to ${r.switchedTo}`);
    },
  });
}
