/**
 * create-fork-stack: flags or questions → choices → every file planned in memory → written at once →
 * on the local stack, the root environment created → next steps. Returns the exit code; throws nothing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ForkStackError, parseConfig, prepareRoots, projectNameFrom, registry, UsageError } from 'fork-stack';
import { helpText, parseFlags, type Flags } from './args.js';
import { KINDS, loadCatalog, type Catalog, type Kind } from './catalog.js';
import { choicesFromFlags, defaultRoot, isLocal, type Choices } from './choices.js';
import { planProject } from './plan.js';
import { credentialsOf, formatCredentials, formatSteps, nextSteps } from './project-docs.js';
import { writeProject } from './write.js';
import { LANGUAGES } from './languages.js';

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Questions are asked only on a terminal (stdin and stdout), outside CI, without --yes. */
  interactive: boolean;
  /** dist/templates unless a test points elsewhere. */
  templates?: string;
  /** The terminal the questions use (default: process.stdin and process.stdout). */
  input?: Readable;
  output?: Writable;
}

const require = createRequire(import.meta.url);

function versions(): { own: string; forkStack: string } {
  const own = (require('../package.json') as { version: string }).version;
  const forkStack = (require('fork-stack/package.json') as { version: string }).version;
  return { own, forkStack };
}

export async function main(argv: string[], io: Io): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  try {
    const flags = parseFlags(argv);
    if (flags.version) {
      const v = versions();
      print(`create-fork-stack ${v.own} (fork-stack ${v.forkStack})`);
      return 0;
    }
    const catalog = await loadCatalog(io.templates);
    if (flags.help) {
      const providers = Object.fromEntries(KINDS.map((k) => [k, Object.keys(registry[k])]));
      io.stdout.write(helpText(providers, catalog.languages));
      return 0;
    }
    if (flags.listStacks) {
      listStacks(catalog, print);
      return 0;
    }
    return await scaffold(catalog, flags, io, print);
  } catch (error) {
    return report(error, io.stderr);
  }
}

async function scaffold(catalog: Catalog, flags: Flags, io: Io, print: (text: string) => void): Promise<number> {
  let directory: string;
  let choices: Choices;
  if (io.interactive && !flags.yes) {
    const { ask, Cancelled, cancelled } = await import('./prompts.js');
    try {
      ({ directory, choices } = await ask(catalog, flags, io.cwd, { input: io.input, output: io.output }));
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
      cancelled({ output: io.output });
      return 130;
    }
  } else {
    choices = choicesFromFlags(catalog, flags);
    if (flags.directory === undefined) {
      throw new UsageError('no directory given for the new project', {
        hint: 'Name it: npm create fork-stack@latest my-app (or npx create-fork-stack my-app). Without a terminal nothing is asked.',
      });
    }
    directory = flags.directory;
  }
  if (!LANGUAGES[choices.language]) throw new UsageError(`no layout for language "${choices.language}"`);

  const target = path.resolve(io.cwd, directory);
  const project = await checkProject(choices.project ?? projectNameFrom(target), choices.project !== undefined);
  const root = choices.root ?? defaultRoot(choices.providers);
  const local = (Object.entries(choices.providers) as [Kind, string][]).every(([kind, name]) => isLocal(kind, name));
  const { forkStack } = versions();
  const plan = await planProject({
    templates: catalog.root,
    choices: { ...choices, project, root },
    forkStackRange: `^${forkStack}`,
    local,
  });

  const written = await writeProject(target, plan.files, directory);
  let rootReady = false;
  if (local) {
    try {
      const result = await prepareRoots(path.join(target, 'fork-stack.toml'), { env: io.env });
      rootReady = result.missingRoots.length === 0;
    } catch (error) {
      await written.rollback();
      throw error;
    }
  }

  const from = choices.stack ? `stack ${choices.stack.name}` : `${choices.language}, ${describeProviders(choices.providers)}`;
  print(`✓ wrote ${directory} (${plan.files.length} files): ${from}`);
  if (rootReady) print(`✓ created the root environment ${plan.roots.map((r) => `"${r}"`).join(', ')} on this machine; "${plan.parent}" is the current one`);
  if (choices.ci) print(`✓ added the ${choices.ci === 'github' ? 'GitHub Actions' : 'GitLab CI'} workflows`);
  const stack = choices.stack;
  const credentials: [string, string[]][] = stack?.credentials.length ? [[`stack ${stack.name}`, stack.credentials]] : await credentialsOf(choices.providers);
  const placeholders = (stack?.placeholders ?? []).filter((p) => p.key !== 'project').map((p) => `${p.key} = "${p.value}"`);
  print('\nNext steps:\n');
  const steps = nextSteps({
    directory: relativeOrAbsolute(io.cwd, target),
    language: choices.language,
    parent: plan.parent,
    roots: plan.roots,
    rootReady,
    localParts: (Object.entries(choices.providers) as [Kind, string][]).some(([kind, name]) => isLocal(kind, name)),
    placeholders,
    run: stack?.run ?? 'make run',
    test: stack?.test ?? 'make test',
  });
  print(formatSteps(steps).replace(/^/gm, '  '));
  if (!rootReady && credentials.length) print(`\n${formatCredentials(credentials)}`);
  print('');
  return 0;
}

/** The engine's own rule for project names (parseConfig), with a hint that fits this command. */
async function checkProject(project: string, fromFlag: boolean): Promise<string> {
  try {
    await parseConfig(`project = ${JSON.stringify(project)}\n`, 'fork-stack.toml');
    return project;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`invalid project name "${project}"${fromFlag ? '' : ' (from the directory name)'}`, {
      details: error.details,
      hint: 'Pass --project <name>: lower-case letters, digits and "-", starting with a letter (it becomes part of every resource name).',
    });
  }
}

function describeProviders(providers: Partial<Record<Kind, string>>): string {
  return KINDS.filter((k) => providers[k]).map((k) => `${k} ${providers[k]}`).join(', ');
}

function relativeOrAbsolute(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  return relative && !relative.startsWith('..') ? relative : target;
}

function listStacks(catalog: Catalog, print: (text: string) => void): void {
  if (catalog.stacks.length === 0) {
    print('No stacks in this package; choose the parts with --language, --database, --storage, ….');
    return;
  }
  const width = Math.max(...catalog.stacks.map((s) => s.name.length)) + 2;
  for (const stack of catalog.stacks) {
    const parts = KINDS.filter((k) => stack.providers[k]).map((k) => stack.providers[k]).join(' + ');
    print(`${stack.name.padEnd(width)}${stack.language}: ${parts}${stack.summary ? ` — ${stack.summary}` : ''}`);
  }
}

function report(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof ForkStackError) {
    const lines = [`error: ${error.message}`, ...error.details.map((d) => `  ${d}`)];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    stderr.write(`${lines.join('\n')}\n`);
    return error.exitCode;
  }
  stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.FORK_STACK_DEBUG === '1' && error instanceof Error) stderr.write(`${error.stack ?? ''}\n`);
  stderr.write('This is a bug in create-fork-stack; please report it with FORK_STACK_DEBUG=1 output.\n');
  return 1;
}
