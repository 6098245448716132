/**
 * The files every environment shares, `.current-env` and the managed block of `.env.local`, changed only
 * under the project's shared-files lock (exclusive.ts), so the name in one and the block in the other
 * always come from the same command: two switches, a switch and a delete, or a switch and a `secrets
 * set` cannot interleave their writes.
 */
import { blockEnv } from '../core/files/env-local.js';
import { readFileIfExists } from '../core/files/atomic.js';
import type { Engine } from './context.js';
import { readEnvFile, tightenedWarning, writeCurrentEnv, writeEnvLocal, type EnvLocalResult } from './env-files.js';
import { withSharedFiles } from './exclusive.js';

/** The name in `.current-env`, if the file exists (what `.env.local`'s block mirrors). */
export async function currentEnvFile(engine: Engine): Promise<string | undefined> {
  return (await readFileIfExists(engine.config.paths.currentEnv))?.trim() || undefined;
}

/** Write `.env.local`'s block, then `.current-env`, under the lock: the app never sees one without the other. */
export function makeCurrent(engine: Engine, env: string, values: Record<string, string>): Promise<EnvLocalResult> {
  return withSharedFiles(engine, `switch ${env}`, async () => {
    const result = await writeEnvLocal(engine.config.paths, env, values);
    await writeCurrentEnv(engine.config.paths, env);
    return result;
  });
}

/**
 * After `env`'s variables changed (secrets set/unset, reset): rewrite `.env.local`'s block if it is the
 * current environment's. Decided under the lock, so a switch to another environment in between is not
 * overwritten with this one's values.
 */
export function refreshEnvLocal(engine: Engine, env: string, values: Record<string, string>, command: string): Promise<void> {
  return withSharedFiles(engine, command, async () => {
    const current = await currentEnvFile(engine);
    const block = blockEnv(await readFileIfExists(engine.config.paths.envLocal));
    if (current !== env && block !== env) return;
    const result = await writeEnvLocal(engine.config.paths, env, values);
    if (result.tightenedFrom !== undefined) engine.reporter.warn(tightenedWarning(result.tightenedFrom));
  });
}

/**
 * After `delete env` (its lock held): if it was current, select `fallback` (the default parent) with
 * its stored variables. Returns the environment selected, if any.
 */
export function leaveDeleted(engine: Engine, env: string, fallback: string): Promise<string | undefined> {
  return withSharedFiles(engine, `delete ${env}`, async () => {
    if ((await currentEnvFile(engine)) !== env) return undefined;
    const stored = await readEnvFile(engine.config.paths, fallback);
    const result = await writeEnvLocal(engine.config.paths, fallback, stored?.values);
    await writeCurrentEnv(engine.config.paths, fallback);
    if (result.tightenedFrom !== undefined) engine.reporter.warn(tightenedWarning(result.tightenedFrom));
    return fallback;
  });
}
