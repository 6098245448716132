/**
 * Naming shared by the cloud database providers: a pattern (`name`, with {project} and {env}) plus
 * per-environment overrides (`names`), merged over the provider's own defaults (e.g. Turso's
 * prod → "{project}"), so that setting `names = { staging = "…" }` does not silently drop the default
 * name of the adopted production database. The language readers apply the same merge.
 */
import { envFromName, renderPattern, resourceNameFor } from '../../core/names.js';
import type { ProviderContext } from '../types.js';

export interface NamingOptions {
  name: string;
  names: Readonly<Record<string, string>>;
}

export interface NameRules {
  /** Provider's own name for messages: "Turso database", "Neon branch". */
  noun: string;
  maxLength: number;
  /** Characters/shape the provider accepts, and how to say it. */
  pattern?: RegExp;
  patternText?: string;
}

export class Naming {
  constructor(
    private readonly defaults: Readonly<Record<string, string>>,
    private readonly rules: NameRules,
  ) {}

  /** Overrides in force for this slot, rendered: defaults first, the user's `names` on top. */
  overrides(ctx: ProviderContext<NamingOptions>): Record<string, string> {
    const merged = { ...this.defaults, ...ctx.options.names };
    return Object.fromEntries(Object.entries(merged).map(([env, p]) => [env, renderPattern(p, { project: ctx.project, env })]));
  }

  nameOf(ctx: ProviderContext<NamingOptions>, env: string): string {
    return resourceNameFor(ctx.options.name, { project: ctx.project }, env, { ...this.defaults, ...ctx.options.names });
  }

  /** The environment a provider-side name belongs to, or undefined when it is not one of this project's names. */
  envOf(ctx: ProviderContext<NamingOptions>, name: string): string | undefined {
    return envFromName(ctx.options.name, { project: ctx.project }, name, this.overrides(ctx));
  }

  /** True when `env` is named explicitly (a root or an override) rather than by the pattern. */
  isExplicit(ctx: ProviderContext<NamingOptions>, env: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.overrides(ctx), env);
  }

  check(ctx: ProviderContext<NamingOptions>, env: string): string | undefined {
    const name = this.nameOf(ctx, env);
    const { noun, maxLength, pattern, patternText } = this.rules;
    if (name.length === 0) return `the ${noun} name for "${env}" is empty`;
    if (name.length > maxLength) return `${noun} name "${name}" is ${name.length} characters long; the limit is ${maxLength}`;
    if (pattern && !pattern.test(name)) return `${noun} name "${name}" is not valid: ${patternText ?? `it must match ${pattern}`}`;
    return undefined;
  }
}

/** Roots and protected environments are adopted: fork-stack never creates, deletes or forks over them. */
export function isAdoptedEnv(ctx: ProviderContext<unknown>, env: string): boolean {
  return ctx.roots.includes(env) || ctx.protectedEnvs.includes(env);
}
