/**
 * An environment's variables: what each provider says the app needs, merged in a fixed order
 * (FORK_STACK_ENV, database, storage, cache, queue, then secrets). Variables fork-stack produces always
 * win over a secret of the same name — a copied DATABASE_URL must never point a fork at its parent's
 * database — and every such shadowed key is reported.
 */
import { OperationError } from '../core/errors.js';
import { registerSecret } from '../core/scrub.js';
import { onSlot } from './slot-calls.js';
import type { Engine, LoadedSlot } from './context.js';

export interface ResolvedVariables {
  env: string;
  values: Record<string, string>;
  /** Keys safe to print without --reveal. */
  publicKeys: string[];
  /** Secret keys dropped because a provider produces the same variable. */
  shadowed: string[];
}

const KIND_ORDER = ['database', 'storage', 'cache', 'queue', 'secrets'];

export function isPublicKey(key: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : p === key));
}

export async function resolveVariables(engine: Engine, env: string, slots?: LoadedSlot[]): Promise<ResolvedVariables> {
  const all = slots ?? (await engine.slots());
  const ordered = [...all].sort((a, b) => KIND_ORDER.indexOf(a.config.kind) - KIND_ORDER.indexOf(b.config.kind));
  const results = await Promise.allSettled(
    ordered.map((slot) => onSlot(slot, `reading variables of "${env}"`, () => slot.provider.variables(slot.ctx, env))),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) {
    throw new OperationError(`could not read the variables of "${env}"`, { details: failures });
  }
  const values: Record<string, string> = { FORK_STACK_ENV: env };
  const publicKeys = new Set<string>(['FORK_STACK_ENV']);
  const produced = new Set<string>(['FORK_STACK_ENV']);
  const shadowed: string[] = [];
  ordered.forEach((slot, i) => {
    const result = results[i];
    if (result?.status !== 'fulfilled') return;
    const vars = result.value;
    const isSecrets = slot.config.kind === 'secrets';
    for (const [key, value] of Object.entries(vars)) {
      if (isSecrets) {
        registerSecret(value);
        if (produced.has(key)) {
          shadowed.push(key);
          continue;
        }
      } else {
        produced.add(key);
        if (isPublicKey(key, slot.provider.publicVariables ?? [])) publicKeys.add(key);
        else registerSecret(value);
      }
      values[key] = value;
    }
  });
  return { env, values, publicKeys: [...publicKeys], shadowed };
}
