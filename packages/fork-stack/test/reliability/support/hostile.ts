/**
 * Inputs for the hostile-input suite: strings built to escape a path, run a shell command or end an SQL
 * identifier, mixed with random text, and a check that a CLI run handled them like a grown-up (an exit
 * code it documents, one clear message, never a stack trace or a "this is a bug" crash report).
 */
import { readdirSync, lstatSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { hasStackTrace, type RunResult } from '../../helpers/cli.js';

/** Fragments that mean something to a path resolver, a shell or an SQL parser. */
export const NASTY = [
  '../',
  '..',
  '/',
  '\\',
  '~',
  '/etc/passwd',
  '$(touch pwned)',
  '`touch pwned`',
  '; touch pwned;',
  '| touch pwned',
  '&& touch pwned',
  '$HOME',
  '${IFS}',
  '"',
  "'",
  '";',
  "';",
  ' DROP DATABASE app_dev; --',
  '/*',
  '*/',
  '%00',
  '\u0000',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '-',
  '--',
  '--yes',
  '*',
  '?',
  '[a-z]',
  '#',
  '=',
  '{env}',
  '{project}',
  'é',
  'İ',
  '\u202e',
  '\ufeff',
  '😀',
  'CON',
  'a'.repeat(70),
];

/** Random text with nasty fragments spliced in (and, often, a valid-looking environment name around them). */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.stringMatching(/^[a-z0-9-]{0,8}$/)), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('')),
  fc.stringMatching(/^[a-z](?:-?[a-z0-9]){0,12}$/)
);

/** What a CLI run printed is acceptable for hostile input: exit 0 or `usage` (2), no crash report. */
export function sane(result: RunResult, allowed: number[] = [0, 2], input = ''): string | undefined {
  const out = `${result.stdout}\n${result.stderr}`;
  if (result.signal) return `killed by ${result.signal}`;
  if (!allowed.includes(result.code ?? -1)) return `exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`;
  if (hasStackTrace(out)) return 'printed a stack trace';
  if (/This is a bug in fork-stack/.test(out)) return `crashed: ${result.stderr.trim().slice(0, 300)}`;
  if (result.code !== 0 && !/^error: \S/m.test(result.stderr)) return `failed without an "error:" message: ${JSON.stringify(result.stderr.slice(0, 200))}`;
  // A message built from a missing value; the word may legitimately come from the input itself.
  const broken = input.includes('undefined') ? /\[object Object\]/ : /\[object Object\]|\bundefined\b/;
  if (broken.test(result.stderr)) return `message shows a missing value: ${result.stderr.trim().slice(0, 200)}`;
  return undefined;
}

/** Every path under `dir` (with sizes), to prove a rejected command changed nothing. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = lstatSync(full);
      out.push(`${path.relative(dir, full)}${st.isDirectory() ? '/' : `:${st.size}`}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** Files named like the shell payloads above, anywhere under `dir`. */
export function pwned(dir: string): string[] {
  return tree(dir).filter((p) => /(^|\/)pwned(:|$)/.test(p));
}
