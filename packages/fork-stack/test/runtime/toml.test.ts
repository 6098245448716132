/**
 * The runtime's minimal TOML reader against smol-toml (the parser the engine uses): for every document
 * the reader accepts, the strings, booleans and tables it returns are what smol-toml returns.
 */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { isTable, parseToml, TomlOther, TomlSyntaxError, type TomlValue } from '../../src/runtime/toml.js';
import { loadVectors } from './vectors.js';

/** The reader's view in plain data; numbers and dates become a marker compared loosely. */
function plain(value: TomlValue): unknown {
  if (isTable(value)) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof TomlOther) return OTHER;
  return value;
}

const OTHER = Symbol('number or date');

function comparable(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Date) return OTHER;
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

/** smol-toml's result without the [[array-of-tables]] the minimal reader drops. */
function withoutArraysOfTables(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutArraysOfTables);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value).filter(([, v]) => !(Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date))));
    return Object.fromEntries(entries.map(([k, v]) => [k, withoutArraysOfTables(v)]));
  }
  return value;
}

const documents: Record<string, string> = {
  'every string form': [
    'a = "basic \\"quoted\\" \\\\ \\t \\u00e9 \\U0001F600"',
    "b = 'literal \\n stays'",
    'c = """',
    'first newline dropped',
    'second "" line\\',
    '    joined"""',
    "d = '''",
    "multi 'literal' line",
    "ends with two quotes''''' ",
    'e = """four""""',
    'f = "\\e\\x41"',
  ].join('\n'),
  'tables and dotted keys': '[a]\nb.c = "x"\n"quoted key" = true\n[a.d]\ne = false\n[ "f" . g ]\nh = \'i\'\nj.k.l = "m"\n',
  'inline tables and arrays': 'names = { prod = "p", "dev" = \'d\', nested = { x = "y" } }\ntrailing = { a = "b", }\nlines = {\n  a = "b", # c\n  c = true\n}\nlist = [ "a", [1, 2], { k = "v" }, ]\nmulti = [\n  "x", # comment\n  "y"\n]\n',
  'numbers and dates': 'int = 10_000\nneg = -3\nfloat = 6.02e23\ninf = inf\nnan = -nan\nhex = 0xFF\ndate = 1979-05-27\ndt = 1979-05-27T07:32:00Z\ndt2 = 1979-05-27 07:32:00-08:00\ntime = 07:32:00\n',
  'comments and CRLF': '# top\r\nproject = "x" # trailing\r\n\r\n[database] # header comment\r\nprovider = "turso"\r\n',
  'arrays of tables are skipped': 'project = "p"\n[[hooks]]\nrun = "a"\n[[hooks]]\nrun = "b"\n[cache]\nprovider = "redis"\n',
};

describe('minimal TOML reader agrees with smol-toml', () => {
  for (const [name, text] of Object.entries(documents)) {
    it(name, () => {
      expect(plain(parseToml(text))).toEqual(comparable(withoutArraysOfTables(parse(text))));
    });
  }

  it('on every fork-stack.toml in the conformance vectors that smol-toml accepts', () => {
    let compared = 0;
    for (const file of loadVectors()) {
      for (const vector of file.cases) {
        const text = vector.files['fork-stack.toml'];
        if (typeof text !== 'string') continue;
        let expected: unknown;
        try {
          expected = comparable(withoutArraysOfTables(parse(text)));
        } catch {
          // Invalid TOML: the reader must reject it too, unless it is a kind of mistake the engine
          // catches and the reader tolerates (none today).
          expect(() => parseToml(text), vector.name).toThrow(TomlSyntaxError);
          continue;
        }
        expect(plain(parseToml(text)), vector.name).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it.each([
    ['unquoted string', 'a = b', 1],
    ['unclosed header', 'x = 1\n[a\n', 2],
    ['invalid escape', 'a = "\\q"', 1],
    ['short hex escape', 'x = 1\na = "\\x4"', 2],
    ['surrogate escape', 'a = "\\uD800"', 1],
    ['text after a value', 'a = "x" y', 1],
    ['newline in a basic string', 'a = "x\ny"', 1],
    ['missing equals', '\n\nkey "v"', 3],
    ['unterminated multi-line', 'a = """x\n\n', 1],
    ['unclosed inline table', 'a = { b = "c"', 1],
    ['value then table redefinition', 'a = "x"\n[a]\n', 2],
  ])('rejects %s, as smol-toml does', (_name, text, line) => {
    expect(() => parse(text)).toThrow();
    expect(() => parseToml(text)).toThrow(new TomlSyntaxError(line, '').constructor as typeof TomlSyntaxError);
    try {
      parseToml(text);
    } catch (error) {
      expect((error as TomlSyntaxError).line).toBe(line);
    }
  });
});
