/**
 * Find, parse and validate fork-stack.toml: schema → rules → one error listing every problem, each
 * naming the file, the key, what is wrong and an example of right.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { CONFIG_FILE, findUp, projectPaths, type ProjectPaths } from '../core/project.js';
import { lookup, providerNames } from '../providers/registry.js';
import { KINDS, type Kind, type ProviderSchemaModule } from '../providers/types.js';
import { COMMON_EXAMPLES, commonSchemas } from './common.js';
import { BUCKET_KEY_PATTERN, HOOK_NAMES, SECTION_KEYS, topLevelSchema, type HookName, type TopLevelConfig } from '../core/config-schema.js';

export interface SlotConfig {
  /** "database", "storage.uploads", "secrets", "cache", "queue" */
  id: string;
  kind: Kind;
  provider: string;
  options: unknown;
  bucket?: { name: string; isDefault: boolean };
  /** Engine-level keys of the section (see common.ts), validated. */
  common: Record<string, unknown>;
}

export interface ProjectConfig {
  file: string;
  root: string;
  paths: ProjectPaths;
  project: string;
  defaultParent: string;
  protected: string[];
  roots: string[];
  contract?: string;
  git: { mainBranches: string[]; mainEnv: string; autoCreate: boolean; parent: string; remote: string };
  lifecycle: { defaultTtl?: string; maxEnvs?: number };
  /** [hooks]: shell commands per hook, in order (empty when none). */
  hooks: Record<HookName, string[]>;
  slots: SlotConfig[];
  /** The parsed TOML, for extensions that read their own tables ([git], [lifecycle]). */
  raw: Record<string, unknown>;
}

export interface LoadOptions {
  cwd: string;
  /** --config: an explicit file, relative to cwd. */
  configPath?: string;
}

export function locateConfig(options: LoadOptions): string {
  if (options.configPath) return path.resolve(options.cwd, options.configPath);
  const root = findUp(options.cwd, [CONFIG_FILE]);
  if (!root) {
    throw new UsageError(`no ${CONFIG_FILE} found in ${options.cwd} or any parent directory`, {
      hint: 'Run "fork-stack init" in your project directory to create one, or pass --config <file>.',
    });
  }
  return path.join(root, CONFIG_FILE);
}

export async function loadConfig(options: LoadOptions): Promise<ProjectConfig> {
  const file = locateConfig(options);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `config file ${file} does not exist` : `cannot read ${file}: ${code ?? String(error)}`, {
      hint: code === 'ENOENT' ? 'Check the --config path, or run "fork-stack init".' : undefined,
    });
  }
  return parseConfig(text, file);
}

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export async function parseConfig(text: string, file: string): Promise<ProjectConfig> {
  const { parse, TomlError } = await import('smol-toml');
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const where = `${display(file)}:${error.line}:${error.column}`;
      const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
      throw new UsageError(`${where}: not valid TOML: ${reason}`, {
        details: error.codeblock ? error.codeblock.split('\n') : [],
        hint: 'Fix the syntax at that line (strings need quotes: name = "value").',
      });
    }
    throw error;
  }

  const problems: string[] = [];
  const topInput: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(SECTION_KEYS as readonly string[]).includes(key)) topInput[key] = value;
  }
  const top = topLevelSchema.safeParse(topInput);
  if (!top.success) problems.push(...formatIssues(top.error.issues, [], TOP_EXAMPLES, [...Object.keys(topLevelSchema.shape).filter((k) => k !== '$schema'), ...SECTION_KEYS], { hooks: HOOK_NAMES }));

  const slots: SlotConfig[] = [];
  for (const kind of KINDS) {
    const section = raw[kind];
    if (section === undefined) continue;
    if (kind === 'storage') {
      if (!isTable(section)) {
        problems.push(`[storage]: must be a table of buckets, e.g. [storage.uploads] with provider = "fs"`);
        continue;
      }
      if ('provider' in section) {
        problems.push(
          `[storage]: buckets are named tables: write [storage.uploads] (or another name) instead of [storage], then provider = ${JSON.stringify(section.provider)} under it`,
        );
        continue;
      }
      const names = Object.keys(section);
      const explicitDefault = names.filter((n) => isTable(section[n]) && section[n].default === true);
      if (explicitDefault.length > 1) problems.push(`[storage]: only one bucket can have default = true (found ${explicitDefault.join(', ')})`);
      const defaultName = explicitDefault[0] ?? (names.includes('default') ? 'default' : names[0]);
      for (const name of names) {
        if (!BUCKET_KEY_PATTERN.test(name)) {
          problems.push(`[storage.${name}]: bucket names in the config are lower-case letters, digits, "_" and "-" (e.g. [storage.uploads])`);
          continue;
        }
        const slot = await validateSection(kind, `storage.${name}`, section[name], problems, path.dirname(file), { name, isDefault: name === defaultName });
        if (slot) slots.push(slot);
      }
      continue;
    }
    const slot = await validateSection(kind, kind, section, problems, path.dirname(file));
    if (slot) slots.push(slot);
  }

  if (problems.length > 0 || !top.success) {
    throw new UsageError(`${display(file)} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'})`, {
      details: problems,
      hint: 'See docs/configuration.md for every key, or run "fork-stack init --force" to start from a working file.',
    });
  }
  return buildConfig(file, top.data, slots, raw);
}

