/**
 * What the scaffolder writes from: the templates copied into the package at build time (dist/templates,
 * see scripts/build.mjs) — the language readers (base/), the stacks (stacks/ with index.json), the
 * starter apps (starter/) and the CI workflows (ci/).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from 'fork-stack';
import { LANGUAGES } from './languages.js';

export const KINDS = ['database', 'storage', 'secrets', 'cache', 'queue'] as const;
export type Kind = (typeof KINDS)[number];

export interface StackInfo {
  name: string;
  language: string;
  /** Provider per kind; a kind the stack does not configure is absent. Storage: the default bucket's. */
  providers: Partial<Record<Kind, string>>;
  buckets: number;
  summary: string;
  dir: string;
  /** The preset's project name (a placeholder: the new project's name replaces it everywhere). */
  project: string;
  /** From stacks/index.json: environment variables the CLI needs for this stack. */
  credentials: string[];
  /** From stacks/index.json: example values in the stack's files that a user replaces with theirs. */
  placeholders: Placeholder[];
  /** From stacks/index.json: the commands that run the example app and the unit tests. */
  run?: string;
  test?: string;
}

export interface Placeholder {
  /** Dotted key in the file, e.g. "project" or "database.project_id". */
  key: string;
  value: string;
  where: string;
}

export interface Catalog {
  root: string;
  languages: string[];
  stacks: StackInfo[];
}

/** dist/templates next to the built CLI (dist/cli.js). */
export function defaultTemplatesDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
}

export async function loadCatalog(root: string = defaultTemplatesDir()): Promise<Catalog> {
  if (!existsSync(path.join(root, 'base'))) {
    throw new Error(`create-fork-stack's templates are missing (${root}); rebuild the package (npm run build -w create-fork-stack)`);
  }
  // The languages with a reader and a starter app, in LANGUAGES' order (typescript first).
  const languages = Object.keys(LANGUAGES).filter((l) => existsSync(path.join(root, 'base', l)) && existsSync(path.join(root, 'starter', l)));
  return { root, languages, stacks: await loadStacks(path.join(root, 'stacks')) };
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(path.join(dir, name)).isDirectory())
    .sort();
}

interface IndexEntry {
  name?: unknown;
  language?: unknown;
  summary?: unknown;
  [kind: string]: unknown;
}

/** stacks/index.json when present (its order, its summaries); else every stack folder with a preset. */
async function loadStacks(dir: string): Promise<StackInfo[]> {
  const index = path.join(dir, 'index.json');
  let entries: IndexEntry[];
  if (existsSync(index)) {
    const parsed = JSON.parse(readFileSync(index, 'utf8')) as unknown;
    entries = (Array.isArray(parsed) ? parsed : ((parsed as { stacks?: unknown }).stacks as unknown[] | undefined) ?? []) as IndexEntry[];
  } else {
    entries = subdirectories(dir).map((name) => ({ name }));
  }
  const stacks: StackInfo[] = [];
  for (const entry of entries) {
    const name = String(entry.name);
    const stackDir = path.join(dir, name);
    const preset = path.join(stackDir, 'fork-stack.toml');
    if (!existsSync(preset)) continue;
    // The providers are the preset's own: what the project will get, whatever the index says.
    const config = await parseConfig(readFileSync(preset, 'utf8'), preset);
    const providers: Partial<Record<Kind, string>> = {};
    for (const slot of config.slots) {
      if (slot.kind === 'storage' && !slot.bucket?.isDefault) continue;
      providers[slot.kind as Kind] = slot.provider;
    }
    stacks.push({
      name,
      language: typeof entry.language === 'string' ? entry.language : (name.split('-')[0] ?? name),
      providers,
      buckets: config.slots.filter((s) => s.kind === 'storage').length,
      summary: typeof entry.summary === 'string' ? entry.summary : '',
      dir: stackDir,
      project: config.project,
      credentials: Array.isArray(entry.credentials) ? entry.credentials.map(String) : [],
      placeholders: Array.isArray(entry.placeholders) ? (entry.placeholders as Placeholder[]).filter((p) => typeof p?.key === 'string' && typeof p.value === 'string') : [],
      run: typeof entry.run === 'string' ? entry.run : undefined,
      test: typeof entry.test === 'string' ? entry.test : undefined,
    });
  }
  return stacks;
}

/** The stack whose language and providers are exactly these, if there is one. */
export function matchingStack(catalog: Catalog, language: string, providers: Partial<Record<Kind, string>>): StackInfo | undefined {
  return catalog.stacks.find((s) => s.language === language && s.buckets <= 1 && KINDS.every((k) => s.providers[k] === providers[k]));
}
