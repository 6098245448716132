import type { ForkStackError } from '../../src/core/errors.js';

/** The error a promise rejects with, to check its class, message and hint; fails when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<ForkStackError> {
  try {
    await promise;
  } catch (error) {
    return error as ForkStackError;
  }
  throw new Error('expected a rejection');
}
