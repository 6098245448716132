/**
 * The command-line interface, each command declared once: its arguments, flags and help text are
 * declared here, and the flag types its module takes are inferred from that declaration (`Flags<'create'>`).
 * Each action imports its command module on demand, so `fork-stack current` loads neither zod nor TOML
 * nor any provider SDK.
 *
 * Why @commander-js/extra-typings (14.x, matching commander 14) rather than a citty-style
 * defineCommand({ args, run }) layer of our own: the declarations stay the same commander calls, so
 * parsing and the help output stay exactly commander's, while `.opts()` and the action's parameters get
 * their types from the declared flags. A layer of our own would re-implement what commander already does
 * and risk changing help text and parsing.
 */
import { Argument, Command, Option } from '@commander-js/extra-typings';
import { HOOK_NAMES } from '../core/hook-names.js';
import { providerNames } from '../providers/registry.js';
import type { Kind } from '../providers/types.js';
import { cliContext, type CliContext, type GlobalOptions } from './context.js';
import { ENV_FORMATS, NO_PROVIDER, OUTPUT_FORMATS } from './formats.js';
import { CONTRACT_VERSION, VERSION } from '../version.js';

/** The providers a flag accepts, from the registry: help text never goes stale when a backend is added. */
function providersOf(kind: Kind, optional = true): string {
  return [...providerNames(kind), ...(optional ? [NO_PROVIDER] : [])].join(', ');
}

