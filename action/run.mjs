#!/usr/bin/env node
/**
 * The GitHub Action (action.yml at the repository root) runs this script: create, delete or read an
 * environment with the project's own fork-stack CLI, then hand the environment's variables to the
 * workflow. Every value is registered with `::add-mask::` before it is written anywhere, so the
 * runner replaces it with *** in every later log line.
 *
 * Inputs arrive as INPUT_* environment variables (action.yml maps them); outputs go to the files named
 * by GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY, exactly as the Actions runner defines them. No
 * dependencies, no shell: the CLI is spawned with an argument array.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMANDS = ['create', 'delete', 'env'];
const IF_EXISTS = ['reuse', 'reset', 'fail'];

/** Contract variables that also get an output of their own; everything is in `variables` (JSON). */
export const NAMED_OUTPUTS = {
  DATABASE_URL: 'database-url',
  DATABASE_AUTH_TOKEN: 'database-auth-token',
  BUCKET_NAME: 'bucket-name',
  CACHE_URL: 'cache-url',
  QUEUE_URL: 'queue-url',
};

class ActionError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function input(name, fallback = '') {
  const value = process.env[`INPUT_${name.replace(/-/g, '_').toUpperCase()}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function bool(name, fallback) {
  const value = input(name, String(fallback)).toLowerCase();
  if (['true', 'yes', '1'].includes(value)) return true;
  if (['false', 'no', '0'].includes(value)) return false;
  throw new ActionError(`input ${name} must be true or false, not "${value}"`, 2);
}

/** Workflow-command data escaping, as the runner unescapes it (actions/toolkit escapeData). */
function escapeData(text) {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Register a value as a secret: the whole value, and each line (the runner masks line by line). */
export function maskCommands(value) {
  if (value === '') return [];
  const lines = value.split(/\r?\n/).filter((line) => line.trim() !== '' && line !== value);
  return [value, ...lines].map((v) => `::add-mask::${escapeData(v)}`);
}

/** `name<<delimiter\nvalue\ndelimiter\n`, the multi-line-safe form of GITHUB_OUTPUT and GITHUB_ENV. */
export function fileCommand(name, value) {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new ActionError(`value of ${name} contains the delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** The command that runs the CLI: the `cli` input, else the project's own node_modules/.bin/fork-stack. */
function cliCommand(workdir) {
  const given = input('cli');
  if (given) return given.split(/\s+/);
  for (let dir = workdir; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', 'fork-stack');
    if (existsSync(bin)) return [bin];
    if (path.dirname(dir) === dir) break;
  }
  throw new ActionError(
    `fork-stack is not installed in ${workdir} or a parent directory: add it to the project's devDependencies and run "npm ci" before this step, or set the cli input (e.g. cli: npx --yes fork-stack@<version>)`,
    2,
  );
}

function runCli(cli, args, workdir) {
  const [file, ...pre] = cli;
  const result = spawnSync(file, [...pre, ...args], {
    cwd: workdir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new ActionError(`could not run ${file}: ${result.error.message}`);
  // The CLI's own messages are already scrubbed of secrets; show them in the log.
  if (result.stderr.trim()) process.stderr.write(`${result.stderr.trimEnd()}\n`);
  if (result.status !== 0) {
    let message = `fork-stack ${args[0]} failed (exit ${result.status})`;
    try {
      const error = JSON.parse(result.stdout).error;
      if (error?.message) message = `fork-stack ${args[0]}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
    } catch {
      /* not JSON: the message is on stderr, printed above */
    }
    throw new ActionError(message, result.status ?? 1);
  }
  return result.stdout;
}

function json(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new ActionError(`fork-stack ${what} did not print JSON`);
  }
}

function findEnvironment(cli, workdir, env) {
  const list = json(runCli(cli, ['list', '--json'], workdir), 'list');
  return list.environments.find((e) => e.name === env);
}

function readVariables(cli, workdir, env) {
  return json(runCli(cli, ['env', env, '--format', 'json', '--reveal'], workdir), 'env');
}

export function main() {
  const command = input('command');
  const env = input('env');
  if (!COMMANDS.includes(command)) throw new ActionError(`input command must be one of ${COMMANDS.join(', ')}, not "${command}"`, 2);
  if (!env) throw new ActionError('input env is required: the environment name, e.g. pr-${{ github.event.pull_request.number }}', 2);
  const workdir = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('working-directory', '.'));
  const ifExists = input('if-exists', 'reuse');
  if (!IF_EXISTS.includes(ifExists)) throw new ActionError(`input if-exists must be one of ${IF_EXISTS.join(', ')}, not "${ifExists}"`, 2);
  const exportEnv = bool('export-env', true);
  const cli = cliCommand(workdir);

  const outputs = { env };
  let variables;
  if (command === 'delete') {
    const existing = findEnvironment(cli, workdir, env);
    if (existing) runCli(cli, ['delete', env, '--yes', '--json'], workdir);
    else process.stderr.write(`fork-stack: "${env}" does not exist; nothing to delete\n`);
    outputs.deleted = String(Boolean(existing));
  } else {
    if (command === 'create') {
      const existing = findEnvironment(cli, workdir, env);
      const from = input('from') ? ['--from', input('from')] : [];
      if (existing?.state === 'ready' && ifExists === 'fail') throw new ActionError(`environment "${env}" already exists (if-exists: fail)`);
      if (existing?.state === 'ready' && ifExists === 'reset') runCli(cli, ['reset', env, '--yes', '--json', ...from], workdir);
      // An environment that is missing, partial or half-created is created (or finished) by create.
      const create = !existing || existing.state !== 'ready';
      if (create) runCli(cli, ['create', env, '--json', ...from, ...(input('ttl') ? ['--ttl', input('ttl')] : [])], workdir);
      else process.stderr.write(`fork-stack: "${env}" exists; ${ifExists === 'reset' ? 'reset it' : 'reusing it'}\n`);
      outputs.created = String(create);
    }
    variables = readVariables(cli, workdir, env);
  }

  // 1. Every value is a secret to the runner before anything holding it is written.
  const values = Object.entries(variables ?? {});
  const masks = values.filter(([key]) => key !== 'FORK_STACK_ENV').flatMap(([, value]) => maskCommands(value));
  if (masks.length) process.stdout.write(`${masks.join('\n')}\n`);

  // 2. Outputs, then the job's environment, then a summary without values.
  if (variables) {
    outputs.variables = JSON.stringify(variables);
    for (const [key, name] of Object.entries(NAMED_OUTPUTS)) outputs[name] = variables[key] ?? '';
  }
  const outputFile = process.env.GITHUB_OUTPUT;
  if (outputFile) appendFileSync(outputFile, Object.entries(outputs).map(([k, v]) => fileCommand(k, v)).join(''));
  const envFile = process.env.GITHUB_ENV;
  if (variables && exportEnv && envFile) {
    const skipped = values.filter(([key]) => /^(GITHUB_|RUNNER_)/.test(key)).map(([key]) => key);
    if (skipped.length) process.stderr.write(`fork-stack: not exporting ${skipped.join(', ')} (reserved by GitHub Actions)\n`);
    appendFileSync(envFile, values.filter(([key]) => !skipped.includes(key)).map(([k, v]) => fileCommand(k, v)).join(''));
  }
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    const what = command === 'delete' ? (outputs.deleted === 'true' ? 'deleted' : 'was already gone') : command === 'create' ? (outputs.created === 'true' ? 'created' : 'reused') : 'read';
    appendFileSync(summary, `fork-stack: environment \`${env}\` ${what}${variables ? ` — variables: ${Object.keys(variables).map((k) => `\`${k}\``).join(', ')}` : ''}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`::error title=fork-stack::${escapeData(message)}\n`);
    process.exitCode = error instanceof ActionError ? error.exitCode : 1;
  }
}
