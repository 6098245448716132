#!/usr/bin/env node
// Trim the providers' published OpenAPI specs (../shared/openapi, absent on CI) into the small JSON copies
// that @fork-stack/provider-fakes validates requests against. Run it by hand when a spec is refreshed and
// commit the output: `node scripts/extract-openapi.mjs [source dir]`.
//
// What is kept: the paths fork-stack plausibly calls (the `keep` patterns below), their methods,
// parameters, security, requestBody and response schemas, and every component those reference.
// What is dropped: prose (description, summary, title, examples, externalDocs, tags, x-* fields) and all
// other paths. The dropped operations are listed by "METHOD /path" under `x-fork-stack-omitted`, so the
// fake can tell "not in the provider's API" apart from "in the API, not modelled by the fake".
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sourceDir = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'openapi'));
const outDir = path.join(root, 'packages', 'provider-fakes', 'openapi');

/** Sources, as listed in shared/openapi/README.md. `keep` matches path templates to keep. */
const SPECS = [
  {
    out: 'neon.json',
    file: 'neon.openapi.yaml',
    source: 'npm @neondatabase/api-client 2.7.3, public-v2-for-users.gen.yaml',
    keep: [
      /^\/projects$/,
      /^\/projects\/\{project_id\}$/,
      /^\/projects\/\{project_id\}\/operations(\/\{operation_id\})?$/,
      /^\/projects\/\{project_id\}\/connection_uri$/,
      /^\/projects\/\{project_id\}\/branches(\/count)?$/,
      /^\/projects\/\{project_id\}\/branches\/\{branch_id\}(\/(restore|endpoints|set_as_default))?$/,
      /^\/projects\/\{project_id\}\/branches\/\{branch_id\}\/(databases|roles)(\/\{(database|role)_name\})?$/,
      /^\/projects\/\{project_id\}\/branches\/\{branch_id\}\/roles\/\{role_name\}\/(reveal_password|reset_password)$/,
      /^\/projects\/\{project_id\}\/endpoints(\/\{endpoint_id\})?$/,
      /^\/users\/me$/,
    ],
  },
  {
    out: 'turso.json',
    file: 'turso.openapi.json',
    source: 'tursodatabase/turso-docs, api-reference/openapi.json @ 2558aded (2026-06-25)',
    keep: [
      /^\/v1\/organizations\/\{organizationSlug\}\/databases(\/\{databaseName\}(\/(auth\/tokens|auth\/rotate|configuration|instances))?)?$/,
      /^\/v1\/organizations\/\{organizationSlug\}\/groups(\/\{groupName\}(\/(auth\/tokens|auth\/rotate))?)?$/,
      /^\/v1\/organizations(\/\{organizationSlug\})?$/,
      /^\/v1\/auth\/validate$/,
      /^\/v1\/locations$/,
    ],
  },
  {
    out: 'planetscale.json',
    file: 'planetscale.openapi.yaml',
    source: 'planetscale/terraform-provider-planetscale, schemas/openapi.yaml @ fed5e89f (2026-08-18)',
    keep: [
      /^\/organizations\/\{organization\}$/,
      /^\/organizations\/\{organization\}\/databases(\/\{database\})?$/,
      /^\/organizations\/\{organization\}\/databases\/\{database\}\/branches(\/\{branch\})?$/,
      /^\/organizations\/\{organization\}\/databases\/\{database\}\/branches\/\{branch\}\/(passwords|roles)(\/\{id\})?$/,
    ],
  },
  {
    out: 'supabase.json',
    file: 'supabase-management.openapi.json',
    source: 'supabase/cli, packages/api/src/generated/openapi.json @ 1d1e7191 (2026-06-01)',
    keep: [
      /^\/v1\/projects$/,
      /^\/v1\/projects\/\{ref\}$/,
      /^\/v1\/projects\/\{ref\}\/branches(\/\{name\})?$/,
      /^\/v1\/branches\/\{branch_id_or_ref\}(\/(reset|restore))?$/,
    ],
  },
  {
    out: 'upstash-developer.json',
    file: 'upstash-developer.openapi.yml',
    source: 'upstash/docs, devops/developer-api/openapi.yml @ ef0ce438 (2026-08-21)',
    keep: [/^\/redis\/(database|databases)(\/\{id\})?$/],
  },
  {
    out: 'qstash.json',
    file: 'qstash.openapi.yaml',
    source: 'upstash/docs, qstash/openapi.yaml @ ef0ce438',
    keep: [/^\/v2\/queues(\/\{queueName\})?$/],
  },
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const PROSE = new Set(['description', 'summary', 'title', 'example', 'examples', 'externalDocs', 'tags', 'xml']);
// Objects whose keys are names chosen by the spec's author (a property called "description", a header
// called "x-api-key"), not OpenAPI keywords: their keys are never stripped.
const NAME_MAPS = new Set(['properties', 'patternProperties', 'paths', 'schemas', 'responses', 'parameters',
  'requestBodies', 'securitySchemes', 'headers', 'content', 'variables', 'encoding', 'mapping', 'scopes', 'flows']);

function stripProse(value, parentKey) {
  if (Array.isArray(value)) return value.map((item) => stripProse(item, undefined));
  if (value === null || typeof value !== 'object') return value;
  const isNameMap = NAME_MAPS.has(parentKey);
  const out = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isNameMap && (PROSE.has(key) || key.startsWith('x-'))) continue;
    // `enum` and `required` hold data, not schemas; `default` may too.
    // OAuth scope names stay, their descriptions go.
    if (parentKey === 'scopes') {
      out[key] = '';
      continue;
    }
    const isData = !isNameMap && (key === 'enum' || key === 'required' || key === 'default');
    out[key] = isData ? child : stripProse(child, isNameMap ? undefined : key);
  }
  return out;
}

