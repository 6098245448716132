/**
 * Every file of the new project, in memory, before anything is written: a copy of a stack when the
 * choices are one, else a project composed of the reader, a rendered fork-stack.toml and a starter app.
 * The config is validated by the engine's own parser, so a project never starts with a broken file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT_VERSION, parseConfig, renderConfig } from 'fork-stack';
import type { Kind } from './catalog.js';
import type { Choices } from './choices.js';
import { ciFiles } from './ci.js';
import { packageScripts, renderCiFiles } from './ci-render.js';
import { cliPackageJson, isReaderOnlyFile, LANGUAGES, substitutions, type LanguageLayout } from './languages.js';
import { readFile, readTree, substitute, textFile, type PlannedFile } from './files.js';
import { makefile, readme } from './project-docs.js';

export interface Plan {
  files: PlannedFile[];
  /** The fork-stack.toml text (also among files). */
  config: string;
  project: string;
  /** What `make envs-new alice` forks (default_parent), and the environments forks start from. */
  parent: string;
  roots: string[];
  /** Every configured provider runs on this machine: the scaffolder can create the root environment. */
  local: boolean;
}

export interface PlanInput {
  templates: string;
  choices: Choices & { project: string; root: string };
  forkStackRange: string;
  local: boolean;
}

export async function planProject(input: PlanInput): Promise<Plan> {
  const files = input.choices.stack ? await stackFiles(input) : await composedFiles(input);
  const config = files.find((f) => f.path === 'fork-stack.toml')?.content.toString('utf8') ?? '';
  const parsed = await parseConfig(config, 'fork-stack.toml');
  // The CI templates name a parent and npm scripts of a typical cloud project: render them for this one.
  if (input.choices.ci) files.push(...renderCiFiles(ciFiles(input.templates, input.choices.ci), { roots: parsed.roots, defaultParent: parsed.defaultParent, scripts: packageScripts(files) }));
  return { files: dedupe(files), config, project: parsed.project, parent: parsed.defaultParent, roots: parsed.roots, local: input.local };
}

const REPOSITORY = 'https://github.com/fork-stack/fork-stack/blob/main';

/** Later files win (a generated file over a template's): one entry per path. */
function dedupe(files: PlannedFile[]): PlannedFile[] {
  const byPath = new Map<string, PlannedFile>();
  for (const file of files) byPath.set(file.path, file);
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Files a stack folder may hold that are local state or build output, never part of a new project. */
function isLocalState(relative: string): boolean {
  return /(^|\/)(node_modules|target|__pycache__|\.fork-stack|\.venv|dist)(\/|$)|(^|\/)(\.current-env|\.env\.local)$|\.pyc$/.test(relative);
}

async function stackFiles({ templates, choices, forkStackRange }: PlanInput): Promise<PlannedFile[]> {
  const stack = choices.stack!;
  // The preset's project name is a placeholder in its config, tests and README alike: the new name
  // replaces it everywhere, so the stack's own tests keep passing under the new name.
  const rename = new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(stack.project)}(?![A-Za-z0-9_])`, 'g');
  const files = readTree(stack.dir, '', isLocalState).map((f) => renameProject(f, rename, choices.project));
  const base = path.join(templates, 'base', stack.language);
  const has = (p: string) => files.some((f) => f.path === p);
  // A stack that leaves these to the base template gets them from there.
  if (!has('.gitignore') && existsSync(path.join(base, '_gitignore'))) files.push(readFile(path.join(base, '_gitignore'), '.gitignore'));
  if (!has('Makefile.base') && existsSync(path.join(base, 'Makefile.base'))) files.push(readFile(path.join(base, 'Makefile.base'), 'Makefile.base'));
  // The Makefile runs the project's own CLI (npx --no-install fork-stack): `npm install` gets it.
  if (!has('package.json')) {
    files.push(textFile('package.json', cliPackageJson({ project: choices.project, forkStackRange })));
  }
  return Promise.all(
    files.map(async (file) => {
      if (file.path === 'fork-stack.toml') return textFile(file.path, await validConfig(withProject(file.content.toString('utf8'), choices.project)));
      if (file.path === 'package.json') return textFile(file.path, renamePackage(file.content.toString('utf8'), choices.project));
      // Links into the repository (../../docs/…) would dangle in a project of its own.
      if (file.path.endsWith('.md')) return textFile(file.path, file.content.toString('utf8').replace(/\]\((?:\.\.\/)+(docs|stacks|templates|conformance)\//g, `](${REPOSITORY}/$1/`));
      return file;
    }),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function renameProject(file: PlannedFile, pattern: RegExp, project: string): PlannedFile {
  if (file.content.includes(0)) return file;
  const text = file.content.toString('utf8');
  const renamed = text.replace(pattern, project);
  return renamed === text ? file : { ...file, content: Buffer.from(renamed, 'utf8') };
}

async function composedFiles({ templates, choices, forkStackRange }: PlanInput): Promise<PlannedFile[]> {
  const layout = LANGUAGES[choices.language] as LanguageLayout;
  const base = path.join(templates, 'base', choices.language);
  const files: PlannedFile[] = [];
  for (const [from, to] of layout.reader) {
    const source = path.join(base, from);
    if (from.endsWith('.ts') || from.endsWith('.py') || from.endsWith('.rs')) files.push(readFile(source, to));
    else files.push(...readTree(source, to, isReaderOnlyFile));
  }
  files.push(readFile(path.join(base, 'Makefile.base'), 'Makefile.base'));
  files.push(readFile(path.join(base, '_gitignore'), '.gitignore'));
  const values = substitutions(choices.project);
  files.push(...readTree(path.join(templates, 'starter', choices.language)).map((f) => substitute(f, values)));
  for (const [file, text] of Object.entries(layout.manifests({ project: choices.project, forkStackRange }))) files.push(textFile(file, text));

  const config = await validConfig(await render(choices));
  files.push(textFile('fork-stack.toml', config));
  files.push(textFile('Makefile', makefile(choices.project, layout)));
  files.push(textFile('README.md', await readme(choices, layout)));
  return files;
}

async function render(choices: PlanInput['choices']): Promise<string> {
  const p = choices.providers as Partial<Record<Kind, string>>;
  const text = await renderConfig({
    project: choices.project,
    database: p.database,
    storage: p.storage ? { [choices.bucket]: p.storage } : undefined,
    secrets: p.secrets,
    cache: p.cache,
    queue: p.queue,
    root: choices.root,
  });
  // The project states the variables contract its reader implements (docs/versioning.md): a future CLI
  // that no longer speaks it can say so instead of misbehaving.
  return text.replace(/^(project = .*\n)/m, `$1contract = "${CONTRACT_VERSION}"\n`);
}

/** Parse with the engine: a config it would reject is a usage error here too (bad project name, …). */
async function validConfig(text: string): Promise<string> {
  await parseConfig(text, 'fork-stack.toml');
  return text;
}

function withProject(config: string, project: string): string {
  if (!/^project = .*$/m.test(config)) return `project = "${project}"\n${config}`;
  return config.replace(/^project = .*$/m, `project = "${project}"`);
}

function renamePackage(text: string, project: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify({ ...manifest, name: project }, null, 2)}\n`;
}
