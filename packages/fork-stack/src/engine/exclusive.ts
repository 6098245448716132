/**
 * One writer at a time (docs/architecture.md, "Locks"), for the commands that change files: `switch`, `secrets
 * set/unset`, and the refresh of `.env.local` that `delete`, `reset` and `secrets` do.
 *
 * Two locks, always taken in this order so that no two commands can wait on each other:
 *   1. the environment's own lock (the one create, reset and delete hold), so a switch or a secrets
 *      change cannot interleave with a delete of the same environment;
 *   2. the project's shared-files lock, around the files every environment shares (`.current-env` and
 *      `.env.local`), so the name in one and the block in the other always come from the same switch.
 *
 * Short commands wait for a busy lock (polling, up to FORK_STACK_LOCK_WAIT_MS, 60 s by default) rather
 * than failing: four `secrets set` at once should all succeed. Long commands (create, reset, delete)
 * still fail at once with "busy", as documented in docs/cli.md.
 */
import path from 'node:path';
import { acquireLock, type Lock } from '../core/lock.js';
import { OperationError, isForkStackError } from '../core/errors.js';
import { fsError, isErrnoError } from '../core/files/os-error.js';
import type { ProjectPaths } from '../core/project.js';
import type { Engine } from './context.js';

/** Not a valid environment name (those start with a letter), so it never clashes with one. */
export const SHARED_FILES_LOCK = '_shared-files';

const DEFAULT_WAIT_MS = 60_000;

function waitLimitMs(): number {
  const raw = Number(process.env.FORK_STACK_LOCK_WAIT_MS);
  return Number.isFinite(raw) && raw >= 0 ? raw : DEFAULT_WAIT_MS;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * acquireLock, retried while another process holds the lock (acquireLock reports that as an
 * OperationError; anything else, such as a full disk, is not worth waiting for). After the wait the
 * holder's "busy" message is reported, with how long this command waited.
 */
export async function waitForLock(paths: ProjectPaths, name: string, command: string, signal?: AbortSignal): Promise<Lock> {
  const limit = waitLimitMs();
  const start = Date.now();
  let delay = 20;
  for (;;) {
    try {
      return await acquireLock(paths.locksDir, name, command);
    } catch (error) {
      const busy = isForkStackError(error) && !isErrnoError(error.cause);
      if (!busy) throw fsError(error, { file: path.join(paths.locksDir, `${name}.lock`), action: 'lock' });
      const waited = Date.now() - start;
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : error;
      if (waited >= limit) {
        if (limit === 0) throw error;
        const message = error.message.replace(`environment "${SHARED_FILES_LOCK}" is`, '.current-env and .env.local are');
        throw new OperationError(message, {
          details: [...error.details, `waited ${Math.round(waited / 100) / 10} s for it (FORK_STACK_LOCK_WAIT_MS)`],
          hint: error.hint,
          cause: error,
        });
      }
      // Jittered backoff: racers that all woke at once do not collide again in lockstep.
      await sleep(Math.min(delay, limit - waited) * (0.5 + Math.random()), signal);
      delay = Math.min(delay * 2, 250);
    }
  }
}

/** Run `work` holding the locks named, taken in the order given and released in reverse. */
export async function withLocks<T>(engine: Engine, names: string[], command: string, work: () => Promise<T>): Promise<T> {
  const held: Lock[] = [];
  try {
    for (const name of names) held.push(await waitForLock(engine.config.paths, name, command, engine.signal));
    return await work();
  } finally {
    for (const lock of held.reverse()) await lock.release();
  }
}

/** Hold the shared-files lock (`.current-env`, `.env.local`) around `work`. */
export function withSharedFiles<T>(engine: Engine, command: string, work: () => Promise<T>): Promise<T> {
  return withLocks(engine, [SHARED_FILES_LOCK], command, work);
}
