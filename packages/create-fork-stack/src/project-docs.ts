/** The generated Makefile, README and next steps of a composed project, and the lines both print. */
import { registry } from 'fork-stack';
import { KINDS, type Kind } from './catalog.js';
import type { Choices } from './choices.js';
import type { LanguageLayout } from './languages.js';

export function makefile(project: string, layout: LanguageLayout): string {
  return `# ${project}: fork-stack's environment targets (Makefile.base) and the example app.
#
#   make envs-new alice     fork the root environment into "alice" and switch to it
#   make envs-switch dev    back to dev; make envs-list, make envs-current, make envs-delete alice
#   make run                run the example app in the current environment
#   make test               the example app's tests
.DEFAULT_GOAL := help

include Makefile.base

.PHONY: help run test

help:
\t@echo "make envs-new <name> | envs-switch <name> | envs-delete <name> | envs-list | envs-current | run | test"

run:
\t${layout.run}

test:
\t${layout.test}
`;
}

/** Per configured cloud provider, the environment variables it reads credentials from (its schema's list). */
export async function credentialsOf(providers: Partial<Record<Kind, string>>): Promise<[label: string, variables: string[]][]> {
  const result: [string, string[]][] = [];
  for (const kind of KINDS) {
    const provider = providers[kind];
    const entry = provider ? registry[kind][provider] : undefined;
    if (!entry || entry.local) continue;
    const variables = (await entry.schema()).credentials ?? [];
    if (variables.length) result.push([`${kind} ${provider}`, [...variables]]);
  }
  return result;
}

/** The credentials block printed and written under the next steps. */
export function formatCredentials(credentials: [string, string[]][], markdown = false): string {
  if (credentials.length === 0) return '';
  if (markdown) {
    return [
      'Credentials come from environment variables only (never from files in the repository):',
      '',
      ...credentials.map(([label, variables]) => `- ${label}: ${variables.map((v) => `\`${v}\``).join(', ')}`),
    ].join('\n');
  }
  const width = Math.max(...credentials.map(([label]) => label.length)) + 2;
  return [
    'Credentials come from environment variables only (never from files in the repository):',
    ...credentials.map(([label, variables]) => `  ${`${label}:`.padEnd(width)}${variables.join(', ')}`),
  ].join('\n');
}

export interface NextStepsInput {
  directory: string;
  language: string;
  parent: string;
  roots: string[];
  /** The root environment was created here (local stack). */
  rootReady: boolean;
  /** Some providers are local (their part of the roots is created by `fork-stack init`). */
  localParts: boolean;
  /** Example values to replace, e.g. 'database.project_id = "your-neon-project-id"'. */
  placeholders: string[];
  run: string;
  test: string;
}

/** Shell lines, with a comment each, from `cd` to the example app reading a fork. */
export function nextSteps(input: NextStepsInput): [string, string][] {
  const steps: [string, string][] = [[`cd ${shellQuote(input.directory)}`, '']];
  steps.push(['npm install', input.language === 'typescript' ? 'fork-stack (CLI and reader), tsx, TypeScript' : 'the fork-stack CLI the Makefile runs']);
  if (!input.rootReady) {
    const which = input.placeholders.length ? input.placeholders.join(', ') : 'the example values (project ids, …)';
    steps.push(['$EDITOR fork-stack.toml', `replace ${which} with yours`]);
    const roots = input.roots.map((r) => `"${r}"`).join(' and ');
    // init keeps an existing fork-stack.toml: it creates what can be created here, finds the rest.
    steps.push(['npx fork-stack init', `finds ${roots} on your providers${input.localParts ? ', creates the local parts' : ''}`]);
    steps.push(['npx fork-stack doctor', 'checks every credential and provider']);
  }
  steps.push(['make envs-new alice', `fork ${input.parent} into "alice" and switch to it`]);
  steps.push([input.run, "the example app reads alice's values"]);
  steps.push([input.test, 'its tests']);
  return steps;
}

function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function formatSteps(steps: [string, string][]): string {
  const width = Math.max(...steps.map(([command]) => command.length)) + 2;
  return steps.map(([command, note]) => (note ? `${command.padEnd(width)}# ${note}` : command)).join('\n');
}

export async function readme(choices: Choices & { project: string; root: string }, layout: LanguageLayout): Promise<string> {
  const rows = KINDS.map((kind) => {
    const provider = choices.providers[kind];
    const summary = provider ? (registry[kind][provider]?.summary ?? '') : '';
    return `| ${kind} | ${provider ? `\`${provider}\`` : '—'} | ${summary} |`;
  });
  const credentials = await credentialsOf(choices.providers);
  const local = KINDS.every((k) => !choices.providers[k] || registry[k][choices.providers[k] as string]?.local);
  const steps = nextSteps({
    directory: '.',
    language: choices.language,
    parent: choices.root,
    roots: [choices.root],
    rootReady: local,
    localParts: KINDS.some((k) => choices.providers[k] && registry[k][choices.providers[k] as string]?.local),
    placeholders: [],
    run: 'make run',
    test: 'make test',
  }).slice(1);
  return `# ${choices.project}

An app on [fork-stack](https://github.com/fork-stack/fork-stack): every developer, pull request and
feature gets its own copy of the infrastructure below, forked from \`${choices.root}\`, and the app reads the
current environment's values instead of hard-coding them. ${layout.label}.

| kind | provider | each environment gets |
|---|---|---|
${rows.join('\n')}

## Start

\`\`\`sh
${formatSteps(steps)}
\`\`\`
${
  local
    ? `\nEverything runs on this machine (no account needed); \`${choices.root}\` was created when the project was.\n`
    : `\n${formatCredentials(credentials, true)}\n\nThe root environment \`${choices.root}\` is adopted from your providers, never created or deleted by
fork-stack.\n`
}
## Layout

| file | what |
|---|---|
| \`fork-stack.toml\` | what each environment is made of (commit it); \`contract\` is the variables-contract version the reader implements |
| \`Makefile\`, \`Makefile.base\` | \`make envs-new <name>\`, \`envs-switch\`, \`envs-delete\`, \`envs-list\`, \`envs-current\`; \`make run\`, \`make test\` |
| reader | ${layout.readerNote} |
| example app | prints the environment and its values: \`${layout.run}\`; its tests: \`${layout.test}\` |
| \`.gitignore\` | keeps \`.current-env\`, \`.fork-stack/\` and \`.env.local\` (local state and resolved secrets) out of git |

The environment is \`FORK_STACK_ENV\` (or \`ENV\`), else \`.current-env\` (written by \`make envs-switch\`),
else \`dev\`. A value comes from the process environment first — production needs no files — then
\`.fork-stack/envs/<env>.env\`, then the naming convention in \`fork-stack.toml\`.

More: \`npx fork-stack --help\`, and the documentation at <https://github.com/fork-stack/fork-stack/tree/main/docs>.
`;
}