// The declarations of the commands whose modules take flags; `Flags<name>` is the type their run() gets.
const declare = {
  init: (parent: Command) =>
    parent
      .command('init')
      .description('write fork-stack.toml (asks on a terminal; the local stack by default) and create the root environment')
      .option('--project <name>', 'project name used in resource names (default: the directory name)')
      .option('--database <provider>', `database provider (${providersOf('database', false)})`)
      .option('--storage <provider>', `storage provider for the first bucket (${providersOf('storage')})`)
      .option('--bucket <name>', 'config name of that bucket', 'uploads')
      .option('--secrets <provider>', `secrets provider (${providersOf('secrets')})`)
      .option('--cache <provider>', `cache provider (${providersOf('cache')})`)
      .option('--queue <provider>', `queue provider (${providersOf('queue')})`)
      .option('--root <env>', 'root environment: "dev" for the local stack, usually "prod" for cloud stacks')
      .option('--force', 'replace an existing fork-stack.toml')
      .option('-y, --yes', 'do not ask; use flags and defaults'),
  create: (parent: Command) =>
    parent
      .command('create')
      .description('fork every configured resource of a parent environment into a new environment, in parallel')
      .argument('<env>', 'name of the new environment (lower-case letters, digits, "-")')
      .option('--from <parent>', 'environment to fork (default: default_parent from the config)')
      .option('--switch', 'switch to the new environment afterwards')
      .option('--at <time>', 'fork the parent as it was at this RFC 3339 time (providers with point-in-time forks)')
      .option('--at-best-effort', 'with --at: fork resources that cannot go back in time from now, with a warning')
      .option('--ttl <duration>', 'delete after this long with "gc --expired" (e.g. 7d, 12h; "never" for no expiry)')
      .option('--keep-partial', 'on failure, keep what was created instead of rolling it back')
      .option('--reuse', 'if the environment already exists, use it as it is instead of failing (CI re-runs)')
      .option('--resume', 'finish an environment another checkout left half-made (its existing resources are adopted)')
      .addOption(new Option('--data <mode>', 'what data the new database gets, for this run: full, schema-only or masked ([database] data)').choices(['full', 'schema-only', 'masked'] as const))
      .option('--no-hooks', 'do not run the after_create hook ([hooks] in fork-stack.toml)')
      .option('--terminate-connections', "end other sessions on the parent database when the provider needs it (PostgreSQL's CREATE DATABASE … TEMPLATE)")
      .addOption(new Option('--git-branch <branch>', 'record the git branch this environment follows').hideHelp())
      .addOption(new Option('--switch-if-on-branch <branch>', 'switch afterwards only if this git branch is still checked out (the git hook)').hideHelp()),
  delete: (parent: Command) =>
    parent
      .command('delete')
      .description('delete an environment and all its resources (never protected or root ones)')
      .argument('<env>')
      .option('--no-hooks', 'do not run the before_delete hook')
      .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)'),
  env: (parent: Command) =>
    parent
      .command('env')
      .description("print an environment's variables (default: the current one); secrets masked unless --reveal")
      .argument('[env]')
      .addOption(new Option('--format <format>', 'output format').choices(ENV_FORMATS))
      .option('--reveal', 'show secret values'),
  run: (parent: Command) =>
    parent
      .command('run')
      .description("run a command with an environment's variables injected; its exit code passes through")
      .option('--env <env>', 'environment to use (default: the current one)')
      .argument('<command...>', 'the command and its arguments, after --'),
  reset: (parent: Command) =>
    parent
      .command('reset')
      .description('make an environment a fresh fork of its parent again, keeping its name')
      .argument('<env>')
      .option('--from <parent>', 'parent to reset from (default: the one it was forked from)')
      .option('--no-hooks', 'do not run the after_reset hook')
      .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)'),
  gc: (parent: Command) =>
    parent
      .command('gc')
      .description('delete expired environments, old ones, or ones whose git branch is gone (never protected or foreign ones)')
      .option('--expired', 'environments past their TTL (the default criterion)')
      .option('--gone', 'environments whose git branch no longer exists on the remote')
      .option('--older-than <duration>', 'environments created longer ago than this (e.g. 14d)')
      .option('--dry-run', 'show what would be deleted, delete nothing')
      .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)'),
  prompt: (parent: Command) =>
    parent
      .command('prompt')
      .description('the current environment for shell prompts (fast; loud for protected environments)')
      .option('--color', 'colour a protected environment red'),
  hooksRun: (parent: Command) =>
    parent
      .command('run')
      .description('run one lifecycle hook now; after a failure it resumes from the command that failed')
      .addArgument(new Argument('<hook>', 'the hook').choices(HOOK_NAMES))
      .option('--env <env>', 'environment (default: the current one)')
      .option('--all', 'run every command of the hook, not only from the one that failed'),
  secretsList: (parent: Command) =>
    parent
      .command('list')
      .description('list secret names (values masked unless --reveal)')
      .option('--env <env>', 'environment (default: the current one)')
      .option('--reveal', 'show values'),
  secretsGet: (parent: Command) =>
    parent.command('get').description('print one secret value').argument('<key>').option('--env <env>', 'environment (default: the current one)'),
  secretsSet: (parent: Command) =>
    parent
      .command('set')
      .description('set a secret; without a value it is read from stdin (keeps it out of shell history)')
      .argument('<key>')
      .argument('[value]')
      .option('--env <env>', 'environment (default: the current one)'),
  secretsUnset: (parent: Command) =>
    parent.command('unset').description('remove secrets').argument('<keys...>').option('--env <env>', 'environment (default: the current one)'),
};

/** The flags a command's module receives, inferred from its declaration above. */
export type Flags<K extends keyof typeof declare> = ReturnType<ReturnType<(typeof declare)[K]>['opts']>;

export interface ProgramHooks {
  signal: AbortSignal;
  /** Set by `run`: the exit code of the child process. */
  setExitCode(code: number): void;
}

