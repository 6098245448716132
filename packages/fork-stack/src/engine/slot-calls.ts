/**
 * Calls into one slot's provider, with errors that name the slot. A module of its own, below context.ts,
 * so the modules that call providers (find, variables, list, …) do not import the engine's wiring.
 */
import { OperationError, UsageError } from '../core/errors.js';
import { scrub } from '../core/scrub.js';
import type { Check } from '../providers/types.js';
import type { LoadedSlot } from './context.js';

/** Run one provider call for a slot, turning unexpected errors into messages that name the slot. */
export async function onSlot<T>(slot: LoadedSlot, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrapSlotError(slot, what, error);
  }
}

export function wrapSlotError(slot: LoadedSlot, what: string, error: unknown): Error {
  const label = `${slot.config.id} (${slot.provider.name})`;
  if (error instanceof UsageError || error instanceof OperationError) {
    if (error.message.startsWith(label)) return error;
    const Ctor = error instanceof UsageError ? UsageError : OperationError;
    return new Ctor(`${label}: ${error.message}`, { hint: error.hint, details: error.details, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OperationError(`${label}: ${what} failed: ${scrub(message)}`, { cause: error });
}

export async function runChecks(slot: LoadedSlot): Promise<Check[]> {
  try {
    return await slot.provider.check(slot.ctx);
  } catch (error) {
    return [{ name: 'check', status: 'fail', message: scrub(error instanceof Error ? error.message : String(error)) }];
  }
}
