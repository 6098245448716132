#!/usr/bin/env node
/**
 * Keeps every reader in step with conformance/v1/conventions.json (docs/architecture.md, "Conventions as
 * data"):
 *
 *   - packages/fork-stack/src/runtime/conventions.generated.ts, the TypeScript runtime's constants (the
 *     provider schemas import their defaults from it);
 *   - the `BEGIN GENERATED conventions` … `END GENERATED conventions` blocks of the Python, Go and Rust
 *     readers in templates/base/ (the readers stay single-file copyable, with no JSON to load at run time);
 *   - every copy of a reader: stacks/<stack>/ (stacks/index.json says which files) and examples/<example>/.
 *
 *   node scripts/sync-readers.mjs --check   exit 1 and list the files that drifted (the test runs this)
 *   node scripts/sync-readers.mjs --write   regenerate the blocks and copy the readers again
 *   --root <dir>                            work on another checkout (the tests use a scratch copy)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = 'conformance/v1/conventions.json';
const SCHEMA = 'conformance/v1/schema/conventions.schema.json';
export const TS_MODULE = 'packages/fork-stack/src/runtime/conventions.generated.ts';
export const FIX = 'npm run sync-readers -- --write';

/** The reader file of each language that holds the generated block, and how its comments start. */
export const REGIONS = {
  python: { file: 'templates/base/python/env_utils.py', comment: '#' },
  go: { file: 'templates/base/go/envutils/conventions.go', comment: '//' },
  rust: { file: 'templates/base/rust/src/env_utils/config.rs', comment: '//' },
};

const HEADER = `from ${DATA} by \`${FIX}\`; edit that file, not this block`;

