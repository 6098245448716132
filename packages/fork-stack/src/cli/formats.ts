/**
 * The output formats, listed once: the parser's choices, the fast path's check and the writer all read
 * them from here. A module with no imports, so the fast path (`current`, `prompt`, `env`) stays fast.
 */

/** `--output`: how a command's result is printed (`--json` is `--output json`). */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * `env --format`: the variables file formats. "dotenv" here is the KEY=value file syntax, not the dotenv
 * secrets provider (test/architecture/layers.test.ts exempts this one list by name for that reason).
 */
export const ENV_FORMATS = ['dotenv', 'json', 'shell'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];
/** What `env` prints without --format (and without a machine --output). */
export const DEFAULT_ENV_FORMAT: EnvFormat = ENV_FORMATS[0];

export function isOutputFormat(value: string | undefined): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value as string);
}

export function isEnvFormat(value: string | undefined): value is EnvFormat {
  return (ENV_FORMATS as readonly string[]).includes(value as string);
}

/** The format the global flags ask for: --output wins, --json is --output json, else a table. */
export function outputFormat(globals: { json?: boolean; output?: string }): OutputFormat {
  if (isOutputFormat(globals.output)) return globals.output;
  return globals.json ? 'json' : 'table';
}

/** What provider flags (`init --storage none`) and prompts accept for "no provider of this kind". */
export const NO_PROVIDER = 'none';
