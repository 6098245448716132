/**
 * Fenced code blocks of the docs, and the ones marked to be run by test/docs/runnable.test.ts:
 *
 *   ```sh runnable            run in the page's temporary project; must exit 0
 *   ```sh runnable exit=2     must exit 2 (documents an error)
 *   ```sh runnable fresh      run in a new, empty project directory (later blocks continue in it)
 *   ```sh runnable needs=go   skip (fail when CI=true) if a tool is not installed
 *   ```json output            right after a runnable block: its stdout must be JSON of this shape
 *
 * "Shape" means the same keys (recursively) and the same JSON types; values may differ (times, paths).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Fence {
  file: string;
  line: number;
  lang: string;
  words: string[];
  body: string;
}

export interface RunnableBlock extends Fence {
  expectExit: number;
  fresh: boolean;
  /** Commands that must be installed (`needs=go,cargo`). */
  needs: string[];
  /** The `json output` block that follows, if any. */
  output?: Fence;
}

/** Every fenced block of a markdown file (``` and ~~~, any length), with its info string split into words. */
export function fences(file: string, text = readFileSync(file, 'utf8')): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const marker = open[1] as string;
    const [lang = '', ...words] = (open[2] ?? '').trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j] ?? '')) body.push(lines[j++] ?? '');
    out.push({ file, line: i + 1, lang, words, body: body.join('\n') });
    i = j;
  }
  return out;
}

export function runnableBlocks(file: string): RunnableBlock[] {
  const all = fences(file);
  const blocks: RunnableBlock[] = [];
  all.forEach((fence, i) => {
    if (!fence.words.includes('runnable')) return;
    if (!['sh', 'bash', 'shell', 'console'].includes(fence.lang)) {
      throw new Error(`${path.basename(file)}:${fence.line}: only sh blocks can be runnable (got "${fence.lang}")`);
    }
    const exit = fence.words.find((w) => w.startsWith('exit='));
    const next = all[i + 1];
    blocks.push({
      ...fence,
      expectExit: exit ? Number(exit.slice(5)) : 0,
      fresh: fence.words.includes('fresh'),
      needs: (fence.words.find((w) => w.startsWith('needs='))?.slice(6).split(',') ?? []).filter(Boolean),
      output: next && next.lang === 'json' && next.words.includes('output') ? next : undefined,
    });
  });
  return blocks;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function kind(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Differences between the shape of `expected` (from the docs) and `actual` (from the CLI), as paths. */
export function shapeDifferences(expected: Json, actual: Json, at = '$'): string[] {
  if (kind(expected) !== kind(actual)) return [`${at}: documented as ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0 || actual.length === 0) return [];
    // Order is not part of the shape (parallel work finishes in any order): each item must look like
    // one of the documented items.
    return actual.flatMap((item, i) => {
      const where = `${at}[${i}]`;
      if (expected.some((model) => shapeDifferences(model, item, where).length === 0)) return [];
      return shapeDifferences((expected[i] ?? expected[0]) as Json, item, where);
    });
  }
  if (kind(expected) === 'object') {
    const e = expected as Record<string, Json>;
    const a = actual as Record<string, Json>;
    const problems: string[] = [];
    for (const key of Object.keys(e)) if (!(key in a)) problems.push(`${at}.${key}: documented but not in the output`);
    for (const key of Object.keys(a)) if (!(key in e)) problems.push(`${at}.${key}: in the output but not documented`);
    for (const key of Object.keys(e)) if (key in a) problems.push(...shapeDifferences(e[key] as Json, a[key] as Json, `${at}.${key}`));
    return problems;
  }
  return [];
}
