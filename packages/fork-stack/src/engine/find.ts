import type { Resource } from '../providers/types.js';
import { OperationError, UsageError } from '../core/errors.js';
import { onSlot } from './slot-calls.js';
import type { LoadedSlot } from './context.js';

/** Ask every slot's provider for `env`'s resource, in parallel. Failures name the slot. */
export async function findAll(slots: readonly LoadedSlot[], env: string): Promise<(Resource | undefined)[]> {
  const results = await Promise.allSettled(slots.map((slot) => onSlot(slot, `looking up "${env}"`, () => slot.provider.find(slot.ctx, env))));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) {
    const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as { exitCode?: number; hint?: string } | undefined;
    if (failures.length === 1 && first && typeof first.exitCode === 'number') throw first;
    // Several configuration problems (missing credentials for two providers) are still a usage error.
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { exitCode?: number; hint?: string }] : []));
    const hints = [...new Set(reasons.flatMap((r) => (r.hint ? [r.hint] : [])))].join('\n') || undefined;
    const Ctor = reasons.every((r) => r.exitCode === 2) ? UsageError : OperationError;
    throw new Ctor(`could not look up environment "${env}"`, { details: failures, hint: hints });
  }
  return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
}

export function missingSlots(slots: readonly LoadedSlot[], found: readonly (Resource | undefined)[]): LoadedSlot[] {
  return slots.filter((_, i) => found[i] === undefined);
}

/** The earliest of a time the resources recorded (ISO 8601 strings sort by time): creation, expiry. */
export function earliest(resources: readonly Resource[], key: 'createdAt' | 'expiresAt'): string | undefined {
  return resources.map((r) => r[key]).filter((v): v is string => Boolean(v)).sort()[0];
}
