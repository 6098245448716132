/**
 * The key tables of docs/configuration.md, generated from the zod schemas the CLI validates with
 * (top level, [git], [lifecycle], the engine keys of each section, and every registered provider's
 * options), so the page cannot drift from the code. The page keeps its prose; each table sits between
 * `<!-- generated:<id> -->` and `<!-- /generated -->` markers. test/docs/config-reference.test.ts fails
 * when a table is stale.
 *
 *   npm run docs:gen            rewrite the tables in docs/configuration.md
 *   npm run docs:gen -- --check exit 1 if they are stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commonSchemas } from '../../packages/fork-stack/src/config/common.js';
import { topLevelSchema } from '../../packages/fork-stack/src/core/config-schema.js';
import { registry } from '../../packages/fork-stack/src/providers/registry.js';
import { KINDS, type Kind } from '../../packages/fork-stack/src/providers/types.js';

export const CONFIG_PAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'configuration.md');

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
};

const SECTION_HEADERS: Record<Kind, string> = {
  database: '[database]',
  storage: '[storage.<name>]',
  secrets: '[secrets]',
  cache: '[cache]',
  queue: '[queue]',
};

/** Keys whose schema carries no description of its own. */
const FALLBACK_DESCRIPTIONS: Record<string, string> = {
  $schema: 'URL or path of the JSON Schema, for editors (the CLI ignores it).',
};

function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k} = ${tomlValue(v)}`).join(', ')} }`;
  }
  return String(value);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function range(s: JsonSchema): string {
  const min = s.minimum;
  const max = s.maximum !== undefined && s.maximum < MAX_SAFE ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** A short, human type: `string`, `integer ≥ 1`, `"all" or "none" or [string]`, `{ <env> = string }`. */
export function describeType(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(describeType).join(' | ');
  const type = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
  if (type === 'integer' || type === 'number') return `${type}${range(s)}`;
  if (type === 'array') return `[${s.items ? describeType(s.items) : 'any'}]`;
  if (type === 'object') {
    if (s.properties && Object.keys(s.properties).length > 0) return `{ ${Object.keys(s.properties).join(', ')} }`;
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const key = s.propertyNames?.maxLength === 48 ? '<env>' : '<key>';
      return `{ ${key} = ${describeType(s.additionalProperties)} }`;
    }
    return 'table';
  }
  return type ?? 'any';
}

/** A code span inside a table cell: GFM needs its pipes escaped even there. */
function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

/** Prose from a schema, safe in markdown and on the site (whose pages are Vue templates: no raw <…>). */
function prose(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cell(text: string): string {
  return prose(text).replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

function keyTable(properties: Record<string, JsonSchema>, required: readonly string[], skip: readonly string[] = []): string {
  const rows = Object.entries(properties)
    .filter(([key]) => !skip.includes(key))
    .map(([key, s]) => {
      const fallback = required.includes(key) ? '**required**' : '—';
      const def = s.default !== undefined ? code(tomlValue(s.default)) : fallback;
      const description = s.description ?? FALLBACK_DESCRIPTIONS[key] ?? '';
      return `| \`${key}\` | ${code(describeType(s))} | ${def} | ${cell(description)} |`;
    });
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

function topLevel(): JsonSchema {
  return toJson(topLevelSchema);
}

function nested(key: 'git' | 'lifecycle'): string {
  const s = topLevel().properties?.[key];
  if (!s?.properties) throw new Error(`top-level schema has no [${key}] table`);
  return keyTable(s.properties, s.required ?? []);
}

function engineKeys(kind: Kind): string {
  const names = Object.keys(registry[kind]);
  const provider: JsonSchema = {
    enum: names,
    description: names.length
      ? 'Which provider serves this section; its own keys are listed under it below.'
      : 'No provider of this kind is registered yet.',
  };
  const common = toJson(commonSchemas[kind]);
  return keyTable({ provider, ...(common.properties ?? {}) }, ['provider']);
}

async function providers(kind: Kind): Promise<string> {
  const entries = Object.entries(registry[kind]);
  if (entries.length === 0) return `_No ${kind} provider is registered yet._`;
  const parts: string[] = [];
  for (const [name, entry] of entries) {
    const mod = await entry.schema();
    const s = toJson(mod.schema);
    const lines = [`#### \`${name}\``, '', `${prose(entry.summary)}${entry.local ? ' — part of the embedded local stack.' : ''}`, ''];
    const credentials = mod.credentials ?? [];
    lines.push(credentials.length ? `Credentials (environment variables): ${credentials.map((c) => `\`${c}\``).join(', ')}.` : 'Credentials: none.', '');
    const props = s.properties ?? {};
    lines.push(Object.keys(props).length ? keyTable(props, s.required ?? []) : '_No options of its own._', '');
    lines.push('```toml', `${SECTION_HEADERS[kind].replace('<name>', 'uploads')}`, `provider = "${name}"`, mod.example.trim(), '```');
    parts.push(lines.join('\n').trimEnd());
  }
  return parts.join('\n\n');
}

/** One row per registered provider: which environment variables hold its credentials. */
async function credentials(): Promise<string> {
  const rows: string[] = [];
  for (const kind of KINDS) {
    for (const [name, entry] of Object.entries(registry[kind])) {
      const vars = (await entry.schema()).credentials ?? [];
      rows.push(`| ${kind} | \`${name}\` | ${vars.length ? vars.map((v) => `\`${v}\``).join(', ') : 'none'} |`);
    }
  }
  return ['| kind | provider | credentials (environment variables) |', '|---|---|---|', ...rows].join('\n');
}

/** Every generated region, by marker id. */
export async function renderRegions(): Promise<Record<string, string>> {
  const regions: Record<string, string> = {
    'top-level': keyTable(topLevel().properties ?? {}, topLevel().required ?? [], ['git', 'lifecycle']),
    git: nested('git'),
    lifecycle: nested('lifecycle'),
    credentials: await credentials(),
  };
  for (const kind of KINDS) {
    regions[`engine-${kind}`] = engineKeys(kind);
    regions[`providers-${kind}`] = await providers(kind);
  }
  return regions;
}

const REGION = /(<!-- generated:([a-z-]+) -->\n)([\s\S]*?)(<!-- \/generated -->)/g;

/** The page with every region replaced by its current rendering; throws on unknown or missing ids. */
export async function renderPage(page: string): Promise<string> {
  const regions = await renderRegions();
  const seen = new Set<string>();
  const next = page.replace(REGION, (_, open: string, id: string, _old: string, close: string) => {
    const body = regions[id];
    if (body === undefined) throw new Error(`docs/configuration.md: unknown generated region "${id}"`);
    seen.add(id);
    return `${open}${body}\n${close}`;
  });
  const missing = Object.keys(regions).filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`docs/configuration.md lacks the generated regions ${missing.join(', ')}`);
  return next;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(CONFIG_PAGE, 'utf8');
  const next = await renderPage(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('docs/configuration.md is stale: run "npm run docs:gen"');
      process.exit(1);
    }
    console.log('docs/configuration.md is up to date');
  } else if (next !== current) {
    writeFileSync(CONFIG_PAGE, next);
    console.log('rewrote the generated tables of docs/configuration.md');
  } else console.log('docs/configuration.md is up to date');
}
