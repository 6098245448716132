/**
 * env: print an environment's variables for scripts (`eval "$(fork-stack env --format shell)"`).
 * Fast path: the variables file written by create/switch, without loading the config or any provider.
 * Secrets and URL passwords are masked unless --reveal.
 */
import path from 'node:path';
import { resolveEnv } from '../../runtime/resolve.js';
import { UsageError } from '../../core/errors.js';
import { formatDotenv } from '../../core/files/dotenv.js';
import { assertEnvName } from '../../core/names.js';
import { findProjectRoot, projectPaths } from '../../core/project.js';
import { maskValue, registerSecret, scrub } from '../../core/scrub.js';
import { isPublicKey } from '../../engine/variables.js';
import type { CliContext } from '../context.js';
import { DEFAULT_ENV_FORMAT, type EnvFormat } from '../formats.js';
import type { Flags } from '../program.js';

export interface LoadedVariables {
  env: string;
  values: Record<string, string>;
  publicKeys: string[];
}

/** The variables of `envArg` (or the current env): the cached file if present, else from the providers. */
export async function loadVariables(cli: CliContext, envArg: string | undefined): Promise<LoadedVariables> {
  const root = cli.globals.config ? path.dirname(path.resolve(cli.cwd, cli.globals.config)) : findProjectRoot(cli.cwd);
  let env = envArg;
  if (env === undefined) {
    try {
      env = resolveEnv({ cwd: root ?? cli.cwd }).name;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  assertEnvName(env);
  if (root) {
    const { readEnvFile } = await import('../../engine/env-files.js');
    const stored = await readEnvFile(projectPaths(root), env);
    if (stored) return { env, ...stored };
  }
  const { resolveAndStore } = await import('../../engine/switch.js');
  return resolveAndStore(await cli.engine(), env);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_\-./:@,+=%]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Each `--format`, as the lines it prints (ENV_FORMATS in cli/formats.ts lists them). */
const RENDER: Record<EnvFormat, (shown: Record<string, string>) => string[]> = {
  dotenv: (shown) => [formatDotenv(shown).trimEnd()],
  json: (shown) => [JSON.stringify(shown, null, 2)],
  shell: (shown) => Object.entries(shown).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
};

export async function run(cli: CliContext, envArg: string | undefined, flags: Flags<'env'>): Promise<void> {
  const { values, publicKeys } = await loadVariables(cli, envArg);
  const shown: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const isPublic = isPublicKey(key, publicKeys);
    if (!isPublic) registerSecret(value);
    shown[key] = flags.reveal || isPublic ? value : maskValue(value);
  }
  if (!flags.reveal) {
    // Each value is scrubbed on its own before formatting, rather than the printed text: a secret key's
    // passwordless URL is shown on purpose (maskValue returned it whole) and must not be scrubbed as the
    // secret value it also is; every other registered secret inside it still is.
    for (const [key, value] of Object.entries(shown)) {
      const onPurpose = !isPublicKey(key, publicKeys) && value !== '' && value === values[key];
      shown[key] = scrub(value, onPurpose ? new Set([value]) : undefined);
    }
  }
  // Values are masked and scrubbed above; with --reveal the user asked for them: print them as they are.
  // Without --format, a machine --output (--json, --output yaml) prints them through the one writer.
  if (flags.format === undefined && cli.out.machine) await cli.out.data(shown, true);
  else for (const line of RENDER[flags.format ?? DEFAULT_ENV_FORMAT](shown)) cli.out.line(line, true);
  if (!flags.reveal && Object.keys(values).some((k) => !isPublicKey(k, publicKeys))) {
    cli.out.info(cli.out.c.dim('(secret values masked; add --reveal to show them)'));
  }
}
