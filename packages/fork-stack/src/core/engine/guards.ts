/**
 * Hooks run on resolved variables before anything is written (the prod-safety check, safety.ts).
 * A module of its own, with no imports that load code: safety.ts registers while the engine's modules
 * are still loading one another, and the registry must exist by then.
 */
import type { Engine } from './context.js';
import type { ResolvedVariables } from './variables.js';

export type VariablesGuard = (engine: Engine, resolved: ResolvedVariables) => Promise<void>;

const guards: VariablesGuard[] = [];

export function addVariablesGuard(guard: VariablesGuard): void {
  guards.push(guard);
}

export async function runVariablesGuards(engine: Engine, resolved: ResolvedVariables): Promise<void> {
  for (const guard of guards) await guard(engine, resolved);
}
