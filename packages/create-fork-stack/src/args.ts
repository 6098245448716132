/**
 * Command-line flags. node:util parseArgs (strict): an unknown flag or a missing value is a usage error
 * (exit 2) that names the flag, never a silent default.
 */
import { parseArgs } from 'node:util';
import { UsageError } from 'fork-stack';

export interface Flags {
  directory?: string;
  stack?: string;
  language?: string;
  database?: string;
  storage?: string;
  bucket?: string;
  secrets?: string;
  cache?: string;
  queue?: string;
  project?: string;
  root?: string;
  ci?: string;
  yes: boolean;
  listStacks: boolean;
  help: boolean;
  version: boolean;
}

const OPTIONS = {
  stack: { type: 'string', short: 's' },
  language: { type: 'string', short: 'l' },
  database: { type: 'string' },
  storage: { type: 'string' },
  bucket: { type: 'string' },
  secrets: { type: 'string' },
  cache: { type: 'string' },
  queue: { type: 'string' },
  project: { type: 'string' },
  root: { type: 'string' },
  ci: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'list-stacks': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** --help; the provider lists come from the engine's registry, so they are never out of date. */
export function helpText(providers: Record<string, string[]>, languages: string[]): string {
  const list = (kind: string) => [...(providers[kind] ?? []), 'none'].join(', ');
  return `Usage: npm create fork-stack@latest [directory] -- [options]
       npx create-fork-stack [directory] [options]

Writes a new project on fork-stack: fork-stack.toml, the reader for your language, a Makefile with
the envs-* targets, an example app with its tests, .gitignore and a README with the next steps.
Asks on a terminal; with --yes, in CI or without a terminal it takes the flags and the defaults.

Start from a stack:
  -s, --stack <name>        a ready combination (--list-stacks shows them)
      --list-stacks         print the stacks and exit

Or choose each part (defaults: typescript, sqlite, fs, dotenv, no cache, no queue):
  -l, --language <name>     ${languages.join(', ')}
      --database <provider> ${list('database')}
      --storage <provider>  ${list('storage')}
      --bucket <name>       config name of that bucket (default: uploads)
      --secrets <provider>  ${list('secrets')} (dotenv: env files)
      --cache <provider>    ${list('cache')}
      --queue <provider>    ${list('queue')}

More:
      --project <name>      project name in resource names (default: from the directory)
      --root <env>          root environment (default: dev for local stacks, prod otherwise)
      --ci <github|gitlab>  add fork-stack's CI workflows (preview, test and clean-up jobs)
  -y, --yes                 do not ask; flags and defaults only
  -h, --help                this help
  -v, --version             print the version

Exit codes: 0 written, 1 failed (nothing left behind), 2 bad input (nothing written).
`;
}

export function parseFlags(argv: string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages name the flag; drop its advice about "--" which does not apply here.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message.replace(/^Unknown option/, 'unknown option'), { hint: 'Run "create-fork-stack --help" for the options.' });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`one directory expected, got ${positionals.length}: ${positionals.join(' ')}`, {
      hint: 'Quote a path with spaces, and give providers as flags (--database neon).',
    });
  }
  return {
    directory: positionals[0],
    stack: values.stack,
    language: values.language,
    database: values.database,
    storage: values.storage,
    bucket: values.bucket,
    secrets: values.secrets,
    cache: values.cache,
    queue: values.queue,
    project: values.project,
    root: values.root,
    ci: values.ci,
    yes: values.yes ?? false,
    listStacks: values['list-stacks'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
