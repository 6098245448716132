/**
 * Checks run on resolved variables before anything is written (the prod-safety check, safety.ts). Each
 * engine carries its list (Engine.guards, set by createEngine): explicit wiring, no registry filled by
 * import side effects (docs/architecture.md, "Layers").
 */
import type { Engine } from './context.js';
import type { ResolvedVariables } from './variables.js';

export type VariablesGuard = (engine: Engine, resolved: ResolvedVariables) => Promise<void>;

export async function runVariablesGuards(engine: Engine, resolved: ResolvedVariables): Promise<void> {
  for (const guard of engine.guards) await guard(engine, resolved);
}
