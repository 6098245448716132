import { tightenedWarning, type EnvLocalResult } from '../../core/engine/env-files.js';
import { switchEnvironment } from '../../core/engine/switch.js';
import type { CliContext } from '../context.js';

export function reportEnvLocal(cli: CliContext, result: EnvLocalResult): void {
  if (result.tightenedFrom !== undefined) cli.out.warn(tightenedWarning(result.tightenedFrom));
  if (result.overlapping.length > 0) {
    cli.out.warn(
      `.env.local also sets ${result.overlapping.join(', ')} outside the fork-stack block; the block comes later and wins in dotenv parsers, but remove those lines to avoid confusion`,
    );
  }
  if (result.nonPortable.length > 0) {
    cli.out.warn(
      `the value of ${result.nonPortable.join(', ')} mixes quote characters that not every dotenv parser reads the same way; "fork-stack run" passes it exactly`,
    );
  }
}

export async function run(cli: CliContext, env: string): Promise<void> {
  const engine = await cli.engine();
  const result = await switchEnvironment(engine, env);
  reportEnvLocal(cli, result.envLocal);
  if (cli.out.json) {
    cli.out.data({ env, variables: Object.keys(result.variables.values) });
    return;
  }
  cli.out.success(`switched to ${cli.out.c.bold(env)} (.current-env, .env.local, .fork-stack/envs/${env}.env)`);
}
