import { deleteEnvironment } from '../../engine/remove.js';
import { assertNotProtected } from '../../engine/protect.js';
import { assertEnvName } from '../../core/names.js';
import type { CliContext } from '../context.js';
import { confirm, progressReporter } from '../ui.js';

export async function run(cli: CliContext, env: string, flags: { yes?: boolean }): Promise<void> {
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
    result = await deleteEnvironment(engine, env);
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  if (cli.out.json) {
    cli.out.data(result);
    return;
  }
  cli.out.success(`deleted ${env}${result.kept.length ? ` (kept ${result.kept.join(', ')})` : ''}`);
  if (result.switchedTo) cli.out.info(`  "${env}" was current; switched to ${result.switchedTo}`);
}