export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command()
    .name('fork-stack')
    .description("Isolated copies of your app's infrastructure — database, buckets, secrets, cache, queue — per developer, pull request and feature.")
    .version(`fork-stack ${VERSION} (variables contract ${CONTRACT_VERSION})`, '-v, --version', 'print the CLI and contract versions')
    .option('--config <file>', 'use this fork-stack.toml instead of searching up from the working directory')
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .addOption(new Option('--json', 'machine-readable output on stdout (no colours, no spinners); the same as --output json').conflicts('output'))
    .addOption(new Option('-o, --output <format>', 'how results are printed on stdout').choices(OUTPUT_FORMATS))
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .showHelpAfterError('(run "fork-stack --help" for usage)')
    .configureHelp({ sortSubcommands: false })
    // Set before subcommands are added: commander copies these settings into each one at creation.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const ctx = (): CliContext => cliContext(program.opts() as GlobalOptions, hooks.signal);

  declare.init(program).action(async (flags) => (await import('./commands/init.js')).run(ctx(), flags));
  declare.create(program).action(async (env, flags) => (await import('./commands/create.js')).run(ctx(), env, flags));

  program
    .command('switch')
    .description("make an environment current: .current-env, .env.local's managed block, .fork-stack/envs/<env>.env")
    .argument('<env>')
    .action(async (env) => (await import('./commands/switch.js')).run(ctx(), env));

  declare.delete(program).action(async (env, flags) => (await import('./commands/delete.js')).run(ctx(), env, flags));

  program
    .command('list')
    .alias('ls')
    .description('every environment the providers report: state, parent, age, resources')
    .action(async () => (await import('./commands/list.js')).run(ctx()));

  program
    .command('current')
    .description('print the current environment (fast: reads no config, calls no provider)')
    .action(async () => (await import('./commands/current.js')).run(ctx()));

  program
    .command('status')
    .description('one environment in detail (default: the current one)')
    .argument('[env]')
    .action(async (env) => (await import('./commands/status.js')).run(ctx(), env));

  declare.env(program).action(async (env, flags) => (await import('./commands/env.js')).run(ctx(), env, flags));
  declare.run(program).action(async (command, flags) => {
    hooks.setExitCode(await (await import('./commands/run.js')).run(ctx(), command, flags));
  });

  program
    .command('doctor')
    .description('check the config, credentials, reachability of each provider and that the roots exist')
    .action(async () => (await import('./commands/doctor.js')).run(ctx()));

  declare.reset(program).action(async (env, flags) => (await import('./commands/lifecycle.js')).reset(ctx(), env, flags));
  declare.gc(program).action(async (flags) => (await import('./commands/lifecycle.js')).gc(ctx(), flags));

  program
    .command('diff')
    .description('what differs between two environments: secret keys, database schema, object and key counts (never values)')
    .argument('<a>')
    .argument('<b>')
    .action(async (a, b) => (await import('./commands/lifecycle.js')).diff(ctx(), a, b));

  declare.prompt(program).action(async (flags) => (await import('./commands/prompt.js')).run(ctx(), flags));

  // `hook` (singular) is git's post-checkout hook; `hooks` are fork-stack's lifecycle hooks (docs/hooks.md).
  const hooksCmd = program.command('hooks').description('lifecycle hooks from [hooks] in fork-stack.toml (migrations, seeds); not the git hook');
  declare.hooksRun(hooksCmd).action(async (name, flags) => (await import('./commands/hooks.js')).run(ctx(), name, flags));

  const hook = program.command('hook').description('git-branch environments: switch (or create) the environment of each checked-out branch (git\'s post-checkout hook; lifecycle hooks are "hooks")');
  hook
    .command('install')
    .description('install the post-checkout hook (an existing hook is kept and runs first)')
    .action(async () => (await import('./commands/hook.js')).install(ctx()));
  hook
    .command('uninstall')
    .description('remove the hook and restore the one it chained')
    .action(async () => (await import('./commands/hook.js')).uninstall(ctx()));
  hook
    .command('run', { hidden: true })
    .description('what the hook runs after a checkout')
    .action(async () => (await import('./commands/hook.js')).runFromHook(ctx()));

  const secrets = program.command('secrets').description("read and change the current environment's secrets");
  declare.secretsList(secrets).action(async (flags) => (await import('./commands/secrets.js')).list(ctx(), flags));
  declare.secretsGet(secrets).action(async (key, flags) => (await import('./commands/secrets.js')).get(ctx(), key, flags));
  declare.secretsSet(secrets).action(async (key, value, flags) => (await import('./commands/secrets.js')).set(ctx(), key, value, flags));
  declare.secretsUnset(secrets).action(async (keys, flags) => (await import('./commands/secrets.js')).unset(ctx(), keys, flags));

  return program;
}
