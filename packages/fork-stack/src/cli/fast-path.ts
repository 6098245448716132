/**
 * `fork-stack current`, `prompt` and `env` run in shell prompts and Makefiles, many times a day, so
 * they skip the command-line framework entirely when their arguments are the simple, common ones: the
 * same command modules run, only the parsing is done here. Anything else (help, unknown flags,
 * --config, -C) goes through the full parser in program.ts, which stays the definition of the commands.
 */
import type { CliContext, GlobalOptions } from './context.js';
import { isEnvFormat, isOutputFormat, type EnvFormat } from './formats.js';

type FastCommand = { name: 'current' } | { name: 'prompt'; color: boolean } | { name: 'env'; env?: string; format?: EnvFormat; reveal: boolean };

export function parseFast(args: readonly string[]): { command: FastCommand; globals: GlobalOptions } | undefined {
  const [name, ...rest] = args;
  if (name !== 'current' && name !== 'env' && name !== 'prompt') return undefined;
  const globals: GlobalOptions = {};
  let env: string | undefined;
  let format: string | undefined;
  let reveal = false;
  let color = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--json') globals.json = true;
    else if ((arg === '--output' || arg === '-o') && isOutputFormat(rest[i + 1])) globals.output = rest[++i];
    else if (arg.startsWith('--output=') && isOutputFormat(arg.slice('--output='.length))) globals.output = arg.slice('--output='.length);
    else if (arg === '--no-color') globals.color = false;
    else if (name === 'env' && arg === '--reveal') reveal = true;
    else if (name === 'prompt' && arg === '--color') color = true;
    else if (name === 'env' && arg === '--format' && rest[i + 1] !== undefined) format = rest[++i];
    else if (name === 'env' && arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else if (name === 'env' && !arg.startsWith('-') && env === undefined) env = arg;
    else return undefined;
  }
  if (format !== undefined && !isEnvFormat(format)) return undefined;
  if (globals.json && globals.output !== undefined) return undefined;
  const command: FastCommand = name === 'current' ? { name } : name === 'prompt' ? { name, color } : { name, env, format, reveal };
  return { command, globals };
}

export async function runFast(command: FastCommand, cli: CliContext): Promise<void> {
  if (command.name === 'current') await (await import('./commands/current.js')).run(cli);
  else if (command.name === 'prompt') await (await import('./commands/prompt.js')).run(cli, { color: command.color || undefined });
  else await (await import('./commands/env.js')).run(cli, command.env, { format: command.format, reveal: command.reveal || undefined });
}
