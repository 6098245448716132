import { tightenedWarning, type EnvLocalResult } from '../../engine/env-files.js';
import { switchEnvironment } from '../../engine/switch.js';
import type { CliContext } from '../context.js';

export function reportEnvLocal(cli: CliContext, result: EnvLocalResult): void {
  if (result.tightenedFrom !== undefined) cli.out.warn(tightenedWarning(result.tightenedFrom));
  // Every dotenv loader (the dotenv package, python-dotenv, node --env-file) takes a key's last line and
  // none overrides a variable the process already has: say which value each key really gets.
  const userWins = result.overlapping.filter((k) => result.userWins.includes(k));
  const blockWins = result.overlapping.filter((k) => !result.userWins.includes(k));
  if (blockWins.length > 0) {
    cli.out.warn(
      `.env.local also sets ${blockWins.join(', ')} above the fork-stack block; the block's values win with dotenv, python-dotenv and node --env-file (each takes a key's last line) unless the variable is already set in the process environment; remove those lines to avoid confusion`,
    );
  }
  if (userWins.length > 0) {
    cli.out.warn(
      `.env.local sets ${userWins.join(', ')} below the fork-stack block, so your line wins over the environment's value with dotenv, python-dotenv and node --env-file (each takes a key's last line); move or remove it if the environment's value should apply`,
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
  await cli.out.result({
    data: { env, variables: Object.keys(result.variables.values), ...(result.hooks ? { hooks: result.hooks } : {}) },
    human: () => cli.out.success(`switched to ${cli.out.c.bold(env)} (.current-env, .env.local, .fork-stack/envs/${env}.env)`),
  });
}
