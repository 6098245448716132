/**
 * A minimal TOML reader for the runtime: just enough of fork-stack.toml for the naming conventions.
 *
 * Why not smol-toml (which the engine uses): `fork-stack/runtime` has no dependencies, and the Python,
 * Go and Rust readers must read the file the same way with their standard libraries only, so all four
 * carry this same small algorithm (conformance/README.md, "fork-stack.toml"). It reads tables,
 * dotted keys, strings in all four quotings, booleans and inline tables; arrays, numbers and dates are
 * kept as opaque values it never interprets. test/runtime/toml.test.ts checks it against smol-toml.
 */

export type TomlValue = string | boolean | TomlTable | TomlValue[] | TomlOther;
/** A table, keys in file order. */
export type TomlTable = Map<string, TomlValue>;

/** A number, date or other scalar the reader keeps as written. */
export class TomlOther {
  constructor(readonly raw: string) {}
}

export class TomlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'TomlSyntaxError';
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
// TOML 1.1 escapes (as smol-toml reads them): \e and \xHH besides the 1.0 set.
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };
const SCALAR = /^[+-]?(?:[0-9]|inf$|nan$)/;

export function isTable(value: TomlValue | undefined): value is TomlTable {
  return value instanceof Map;
}

export function parseToml(text: string): TomlTable {
  return new Reader(text).document();
}

class Reader {
  private i = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  document(): TomlTable {
    const root: TomlTable = new Map();
    let current = root;
    for (;;) {
      this.skipSpaces();
      if (this.i >= this.text.length) return root;
      const c = this.text[this.i];
      if (c === '\n' || c === '\r' || c === '#') {
        this.endOfLine();
      } else if (c === '[') {
        const arrayOfTables = this.text[this.i + 1] === '[';
        this.i += arrayOfTables ? 2 : 1;
        const path = this.key(']');
        if (this.text[this.i] !== ']' || (arrayOfTables && this.text[this.i + 1] !== ']')) this.fail(`expected "${arrayOfTables ? ']]' : ']'}" after the table name`);
        this.i += arrayOfTables ? 2 : 1;
        // Arrays of tables hold nothing the readers use: their keys go to a table that is dropped.
        if (arrayOfTables) this.tableAt(root, path.slice(0, -1));
        current = arrayOfTables ? new Map() : this.tableAt(root, path);
        this.endOfLine();
      } else {
        this.keyValue(current);
        this.endOfLine();
      }
    }
  }

  private fail(reason: string): never {
    throw new TomlSyntaxError(this.line, reason);
  }

  private skipSpaces(): void {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.i++;
  }

  /** Spaces, newlines and comments, as allowed between the elements of an array or inline table. */
  private skipSpacesAndLines(): void {
    for (;;) {
      this.skipSpaces();
      const c = this.text[this.i];
      if (c === '#') while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
      else if (c === '\r' && this.text[this.i + 1] === '\n') this.i++;
      else if (c === '\n') {
        this.i++;
        this.line++;
      } else return;
    }
  }

  /** After a value or table header: spaces, an optional comment, then the end of the line. */
  private endOfLine(): void {
    this.skipSpaces();
    if (this.text[this.i] === '#') while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
    if (this.text[this.i] === '\r' && this.text[this.i + 1] === '\n') this.i++;
    if (this.i >= this.text.length) return;
    if (this.text[this.i] !== '\n') this.fail('unexpected text after the value (a value needs quotes: key = "value")');
    this.i++;
    this.line++;
  }