function collectRefs(value, refs) {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, refs);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') refs.add(child);
      else if (key === 'mapping' && child && typeof child === 'object') for (const ref of Object.values(child)) refs.add(ref);
      else collectRefs(child, refs);
    }
  }
}

function resolvePointer(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  return ref.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, part) => node?.[part], doc);
}

function trim(doc, keep) {
  const paths = {};
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    if (keep.some((pattern) => pattern.test(template))) paths[template] = item;
  }
  // Pull in components transitively, starting from the kept paths and the global security schemes.
  const components = {};
  const seen = new Set();
  const queue = new Set();
  collectRefs(paths, queue);
  for (const name of Object.keys(doc.components?.securitySchemes ?? {})) queue.add(`#/components/securitySchemes/${name}`);
  while (queue.size > 0) {
    const [ref] = queue;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    if (resolvePointer(doc, ref) === undefined) throw new Error(`dangling $ref: ${ref}`);
    // A deep pointer (#/components/schemas/Database/properties/DbId) keeps its whole component.
    const [, , section, name] = ref.split('/');
    if (!section || !name) throw new Error(`unsupported $ref shape: ${ref}`);
    const target = doc.components[section][name.replace(/~1/g, '/').replace(/~0/g, '~')];
    (components[section] ??= {})[name.replace(/~1/g, '/').replace(/~0/g, '~')] = target;
    const nested = new Set();
    collectRefs(target, nested);
    for (const next of nested) if (!seen.has(next)) queue.add(next);
  }
  const trimmed = {
    openapi: doc.openapi,
    servers: doc.servers,
    security: doc.security,
    paths,
    components,
  };
  return stripProse(trimmed, undefined);
}

mkdirSync(outDir, { recursive: true });
for (const spec of SPECS) {
  const text = readFileSync(path.join(sourceDir, spec.file), 'utf8');
  const doc = spec.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 });
  const trimmed = trim(doc, spec.keep);
  // Added after stripProse, which drops x-* keys: these are ours, not documentation.
  trimmed['x-fork-stack-source'] = spec.source;
  const omittedList = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    if (spec.keep.some((pattern) => pattern.test(template))) continue;
    for (const method of METHODS) if (item[method]) omittedList.push(`${method.toUpperCase()} ${template}`);
  }
  trimmed['x-fork-stack-omitted'] = omittedList.sort();
  const out = path.join(outDir, spec.out);
  writeFileSync(out, `${JSON.stringify(trimmed, null, 1)}\n`);
  const kept = Object.values(trimmed.paths).reduce((n, item) => n + METHODS.filter((m) => item[m]).length, 0);
  console.log(`${spec.out}: ${kept} operations kept, ${omittedList.length} omitted, ${Math.round(Buffer.byteLength(JSON.stringify(trimmed)) / 1024)} KiB`);
}
