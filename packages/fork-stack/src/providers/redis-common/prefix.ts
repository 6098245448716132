/**
 * Key prefixes per environment, and the proof that two environments' prefixes can never overlap.
 *
 * Deleting an environment removes every key that starts with its prefix, so if one environment's prefix
 * were a prefix of another's ("app:dev" and "app:dev-2"), deleting dev would delete dev-2's keys. The
 * rule that makes this impossible: `{env}` appears once and is immediately followed by a character that
 * environment names cannot contain (they are [a-z0-9-], see core/names.ts), e.g. ":". Then the keyspaces
 * `<before><env><after>` of two different names always differ at or before that separator.
 * Explicit per-environment prefixes (`names = { prod = "legacy:" }`) are fixed strings and are checked
 * against the pattern's family and against each other.
 */
import { namePattern } from '../../core/config-schema.js';
import { envNameProblem, isValidEnvName, renderPattern } from '../../core/names.js';

const ENV_CHAR = /[a-z0-9-]/;

/**
 * Zod schema for a prefix pattern. `separatorAdded`: the library appends its own separator after the
 * prefix (BullMQ writes `<prefix>:<queue>:…`), so `{env}` may end the pattern.
 */
export function prefixPattern(example: string, separatorAdded: boolean) {
  return namePattern(example).superRefine((pattern, issue) => {
    const problem = prefixPatternProblem(pattern, separatorAdded);
    if (problem) issue.addIssue({ code: 'custom', message: problem });
  });
}

export function prefixPatternProblem(pattern: string, separatorAdded: boolean): string | undefined {
  const count = pattern.split('{env}').length - 1;
  if (count !== 1) return `must contain {env} exactly once (it has ${count})`;
  const next = pattern.slice(pattern.indexOf('{env}') + '{env}'.length).charAt(0);
  if (next === '' && separatorAdded) return undefined;
  if (next === '' || next === '{' || ENV_CHAR.test(next)) {
    return `{env} must be followed by a separator such as ":" (a character environment names cannot contain), e.g. "{project}:{env}:"; otherwise "dev" would be a prefix of "dev-2" and deleting dev would delete dev-2's keys`;
  }
  return undefined;
}

/** A rendered pattern: every environment's keyspace is `before + env + after`. */
export interface PrefixScheme {
  before: string;
  after: string;
  /** Explicit keyspace prefixes by environment (already rendered, separator included). */
  overrides: Record<string, string>;
}

/**
 * `pattern` and `names` rendered for a project; `separator` is what the library appends after the prefix
 * ("" for the cache, ":" for BullMQ), so that the scheme describes the actual key prefixes.
 */
export function prefixScheme(pattern: string, names: Record<string, string>, project: string, separator = ''): PrefixScheme {
  const marker = '\u0000ENV\u0000';
  const rendered = renderPattern(pattern, { project, env: marker });
  const [before = '', afterPattern = ''] = rendered.split(marker);
  const overrides: Record<string, string> = {};
  for (const [env, name] of Object.entries(names)) overrides[env] = renderPattern(name, { project, env }) + separator;
  return { before, after: afterPattern + separator, overrides };
}

/** The prefix an environment's keys start with (the library's separator included). */
export function keyspaceOf(scheme: PrefixScheme, env: string): string {
  return scheme.overrides[env] ?? `${scheme.before}${env}${scheme.after}`;
}

function comparable(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * Which pattern environments (other than `except`) a fixed prefix would share keys with, or undefined.
 * Two keyspaces overlap when one is a prefix of the other.
 */
export function overlapWithPattern(scheme: PrefixScheme, fixed: string, except: string): string | undefined {
  const { before, after } = scheme;
  if (before.startsWith(fixed)) return 'every environment';
  if (!fixed.startsWith(before)) return undefined;
  const rest = fixed.slice(before.length);
  const name = /^[a-z0-9-]+/.exec(rest)?.[0] ?? '';
  const tail = rest.slice(name.length);
  if (tail === '' && /^[a-z]/.test(name)) return `every environment whose name starts with "${name}"`;
  if (name && name !== except && isValidEnvName(name) && (tail.startsWith(after) || after.startsWith(tail))) return `"${name}"`;
  return undefined;
}

/** A problem with `env`'s keyspace prefix, or undefined. `reserved`: keys fork-stack keeps in the same database. */
export function prefixProblem(scheme: PrefixScheme, env: string, reserved: readonly string[]): string | undefined {
  const nameProblem = envNameProblem(env);
  if (nameProblem) return `invalid environment name "${env}": ${nameProblem}`;
  const mine = keyspaceOf(scheme, env);
  if (mine === '') return `the key prefix of "${env}" is empty: it would cover every key of the server`;
  const explicit = Object.prototype.hasOwnProperty.call(scheme.overrides, env);
  const clashes: string[] = [];
  if (explicit) {
    const withPattern = overlapWithPattern(scheme, mine, env);
    if (withPattern) clashes.push(withPattern);
  }
  for (const [other, fixed] of Object.entries(scheme.overrides)) {
    if (other !== env && comparable(mine, fixed)) clashes.push(`"${other}" (names.${other} = "${fixed}")`);
  }
  if (clashes.length > 0) {
    return `the key prefix "${mine}" of "${env}" overlaps the prefix of ${clashes.join(', ')}: their keys would mix, and deleting one would delete the other's; give each environment a prefix that is not the start of another's`;
  }
  const swallowed = reserved.find((key) => key.startsWith(mine));
  if (swallowed) return `the key prefix "${mine}" of "${env}" would cover fork-stack's own key "${swallowed}"; choose another prefix pattern`;
  return undefined;
}