  /** A dotted key, up to `=` (or `]` in a table header). */
  private key(terminator: string): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.text[this.i];
      if (c === '"') parts.push(this.basicString());
      else if (c === "'") parts.push(this.literalString());
      else {
        const start = this.i;
        while (this.i < this.text.length && BARE_KEY.test(this.text[this.i] as string)) this.i++;
        if (this.i === start) this.fail(terminator === '=' ? 'expected a key (key = "value")' : 'expected a table name');
        parts.push(this.text.slice(start, this.i));
      }
      this.skipSpaces();
      if (this.text[this.i] !== '.') return parts;
      this.i++;
    }
  }

  private keyValue(table: TomlTable): void {
    const path = this.key('=');
    if (this.text[this.i] !== '=') this.fail(`expected "=" after ${path.join('.')}`);
    this.i++;
    this.skipSpaces();
    const value = this.value();
    const last = path.pop() as string;
    this.tableAt(table, path).set(last, value);
  }

  private tableAt(root: TomlTable, path: readonly string[]): TomlTable {
    let table = root;
    for (const part of path) {
      const next = table.get(part);
      if (next === undefined) {
        const created: TomlTable = new Map();
        table.set(part, created);
        table = created;
      } else if (isTable(next)) table = next;
      else this.fail(`${path.join('.')} is already a value, not a table`);
    }
    return table;
  }

  private value(): TomlValue {
    const t = this.text;
    const c = t[this.i];
    if (c === '"') return t.startsWith('"""', this.i) ? this.multilineString('"') : this.basicString();
    if (c === "'") return t.startsWith("'''", this.i) ? this.multilineString("'") : this.literalString();
    if (c === '{') return this.inlineTable();
    if (c === '[') return this.array();
    const start = this.i;
    while (this.i < t.length && !',]}#\n\r'.includes(t[this.i] as string)) this.i++;
    const raw = t.slice(start, this.i).replace(/[ \t]+$/, '');
    this.i = start + raw.length;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (raw === '') this.fail('expected a value');
    if (!SCALAR.test(raw)) this.fail(`${raw} is not a TOML value (strings need quotes: "${raw}")`);
    return new TomlOther(raw);
  }

  private inlineTable(): TomlTable {
    this.i++;
    const table: TomlTable = new Map();
    this.skipSpacesAndLines();
    if (this.text[this.i] === '}') {
      this.i++;
      return table;
    }
    for (;;) {
      this.keyValue(table);
      this.skipSpacesAndLines();
      const c = this.text[this.i];
      this.i++;
      if (c === '}') return table;
      if (c !== ',') this.fail('expected "," or "}" in the inline table');
      this.skipSpacesAndLines();
      // TOML 1.1 (and smol-toml) allow a trailing comma.
      if (this.text[this.i] === '}') {
        this.i++;
        return table;
      }
    }
  }

  private array(): TomlValue[] {
    this.i++;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipSpacesAndLines();
      if (this.text[this.i] === ']') {
        this.i++;
        return items;
      }
      items.push(this.value());
      this.skipSpacesAndLines();
      const c = this.text[this.i];
      this.i++;
      if (c === ']') return items;
      if (c !== ',') this.fail('expected "," or "]" in the array');
    }
  }

  private literalString(): string {
    const end = this.text.indexOf("'", this.i + 1);
    const newline = this.text.indexOf('\n', this.i + 1);
    if (end < 0 || (newline >= 0 && newline < end)) this.fail('unterminated string');
    const value = this.text.slice(this.i + 1, end);
    this.i = end + 1;
    return value;
  }

  private basicString(): string {
    this.i++;
    let value = '';
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '"') {
        this.i++;
        return value;
      }
      if (c === '\\') value += this.escape();
      else {
        value += c;
        this.i++;
      }
    }
  }

  /** `"""…"""` or `'''…'''`: a newline right after the opening is dropped; basic ones take escapes. */
  private multilineString(quote: '"' | "'"): string {
    const t = this.text;
    const startLine = this.line;
    this.i += 3;
    if (t[this.i] === '\n') {
      this.i++;
      this.line++;
    } else if (t[this.i] === '\r' && t[this.i + 1] === '\n') {
      this.i += 2;
      this.line++;
    }
    let value = '';
    for (;;) {
      const c = t[this.i];
      if (c === undefined) throw new TomlSyntaxError(startLine, 'unterminated multi-line string');
      if (c === quote && t.startsWith(quote.repeat(3), this.i)) {
        // Up to two quotes right before the closing three belong to the value.
        let run = 3;
        while (run < 5 && t[this.i + run] === quote) run++;
        value += quote.repeat(run - 3);
        this.i += run;
        return value;
      }
      if (quote === '"' && c === '\\') {
        // A backslash at the end of a line joins it with the next non-blank text.
        let j = this.i + 1;
        while (t[j] === ' ' || t[j] === '\t') j++;
        if (t[j] === '\n' || (t[j] === '\r' && t[j + 1] === '\n')) {
          this.i = j;
          while (t[this.i] === ' ' || t[this.i] === '\t' || t[this.i] === '\n' || t[this.i] === '\r') {
            if (t[this.i] === '\n') this.line++;
            this.i++;
          }
          continue;
        }
        value += this.escape();
        continue;
      }
      if (c === '\n') this.line++;
      value += c;
      this.i++;
    }
  }

  private escape(): string {
    const next = this.text[this.i + 1] ?? '';
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      this.i += 2;
      return simple;
    }
    const digits = HEX_DIGITS[next];
    if (digits !== undefined) {
      const hex = this.text.slice(this.i + 2, this.i + 2 + digits);
      const code = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === digits ? Number.parseInt(hex, 16) : -1;
      if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail(`invalid escape \\${next}${hex}`);
      this.i += 2 + digits;
      return String.fromCodePoint(code);
    }
    return this.fail(`invalid escape \\${next} in a string (write \\\\ for a backslash)`);
  }
}
