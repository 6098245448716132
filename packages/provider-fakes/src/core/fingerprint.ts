import { createHash } from 'node:crypto';
import { Progress } from './progress.js';

/**
 * A stable hash of what a fake holds for a resource: object keys sorted, Maps and Sets as arrays,
 * functions left out, and Progress left out (a status read advances it: it is the fake's pacing of
 * asynchronous work, not the resource). Equal for equal state whatever the insertion order.
 */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value)) ?? 'undefined').digest('hex');
}

function canonical(value: unknown): unknown {
  if (value instanceof Progress || typeof value === 'function') return undefined;
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [canonical(k), canonical(v)]);
  if (value instanceof Set) return [...value].map(canonical);
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().flatMap((k) => {
      const v = canonical((value as Record<string, unknown>)[k]);
      return v === undefined ? [] : [[k, v]];
    }));
  }
  return value;
}

/** The matches, or undefined when there are none (a resource found by name, where names may repeat). */
export const some = <T>(matches: T[]): T[] | undefined => (matches.length > 0 ? matches : undefined);
