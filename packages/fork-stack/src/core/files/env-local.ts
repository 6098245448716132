/**
 * The managed block in `.env.local`. fork-stack owns the lines between its two markers and nothing
 * else: every byte outside the block (the user's own variables, comments, line endings, a missing final
 * newline) is kept exactly.
 */
import { formatDotenv, parseDotenv } from './dotenv.js';

export const BLOCK_BEGIN = '# >>> fork-stack managed block: do not edit, `fork-stack switch` rewrites it >>>';
export const BLOCK_END = '# <<< fork-stack managed block <<<';

interface Located {
  before: string;
  after: string;
  found: boolean;
}

/** Split the file around the block. The block spans from its begin line through its end line's newline. */
function locate(text: string): Located {
  const begin = findLine(text, BLOCK_BEGIN, 0);
  if (begin < 0) return { before: text, after: '', found: false };
  const endLine = findLine(text, BLOCK_END, begin);
  if (endLine < 0) {
    // A begin marker without an end (the user cut the file): treat everything after it as the block
    // rather than guessing; the user's lines before it survive.
    return { before: text.slice(0, begin), after: '', found: true };
  }
  let end = endLine + BLOCK_END.length;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text[end] === '\n') end += 1;
  return { before: text.slice(0, begin), after: text.slice(end), found: true };
}

function findLine(text: string, marker: string, from: number): number {
  let at = text.indexOf(marker, from);
  while (at >= 0) {
    const startOfLine = at === 0 || text[at - 1] === '\n';
    const next = text[at + marker.length];
    const endOfLine = next === undefined || next === '\n' || next === '\r';
    if (startOfLine && endOfLine) return at;
    at = text.indexOf(marker, at + 1);
  }
  return -1;
}

export function renderBlock(env: string, values: Readonly<Record<string, string>>): string {
  const body = formatDotenv(values, [`environment: ${env}`]);
  return `${BLOCK_BEGIN}\n${body}${BLOCK_END}\n`;
}

/**
 * The new content of `.env.local`: the block replaced in place, or appended at the end (so that its
 * values win over earlier user lines in parsers where the last assignment wins). `values` undefined
 * removes the block.
 */
export function updateEnvLocal(existing: string | undefined, env: string, values: Readonly<Record<string, string>> | undefined): string {
  const text = existing ?? '';
  const { before, after, found } = locate(text);
  const block = values ? renderBlock(env, values) : '';
  if (found) return before + block + after;
  if (!values) return text;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return text + separator + block;
}

/** Variables the user defines outside the block, so the CLI can warn when they shadow or are shadowed. */
export function userKeys(existing: string | undefined): string[] {
  if (!existing) return [];
  const { before, after } = locate(existing);
  try {
    return Object.keys(parseDotenv(`${before}\n${after}`));
  } catch {
    return [];
  }
}

/**
 * Variables the user sets *after* the block. Every loader that reads the file top to bottom takes a key's
 * last line (the `dotenv` package, python-dotenv, `node --env-file`; test/core/env-local.test.ts checks
 * them), so for these keys the user's line wins over the block's value.
 */
export function keysAfterBlock(existing: string | undefined): string[] {
  if (!existing) return [];
  const { after, found } = locate(existing);
  if (!found) return [];
  try {
    return Object.keys(parseDotenv(after));
  } catch {
    return [];
  }
}

export function blockEnv(existing: string | undefined): string | undefined {
  if (!existing) return undefined;
  const m = /# environment: ([a-z0-9-]+)/.exec(existing.slice(existing.indexOf(BLOCK_BEGIN)));
  return existing.includes(BLOCK_BEGIN) ? m?.[1] : undefined;
}