function buildConfig(file: string, top: TopLevelConfig, slots: SlotConfig[], raw: Record<string, unknown>): ProjectConfig {
  const root = path.dirname(file);
  return {
    file,
    root,
    paths: projectPaths(root, file),
    project: top.project,
    defaultParent: top.default_parent,
    protected: top.protected,
    roots: top.roots ?? [top.default_parent],
    contract: top.contract,
    git: {
      mainBranches: top.git?.main_branches ?? ['main', 'master'],
      mainEnv: top.git?.main_env ?? top.default_parent,
      autoCreate: top.git?.auto_create ?? false,
      parent: top.git?.parent ?? top.default_parent,
      remote: top.git?.remote ?? 'origin',
    },
    lifecycle: { defaultTtl: top.lifecycle?.default_ttl, maxEnvs: top.lifecycle?.max_envs },
    hooks: {
      after_create: top.hooks?.after_create ?? [],
      after_reset: top.hooks?.after_reset ?? [],
      before_delete: top.hooks?.before_delete ?? [],
      after_switch: top.hooks?.after_switch ?? [],
    },
    slots,
    raw,
  };
}

const TOP_EXAMPLES: Record<string, string> = {
  project: 'project = "myapp"',
  default_parent: 'default_parent = "dev"',
  protected: 'protected = ["prod", "dev"]',
  roots: 'roots = ["dev"]',
  contract: 'contract = "1"',
  git: '[git] auto_create = true',
  lifecycle: '[lifecycle] default_ttl = "7d"',
  hooks: '[hooks] after_create = ["npm run migrate", "npm run seed"]',
};

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

