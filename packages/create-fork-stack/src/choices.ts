/**
 * From flags (and answers) to one validated set of choices. Provider names are checked against the
 * engine's registry — the same list `fork-stack init` accepts — so a new provider needs no change here.
 */
import { registry, UsageError } from 'fork-stack';
import { KINDS, matchingStack, type Catalog, type Kind, type StackInfo } from './catalog.js';
import type { Flags } from './args.js';

export const NONE = 'none';

export interface Choices {
  language: string;
  /** Provider per kind; absent = not configured. */
  providers: Partial<Record<Kind, string>>;
  bucket: string;
  project?: string;
  root?: string;
  ci?: 'github' | 'gitlab';
  /** Set when the project is a copy of this stack. */
  stack?: StackInfo;
}

/** The local stack, and what `fork-stack init --yes` writes. */
export const DEFAULTS = { language: 'typescript', providers: { database: 'sqlite', storage: 'fs', secrets: 'dotenv' } } as const;

export function providerNames(kind: Kind): string[] {
  return Object.keys(registry[kind]);
}

export function isLocal(kind: Kind, provider: string): boolean {
  return Boolean(registry[kind][provider]?.local);
}

/** A provider flag's value: a registered name, "none" (undefined), or a usage error listing the names. */
export function checkProvider(kind: Kind, value: string): string | undefined {
  if (value === NONE) return undefined;
  if (!Object.prototype.hasOwnProperty.call(registry[kind], value)) {
    throw new UsageError(`unknown ${kind} provider "${value}"`, { hint: `Use one of: ${[...providerNames(kind), NONE].join(', ')} (--${kind} <provider>).` });
  }
  return value;
}

export function checkLanguage(catalog: Catalog, value: string): string {
  if (!catalog.languages.includes(value)) {
    throw new UsageError(`unknown language "${value}"`, { hint: `Use one of: ${catalog.languages.join(', ')} (--language <name>).` });
  }
  return value;
}

export function checkStack(catalog: Catalog, value: string): StackInfo {
  const stack = catalog.stacks.find((s) => s.name === value);
  if (!stack) {
    const known = catalog.stacks.map((s) => s.name);
    throw new UsageError(`unknown stack "${value}"`, {
      hint: known.length ? `Use one of: ${known.join(', ')} (create-fork-stack --list-stacks describes them).` : 'This package has no stacks; choose the parts with --language, --database, --storage, ….',
    });
  }
  return stack;
}

export function checkCi(value: string | undefined): Choices['ci'] {
  if (value === undefined || value === NONE) return undefined;
  if (value !== 'github' && value !== 'gitlab') throw new UsageError(`unknown CI "${value}"`, { hint: 'Use --ci github or --ci gitlab (or leave it out).' });
  return value;
}

/** Provider flags given on the command line: kind → provider name or undefined for "none". */
export function providerFlags(flags: Flags): Partial<Record<Kind, string | undefined>> {
  const given: Partial<Record<Kind, string | undefined>> = {};
  for (const kind of KINDS) {
    const value = flags[kind];
    if (value !== undefined) given[kind] = checkProvider(kind, value);
  }
  return given;
}

/** Choices from flags alone (no terminal, or --yes): unspecified parts take the defaults. */
export function choicesFromFlags(catalog: Catalog, flags: Flags): Choices {
  const given = providerFlags(flags);
  const common = { bucket: flags.bucket ?? 'uploads', project: flags.project, root: flags.root, ci: checkCi(flags.ci) };
  if (flags.stack !== undefined) {
    const stack = checkStack(catalog, flags.stack);
    assertAgreesWithStack(stack, flags, given);
    return { ...common, language: stack.language, providers: { ...stack.providers }, stack };
  }
  const language = flags.language === undefined ? DEFAULTS.language : checkLanguage(catalog, flags.language);
  // Naming any provider means "these parts": the others are none, not the local stack's.
  const anyProvider = Object.keys(given).length > 0;
  const providers: Partial<Record<Kind, string>> = {};
  for (const kind of KINDS) {
    const value = kind in given ? given[kind] : anyProvider ? undefined : (DEFAULTS.providers as Partial<Record<Kind, string>>)[kind];
    if (value !== undefined) providers[kind] = value;
  }
  return finish(catalog, { ...common, language, providers });
}

/** Checks that apply however the choices were made; picks the stack that matches them exactly. */
export function finish(catalog: Catalog, choices: Choices): Choices {
  if (Object.keys(choices.providers).length === 0) {
    throw new UsageError('nothing to fork: every part is "none"', { hint: 'Choose at least a database or a storage provider (e.g. --database sqlite).' });
  }
  if (choices.stack || choices.bucket !== 'uploads') return choices;
  return { ...choices, stack: matchingStack(catalog, choices.language, choices.providers) };
}

function assertAgreesWithStack(stack: StackInfo, flags: Flags, given: Partial<Record<Kind, string | undefined>>): void {
  const conflicts: string[] = [];
  if (flags.language !== undefined && flags.language !== stack.language) conflicts.push(`--language ${flags.language} (the stack is ${stack.language})`);
  for (const [kind, value] of Object.entries(given) as [Kind, string | undefined][]) {
    if (value !== stack.providers[kind]) conflicts.push(`--${kind} ${value ?? NONE} (the stack uses ${stack.providers[kind] ?? NONE})`);
  }
  if (flags.bucket !== undefined) conflicts.push('--bucket (the stack names its own buckets)');
  if (conflicts.length > 0) {
    throw new UsageError(`--stack ${stack.name} conflicts with ${conflicts.join(', ')}`, {
      hint: 'Leave out --stack to choose each part yourself, or leave out the flags that differ.',
    });
  }
}

/** Root environment: "dev" when everything runs on this machine, else "prod" (the adopted production). */
export function defaultRoot(providers: Partial<Record<Kind, string>>): string {
  return (Object.entries(providers) as [Kind, string][]).every(([kind, name]) => isLocal(kind, name)) ? 'dev' : 'prod';
}
