/**
 * The parts of fork-stack.toml the readers use for naming conventions: `project`, `[database]`,
 * `[storage.<bucket>]`, `[cache]` and `[queue]`. Read only when a value is not in the process
 * environment or the env file, so an app whose platform injects every variable never needs the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ForkStackRuntimeError } from './resolve.js';
import { isTable, parseToml, TomlSyntaxError, type TomlTable, type TomlValue } from './toml.js';

export const CONFIG_FILE = 'fork-stack.toml';

export interface Section {
  /** "[database]", "[storage.uploads]": how messages name it. */
  label: string;
  provider?: string;
  table: TomlTable;
}

export interface Bucket extends Section {
  name: string;
  isDefault: boolean;
}

export interface ReaderConfig {
  file: string;
  project?: string;
  /** Environments with no parent: `roots`, else [default_parent], else ["dev"] (as the engine reads them). */
  roots: string[];
  database?: Section;
  /** In file order; exactly one is the default when there are any. */
  buckets: Bucket[];
  cache?: Section;
  queue?: Section;
}

function invalid(file: string, reason: string): ForkStackRuntimeError {
  return new ForkStackRuntimeError('invalid-config', `${file}: ${reason}; fix the file (run "fork-stack doctor" to check it)`);
}

/** The project's config, or undefined when the project root has no fork-stack.toml. */
export function readConfig(root: string | undefined): ReaderConfig | undefined {
  if (root === undefined) return undefined;
  const file = path.join(root, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw invalid(file, `cannot be read (${code ?? 'error'})`);
  }
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (error instanceof TomlSyntaxError) throw invalid(file, error.message);
    throw error;
  }
  return interpret(file, doc);
}

function interpret(file: string, doc: TomlTable): ReaderConfig {
  const project = doc.get('project');
  if (project !== undefined && typeof project !== 'string') throw invalid(file, 'project must be a string, e.g. project = "myapp"');
  const defaultParent = doc.get('default_parent') ?? 'dev';
  if (typeof defaultParent !== 'string') throw invalid(file, 'default_parent must be a string, e.g. default_parent = "dev"');
  const roots = doc.get('roots') ?? [defaultParent];
  if (!Array.isArray(roots) || !roots.every((r): r is string => typeof r === 'string')) {
    throw invalid(file, 'roots must be a list of environment names, e.g. roots = ["dev"]');
  }
  const section = (value: TomlValue | undefined, label: string): Section | undefined => {
    if (value === undefined) return undefined;
    if (!isTable(value)) throw invalid(file, `${label} must be a table, e.g. ${label} with provider = "…" under it`);
    const provider = value.get('provider');
    if (provider !== undefined && typeof provider !== 'string') throw invalid(file, `${label} provider must be a string`);
    return { label, provider, table: value };
  };
  const buckets: Bucket[] = [];
  const storage = doc.get('storage');
  if (storage !== undefined) {
    if (!isTable(storage)) throw invalid(file, 'storage must hold named buckets such as [storage.uploads]');
    for (const [name, value] of storage) {
      if (!isTable(value)) throw invalid(file, `[storage] holds named buckets: write [storage.${name === 'provider' ? 'uploads' : name}] with provider = "…" under it`);
      const bucket = section(value, `[storage.${name}]`) as Section;
      buckets.push({ ...bucket, name, isDefault: false });
    }
    const chosen = buckets.find((b) => b.table.get('default') === true) ?? buckets.find((b) => b.name === 'default') ?? buckets[0];
    if (chosen) chosen.isDefault = true;
  }
  return {
    file,
    project,
    roots,
    database: section(doc.get('database'), '[database]'),
    buckets,
    cache: section(doc.get('cache'), '[cache]'),
    queue: section(doc.get('queue'), '[queue]'),
  };
}

/** A string option of a section, or undefined when absent. */
export function stringOption(config: ReaderConfig, section: Section, key: string): string | undefined {
  const value = section.table.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(config.file, `${section.label} ${key} must be a string`);
  return value;
}

/** `names = { prod = "myapp" }`: per-environment explicit names. */
export function nameOverrides(config: ReaderConfig, section: Section): Map<string, string> {
  const value = section.table.get('names');
  const out = new Map<string, string>();
  if (value === undefined) return out;
  if (!isTable(value)) throw invalid(config.file, `${section.label} names must be a table such as names = { prod = "myapp" }`);
  for (const [env, name] of value) {
    if (typeof name !== 'string') throw invalid(config.file, `${section.label} names.${env} must be a string`);
    out.set(env, name);
  }
  return out;
}

export { invalid as invalidConfig };
