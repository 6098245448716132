/**
 * Environment names and naming patterns.
 *
 * An environment name becomes part of database names, bucket names, Doppler configs, Redis key prefixes
 * and file paths, so the grammar is the intersection of what all of them accept: lower-case letters,
 * digits and single hyphens, starting with a letter and ending with a letter or digit. Each provider
 * then checks the full resource name against its own limits (see Provider.checkName) before any call.
 */
import { UsageError } from './errors.js';

export const ENV_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/**
 * Longest name accepted before any provider is asked. Providers have tighter limits once the project
 * name and affixes are added (an S3 bucket `{project}-bucket-{env}` must fit in 63 characters).
 */
export const ENV_NAME_MAX_LENGTH = 48;

/** A problem with the name, or undefined when it is well-formed. */
export function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > ENV_NAME_MAX_LENGTH) return `it is ${name.length} characters long; the limit is ${ENV_NAME_MAX_LENGTH}`;
  if (/[A-Z]/.test(name) && name.toLowerCase() !== name && ENV_NAME_PATTERN.test(name.toLowerCase()))
    return `it has upper-case letters (try "${name.toLowerCase()}")`;
  if (!/^[a-z]/.test(name)) return 'it must start with a lower-case letter';
  if (/--/.test(name)) return 'it has two hyphens in a row';
  if (name.endsWith('-')) return 'it must end with a letter or digit';
  const bad = [...new Set(name.replace(/[a-z0-9-]/g, ''))];
  if (bad.length > 0) return `it contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; only a-z, 0-9 and "-" are allowed`;
  return ENV_NAME_PATTERN.test(name) ? undefined : 'it is not of the form lower-case letters, digits and "-"';
}

export function isValidEnvName(name: string): boolean {
  return envNameProblem(name) === undefined;
}

/** Throws a UsageError (exit 2) naming the problem; `role` says which argument ("environment", "parent"). */
export function assertEnvName(name: string, role = 'environment'): string {
  const problem = envNameProblem(name);
  if (problem) {
    throw new UsageError(`invalid ${role} name ${JSON.stringify(name)}: ${problem}`, {
      hint: 'Environment names use lower-case letters, digits and "-", start with a letter, e.g. "alice" or "pr-123".',
    });
  }
  return name;
}

/** Normalise the way docs/architecture.md ("Environment resolution") says: trim, lower-case, production → prod, development → dev. */
export function normaliseEnvValue(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'production') return 'prod';
  if (v === 'development') return 'dev';
  return v;
}

export interface PatternValues {
  project: string;
  env: string;
  [placeholder: string]: string;
}

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Render `{project}-bucket-{env}`. Unknown placeholders are an error (config validation catches them first). */
export function renderPattern(pattern: string, values: PatternValues): string {
  return pattern.replace(PLACEHOLDER, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new UsageError(`unknown placeholder ${whole} in naming pattern "${pattern}"`);
    return v;
  });
}

export function placeholdersOf(pattern: string): string[] {
  return [...pattern.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The inverse of renderPattern for `{env}`: given a resource name, the environment it belongs to, or
 * undefined when the name does not follow the pattern. Used by `list` to map what a provider reports
 * back to environment names. `overrides` maps env → explicit resource name (e.g. prod → "myapp").
 */
export function envFromName(
  pattern: string,
  values: Omit<PatternValues, 'env'>,
  name: string,
  overrides: Readonly<Record<string, string>> = {},
): string | undefined {
  for (const [env, explicit] of Object.entries(overrides)) if (explicit === name) return env;
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(pattern.slice(last, m.index));
    const key = m[1] ?? '';
    if (key === 'env') source += '([a-z][a-z0-9-]*)';
    else {
      const v = values[key];
      if (v === undefined) return undefined;
      source += escapeRegExp(v);
    }
    last = (m.index ?? 0) + m[0].length;
  }
  source += escapeRegExp(pattern.slice(last));
  const match = new RegExp(`^${source}$`).exec(name);
  const env = match?.[1];
  if (env === undefined || !isValidEnvName(env)) return undefined;
  // A name claimed by an override belongs to that env only, never to the pattern.
  if (Object.prototype.hasOwnProperty.call(overrides, env)) return undefined;
  return env;
}

/** Name for `env` from a pattern, honouring per-environment overrides such as `names = { prod = "myapp" }`. */
export function resourceNameFor(
  pattern: string,
  values: Omit<PatternValues, 'env'>,
  env: string,
  overrides: Readonly<Record<string, string>> = {},
): string {
  const explicit = overrides[env];
  if (explicit !== undefined) return renderPattern(explicit, { ...values, env } as PatternValues);
  return renderPattern(pattern, { ...values, env } as PatternValues);
}
