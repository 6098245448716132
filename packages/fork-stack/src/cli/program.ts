/**
 * The command-line interface: definitions only. Each action imports its command module on demand, so
 * `fork-stack current` loads neither zod nor TOML nor any provider SDK.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { cliContext, type CliContext, type GlobalOptions } from './context.js';
import { CONTRACT_VERSION, VERSION } from '../version.js';

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
    .option('--json', 'machine-readable output on stdout (no colours, no spinners)')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .showHelpAfterError('(run "fork-stack --help" for usage)')
    .configureHelp({ sortSubcommands: false })
    // Set before subcommands are added: commander copies these settings into each one at creation.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const ctx = (): CliContext => cliContext(program.opts() as GlobalOptions, hooks.signal);

  program
    .command('init')
    .description('write fork-stack.toml (asks on a terminal; the local stack by default) and create the root environment')
    .option('--project <name>', 'project name used in resource names (default: the directory name)')
    .option('--database <provider>', 'database provider (sqlite, postgres, turso, neon, …)')
    .option('--storage <provider>', 'storage provider for the first bucket (fs, s3, r2, tigris, none)')
    .option('--bucket <name>', 'config name of that bucket', 'uploads')
    .option('--secrets <provider>', 'secrets provider (dotenv, doppler, aws-secrets, vault, none)')
    .option('--cache <provider>', 'cache provider (redis, upstash-redis, …, none)')
    .option('--queue <provider>', 'queue provider (bullmq, upstash-qstash, inngest, none)')
    .option('--root <env>', 'root environment: "dev" for the local stack, usually "prod" for cloud stacks')
    .option('--force', 'replace an existing fork-stack.toml')
    .option('-y, --yes', 'do not ask; use flags and defaults')
    .action(async (flags) => (await import('./commands/init.js')).run(ctx(), flags));

  program
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
    .option('--terminate-connections', "end other sessions on the parent database when the provider needs it (PostgreSQL's CREATE DATABASE … TEMPLATE)")
    .addOption(new Option('--git-branch <branch>', 'record the git branch this environment follows').hideHelp())
    .addOption(new Option('--switch-if-on-branch <branch>', 'switch afterwards only if this git branch is still checked out (the git hook)').hideHelp())
    .action(async (env, flags) => (await import('./commands/create.js')).run(ctx(), env, flags));

  program
    .command('switch')
    .description("make an environment current: .current-env, .env.local's managed block, .fork-stack/envs/<env>.env")
    .argument('<env>')
    .action(async (env) => (await import('./commands/switch.js')).run(ctx(), env));

  program
    .command('delete')
    .description('delete an environment and all its resources (never protected or root ones)')
    .argument('<env>')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(async (env, flags) => (await import('./commands/delete.js')).run(ctx(), env, flags));

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

  program
    .command('env')
    .description("print an environment's variables (default: the current one); secrets masked unless --reveal")
    .argument('[env]')
    .addOption(new Option('--format <format>', 'output format').choices(['dotenv', 'json', 'shell'] as const))
    .option('--reveal', 'show secret values')
    .action(async (env, flags) => (await import('./commands/env.js')).run(ctx(), env, flags));

  program
    .command('run')
    .description("run a command with an environment's variables injected; its exit code passes through")
    .option('--env <env>', 'environment to use (default: the current one)')
    .argument('<command...>', 'the command and its arguments, after --')
    .action(async (command, flags) => {
      hooks.setExitCode(await (await import('./commands/run.js')).run(ctx(), command, flags));
    });

  program
    .command('doctor')
    .description('check the config, credentials, reachability of each provider and that the roots exist')
    .action(async () => (await import('./commands/doctor.js')).run(ctx()));

  program
    .command('reset')
    .description('make an environment a fresh fork of its parent again, keeping its name')
    .argument('<env>')
    .option('--from <parent>', 'parent to reset from (default: the one it was forked from)')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(async (env, flags) => (await import('./commands/lifecycle.js')).reset(ctx(), env, flags));

  program
    .command('gc')
    .description('delete expired environments, old ones, or ones whose git branch is gone (never protected or foreign ones)')
    .option('--expired', 'environments past their TTL (the default criterion)')
    .option('--gone', 'environments whose git branch no longer exists on the remote')
    .option('--older-than <duration>', 'environments created longer ago than this (e.g. 14d)')
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(async (flags) => (await import('./commands/lifecycle.js')).gc(ctx(), flags));

  program
    .command('diff')
    .description('what differs between two environments: secret keys, database schema, object and key counts (never values)')
    .argument('<a>')
    .argument('<b>')
    .action(async (a, b) => (await import('./commands/lifecycle.js')).diff(ctx(), a, b));

  program
    .command('prompt')
    .description('the current environment for shell prompts (fast; loud for protected environments)')
    .option('--color', 'colour a protected environment red')
    .action(async (flags) => (await import('./commands/prompt.js')).run(ctx(), flags));

  const hook = program.command('hook').description('git-branch environments: switch (or create) the environment of each checked-out branch');
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
  secrets
    .command('list')
    .description('list secret names (values masked unless --reveal)')
    .option('--env <env>', 'environment (default: the current one)')
    .option('--reveal', 'show values')
    .action(async (flags) => (await import('./commands/secrets.js')).list(ctx(), flags));
  secrets
    .command('get')
    .description('print one secret value')
    .argument('<key>')
    .option('--env <env>', 'environment (default: the current one)')
    .action(async (key, flags) => (await import('./commands/secrets.js')).get(ctx(), key, flags));
  secrets
    .command('set')
    .description('set a secret; without a value it is read from stdin (keeps it out of shell history)')
    .argument('<key>')
    .argument('[value]')
    .option('--env <env>', 'environment (default: the current one)')
    .action(async (key, value, flags) => (await import('./commands/secrets.js')).set(ctx(), key, value, flags));
  secrets
    .command('unset')
    .description('remove secrets')
    .argument('<keys...>')
    .option('--env <env>', 'environment (default: the current one)')
    .action(async (keys, flags) => (await import('./commands/secrets.js')).unset(ctx(), keys, flags));

  return program;
}
