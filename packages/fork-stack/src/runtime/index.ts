/**
 * fork-stack/runtime — the TypeScript reader for apps. Zero dependencies.
 * "Which environment am I in, and what are its values?" by DESIGN.md §2–3.
 */
export { resolveEnv, findProjectDir, ForkStackRuntimeError, DEFAULT_ENV, type ResolveOptions, type ResolvedEnv } from './resolve.js';
import { resolveEnv, type ResolveOptions } from './resolve.js';

export function getCurrentEnv(options: ResolveOptions = {}): string {
  return resolveEnv(options).name;
}
