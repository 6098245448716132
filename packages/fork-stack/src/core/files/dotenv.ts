/**
 * Dotenv writing and reading.
 *
 * Why this is hand-written: no npm library writes dotenv files (`dotenv` only parses), and the goal is
 * stricter than any single parser — the generated files must read back identically in `dotenv`,
 * `node --env-file`, `bash` (`set -a; . file`) and python-dotenv. Those four disagree on escapes
 * (dotenv expands only \n and \r inside double quotes, python-dotenv expands `${VAR}` and backslash
 * escapes, bash expands `$` and backticks), so each value gets the first encoding that all four read the
 * same way:
 *
 *   1. bare          `KEY=value`      only characters no parser or shell treats specially
 *   2. single-quoted `KEY='va lue'`   no `'`, no carriage return (dotenv normalises CR), no `\\` and no
 *                                     trailing `\` (python-dotenv unescapes those inside single quotes)
 *   3. double-quoted `KEY="it's"`     no `"`, `$`, backtick, `\`, carriage return
 *
 * A value that none of them can carry (it holds both `'` and one of `"$\`` or a backslash, or a CR,
 * or `${`, which python-dotenv expands inside any quotes)
 * is written double-quoted with backslash escapes for `\ " $ \``. That form is exact for bash, for the
 * fork-stack readers in every language and for `fork-stack run`; `isPortable` reports such values so the
 * CLI can warn which key (never the value) other parsers may read differently.
 *
 * The reader below is the fork-stack dialect, which the language readers implement too (see
 * conformance/): bare values end at ` #` or end of line and are trimmed; single quotes are literal;
 * double quotes understand `\\ \" \$ \` \n \r \t` and keep any other backslash; `export ` is allowed.
 */

const BARE = /^[A-Za-z0-9_\-./:@,+=%]*$/;
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type DotenvEncoding = 'bare' | 'single' | 'double' | 'escaped';

export function encodingFor(value: string): DotenvEncoding {
  if (BARE.test(value)) return 'bare';
  // python-dotenv expands ${NAME} in every quoting style, with no escape for it.
  if (value.includes('${')) return 'escaped';
  if (!/['\r]/.test(value) && !/\\\\|\\$/.test(value)) return 'single';
  if (!/["$`\\\r]/.test(value)) return 'double';
  return 'escaped';
}

export function isPortable(value: string): boolean {
  return encodingFor(value) !== 'escaped';
}

export function quoteValue(value: string): string {
  switch (encodingFor(value)) {
    case 'bare':
      return value;
    case 'single':
      return `'${value}'`;
    case 'double':
      return `"${value}"`;
    case 'escaped':
      return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  }
}

export function formatDotenv(values: Readonly<Record<string, string>>, header: readonly string[] = []): string {
  const lines = header.map((h) => (h === '' ? '#' : `# ${h}`));
  for (const [key, value] of Object.entries(values)) {
    if (!KEY_PATTERN.test(key)) throw new Error(`invalid variable name ${JSON.stringify(key)}`);
    lines.push(`${key}=${quoteValue(value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export class DotenvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'DotenvSyntaxError';
  }
}

const DOUBLE_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', $: '$', '`': '`', n: '\n', r: '\r', t: '\t' };

/** Parse the fork-stack dotenv dialect. Later assignments win, as in every common parser. */
export function parseDotenv(text: string): Record<string, string> {
  // A Map, turned into an object at the end: `out[key] = …` would drop a key named __proto__.
  const out = new Map<string, string>();
  let i = 0;
  let line = 1;
  const n = text.length;
  const skipBlanks = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const restOfLine = (startLine: number) => {
    skipBlanks();
    if (i < n && text[i] === '#') while (i < n && text[i] !== '\n') i++;
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    if (i < n && text[i] !== '\n') throw new DotenvSyntaxError(startLine, 'unexpected text after the closing quote');
    if (i < n) {
      i++;
      line++;
    }
  };
  while (i < n) {
    skipBlanks();
    const ch = text[i];
    if (ch === '\n' || ch === '\r' || ch === '#' || ch === undefined) {
      while (i < n && text[i] !== '\n') i++;
      if (i < n) {
        i++;
        line++;
      }
      continue;
    }
    const startLine = line;
    if (text.startsWith('export ', i)) {
      i += 7;
      skipBlanks();
    }
    const keyStart = i;
    while (i < n && /[A-Za-z0-9_]/.test(text[i] ?? '')) i++;
    const key = text.slice(keyStart, i);
    if (!KEY_PATTERN.test(key)) throw new DotenvSyntaxError(startLine, 'expected KEY=value');
    skipBlanks();
    if (text[i] !== '=') throw new DotenvSyntaxError(startLine, `expected "=" after ${key}`);
    i++;
    skipBlanks();
    const quote = text[i];
    if (quote === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new DotenvSyntaxError(startLine, `unterminated single quote in ${key}`);
      const value = text.slice(i + 1, end);
      line += value.split('\n').length - 1;
      out.set(key, value);
      i = end + 1;
      restOfLine(startLine);
    } else if (quote === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw new DotenvSyntaxError(startLine, `unterminated double quote in ${key}`);
        const c = text[i] as string;
        if (c === '"') break;
        if (c === '\\' && i + 1 < n) {
          const next = text[i + 1] as string;
          const mapped = DOUBLE_ESCAPES[next];
          if (mapped !== undefined) {
            value += mapped;
            i += 2;
            continue;
          }
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      i++;
      out.set(key, value);
      restOfLine(startLine);
    } else {
      let end = i;
      while (end < n && text[end] !== '\n') {
        if (text[end] === '#' && (end === i || text[end - 1] === ' ' || text[end - 1] === '\t')) break;
        end++;
      }
      out.set(key, text.slice(i, end).replace(/\r$/, '').trim());
      i = end;
      while (i < n && text[i] !== '\n') i++;
      if (i < n) {
        i++;
        line++;
      }
    }
  }
  return Object.fromEntries(out);
}

/** Comment lines at the top of a file that look like `# key: value`, used for fork-stack's own headers. */
export function parseHeader(text: string): Record<string, string> {
  const header: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('#')) break;
    const m = /^#\s*([a-z-]+):\s*(.*)$/.exec(raw);
    if (m?.[1]) header[m[1]] = (m[2] ?? '').trim();
  }
  return header;
}