/** The conventions, validated against their schema. */
export function loadConventions(root = REPO) {
  const data = JSON.parse(readFileSync(path.join(root, DATA), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(root, SCHEMA), 'utf8')));
  if (!validate(data)) {
    const problems = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`${DATA} does not match ${SCHEMA}: ${problems}`);
  }
  for (const [name, entry] of Object.entries(data.conventions)) {
    // Every language below writes the value between double or single quotes with no escaping.
    for (const text of [entry.value].flat()) {
      if (!/^[\x20-\x7e]+$/.test(text) || /["'\\]/.test(text)) throw new Error(`${DATA}: ${name} must be printable ASCII without quotes or backslashes`);
    }
  }
  return data.conventions;
}

const upper = (name) => name.toUpperCase();
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const quoted = (text) => `"${text}"`;

/** The lines of each language's block, markers excluded. */
const RENDER = {
  python: (entries) =>
    entries.map(([name, { value }]) =>
      Array.isArray(value) ? `${upper(name)} = (${value.map(quoted).join(', ')}${value.length === 1 ? ',' : ''})` : `${upper(name)} = ${quoted(value)}`,
    ),
  go: (entries) => {
    // Aligned as gofmt aligns a const or var group.
    const group = (keyword, list, show) => {
      if (list.length === 0) return [];
      const width = Math.max(...list.map(([name]) => camel(name).length));
      return [`${keyword} (`, ...list.map(([name, { value }]) => `\t${camel(name).padEnd(width)} = ${show(value)}`), ')'];
    };
    const strings = entries.filter(([, e]) => !Array.isArray(e.value));
    const lists = entries.filter(([, e]) => Array.isArray(e.value));
    const consts = group('const', strings, quoted);
    const vars = group('var', lists, (value) => `[]string{${value.map(quoted).join(', ')}}`);
    // gofmt wants a blank line between the closing parenthesis and the end marker.
    return [...consts, ...(consts.length && vars.length ? [''] : []), ...vars, ''];
  },
  rust: (entries) =>
    entries.map(([name, { value }]) =>
      Array.isArray(value) ? `pub const ${upper(name)}: &[&str] = &[${value.map(quoted).join(', ')}];` : `pub const ${upper(name)}: &str = ${quoted(value)};`,
    ),
};

/** The whole TypeScript module: the runtime re-exports it and the provider schemas import it. */
export function renderTypeScript(conventions) {
  const lines = [`// GENERATED ${HEADER.replace('this block', 'this file')}.`, '// The shape and meaning of each value: conformance/README.md, section 4.', ''];
  for (const [name, { value, description }] of Object.entries(conventions)) {
    lines.push(`/** ${description.replace(/\*\//g, '* /')} */`);
    lines.push(
      Array.isArray(value)
        ? `export const ${upper(name)}: readonly string[] = [${value.map((v) => `'${v}'`).join(', ')}];`
        : `export const ${upper(name)} = '${value}';`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `text` with its generated block replaced; throws when the markers are missing or out of order. */
export function replaceRegion(text, language, conventions, file = REGIONS[language].file) {
  const { comment } = REGIONS[language];
  const lines = text.split('\n');
  const begin = lines.findIndex((l) => l.startsWith(`${comment} BEGIN GENERATED conventions`));
  const end = lines.findIndex((l) => l.startsWith(`${comment} END GENERATED conventions`));
  if (begin < 0 || end < begin) throw new Error(`${file}: no "${comment} BEGIN GENERATED conventions" … "${comment} END GENERATED conventions" block`);
  const block = [`${comment} BEGIN GENERATED conventions ${HEADER}.`, ...RENDER[language](Object.entries(conventions)), `${comment} END GENERATED conventions`];
  return [...lines.slice(0, begin), ...block, ...lines.slice(end + 1)].join('\n');
}

/** Each copy of a reader: { file, from } relative to the root; `from` is its original under templates/base. */
export function readerCopies(root = REPO) {
  const index = JSON.parse(readFileSync(path.join(root, 'stacks/index.json'), 'utf8'));
  const copies = [];
  const add = (dir, language, files) => {
    const reader = index.readers[language];
    for (const file of files) copies.push({ file: `${dir}/${file}`, from: `${reader.from}/${file}` });
  };
  for (const stack of index.stacks) add(`stacks/${stack.name}`, stack.language, [...index.readers[stack.language].files, ...index.base_files]);
  // Examples are whole apps: whichever reader an example carries, it carries all of it, byte for byte.
  const examples = path.join(root, 'examples');
  for (const entry of existsSync(examples) ? readdirSync(examples, { withFileTypes: true }) : []) {
    if (!entry.isDirectory()) continue;
    const dir = `examples/${entry.name}`;
    const languages = Object.entries(index.readers).filter(([, r]) => r.files.some((f) => existsSync(path.join(root, dir, f))));
    for (const [language, reader] of languages) add(dir, language, [...reader.files, ...index.base_files.filter((f) => existsSync(path.join(root, dir, f)))]);
  }
  return copies;
}

/** Every file this script owns and the content it must have, originals before copies. */
export function plan(root = REPO) {
  const conventions = loadConventions(root);
  const read = (file) => readFileSync(path.join(root, file), 'utf8');
  const expected = new Map([[TS_MODULE, renderTypeScript(conventions)]]);
  for (const [language, { file }] of Object.entries(REGIONS)) expected.set(file, replaceRegion(read(file), language, conventions));
  for (const { file, from } of readerCopies(root)) expected.set(file, expected.get(from) ?? read(from));
  return expected;
}

/** The files that differ from what they must be (missing ones included), relative to the root. */
export function drift(root = REPO) {
  const drifted = [];
  for (const [file, content] of plan(root)) {
    const full = path.join(root, file);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) drifted.push(file);
  }
  return drifted;
}

/** Writes every drifted file; returns them. */
export function write(root = REPO) {
  const expected = plan(root);
  const written = [];
  for (const file of drift(root)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), expected.get(file));
    written.push(file);
  }
  return written;
}

function main(argv) {
  const mode = argv.includes('--write') ? 'write' : argv.includes('--check') ? 'check' : undefined;
  const at = argv.indexOf('--root');
  const root = at >= 0 && argv[at + 1] ? path.resolve(argv[at + 1]) : REPO;
  if (!mode) {
    process.stderr.write('usage: node scripts/sync-readers.mjs --check | --write [--root <dir>]\n');
    return 2;
  }
  try {
    if (mode === 'write') {
      const written = write(root);
      process.stdout.write(written.length ? `regenerated:\n${written.map((f) => `  ${f}\n`).join('')}` : 'every reader is up to date\n');
      return 0;
    }
    const drifted = drift(root);
    if (drifted.length === 0) {
      process.stdout.write(`every reader matches ${DATA} and templates/base\n`);
      return 0;
    }
    process.stderr.write(`these files drifted from ${DATA} or from templates/base:\n${drifted.map((f) => `  ${f}\n`).join('')}run \`${FIX}\` to regenerate them\n`);
    return 1;
  } catch (error) {
    process.stderr.write(`sync-readers: ${error.message}\n`);
    return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