async function validateSection(
  kind: Kind,
  id: string,
  section: unknown,
  problems: string[],
  root: string,
  bucket?: { name: string; isDefault: boolean },
): Promise<SlotConfig | undefined> {
  if (!isTable(section)) {
    problems.push(`[${id}]: must be a table with provider = "…", e.g.\n    [${id}]\n    provider = "${providerNames(kind)[0] ?? ''}"`);
    return undefined;
  }
  const { provider, ...rest } = section;
  const known = providerNames(kind);
  if (provider === undefined) {
    problems.push(`[${id}] provider: is required; one of ${known.map((k) => `"${k}"`).join(', ')}. Example: provider = "${known[0] ?? ''}"`);
    return undefined;
  }
  if (typeof provider !== 'string') {
    problems.push(`[${id}] provider: must be a string such as "${known[0] ?? ''}"`);
    return undefined;
  }
  const entry = lookup(kind, provider, root);
  if (!entry) {
    problems.push(`[${id}] provider: unknown ${kind} provider "${provider}"; known: ${known.map((k) => `"${k}"`).join(', ')}, or "npm:<package>" for an installed provider package`);
    return undefined;
  }
  const commonSchema = commonSchemas[kind];
  const commonKeys = Object.keys(commonSchema.shape);
  const commonInput: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) (commonKeys.includes(key) ? commonInput : options)[key] = value;
  const common = commonSchema.safeParse(commonInput);
  if (!common.success) problems.push(...formatIssues(common.error.issues, [id], COMMON_EXAMPLES));
  let mod: ProviderSchemaModule;
  try {
    mod = await entry.schema();
  } catch (error) {
    // A provider package that is missing, incomplete or built for another fork-stack (providers/packages.ts).
    if (!(error instanceof UsageError)) throw error;
    problems.push(`[${id}] provider: ${error.message}`);
    return undefined;
  }
  const parsed = mod.schema.safeParse(options);
  if (!parsed.success) {
    const examples = exampleLines(mod.example);
    for (const key of commonKeys) if (COMMON_EXAMPLES[key]) examples[key] = COMMON_EXAMPLES[key];
    const shape = (mod.schema as { shape?: Record<string, unknown> }).shape;
    const known = ['provider', ...commonKeys, ...Object.keys(shape ?? examples)];
    problems.push(...formatIssues(parsed.error.issues, [id], examples, known));
    return undefined;
  }
  if (!common.success) return undefined;
  return { id, kind, provider, options: parsed.data, bucket, common: common.data };
}

/** `key = value` lines of a provider's example snippet, by key, for "Example:" hints. */
function exampleLines(example: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of example.split('\n')) {
    const m = /^\s*#?\s*([a-z_]+)\s*=/.exec(line);
    if (m?.[1] && !(m[1] in out)) out[m[1]] = line.replace(/^\s*#\s*/, '').trim();
  }
  return out;
}

function describeInput(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const received = /received (\w+)/.exec(issue.message)?.[1];
    if (received === 'undefined') return 'is required';
    return `must be ${article(issue.expected)}${received ? `, not ${article(received)}` : ''}`;
  }
  if (issue.code === 'too_big' && issue.origin === 'string') return `is too long (at most ${String(issue.maximum)} characters)`;
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
  if (issue.code === 'too_small' && issue.origin === 'string') return `is too short (at least ${String(issue.minimum)} characters)`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_format' && issue.format === 'regex') return issue.message.startsWith('Invalid') ? 'has an invalid format' : issue.message;
  return issue.message.replace(/^Invalid input: /, '');
}

function article(type: string): string {
  const names: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a table', int: 'a whole number' };
  return names[type] ?? type;
}

/** `nestedKeys`: the keys of a sub-table (e.g. [hooks]), listed when one of its keys is unknown. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: string[], examples: Record<string, string>, knownKeys?: readonly string[], nestedKeys: Record<string, readonly string[]> = {}): string[] {
  const out: string[] = [];
  const table = prefix.length > 0 ? `[${prefix.join('.')}] ` : '';
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const where = [...issue.path.map(String), key].join('.');
        const nested = issue.path.length === 1 ? nestedKeys[String(issue.path[0])] : undefined;
        const known = nested ?? (issue.path.length === 0 && knownKeys ? knownKeys : Object.keys(examples));
        out.push(`${table}${where}: unknown key${known.length ? `; known keys: ${known.join(', ')}` : ''}`);
      }
      continue;
    }
    const where = issue.path.map(String).join('.') || '(table)';
    const firstKey = String(issue.path[0] ?? '');
    const example = examples[firstKey];
    out.push(`${table}${where}: ${describeInput(issue)}${example ? `. Example: ${example}` : ''}`);
  }
  return out;
}
