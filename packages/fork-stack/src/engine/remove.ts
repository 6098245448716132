/**
 * delete: remove every resource of an environment, in parallel. Protected and root environments are
 * refused before anything is touched. Removing something already gone is success, so a delete that
 * was interrupted can simply be run again.
 */
import { OperationError, UsageError } from '../core/errors.js';
import { removeStaleTemps } from '../core/files/atomic.js';
import { acquireLock } from '../core/lock.js';
import { assertEnvName } from '../core/names.js';
import { readMeta, removeMeta, writeMeta } from '../core/state.js';
import type { SecretsCommon } from '../config/common.js';
import { wrapSlotError } from './slot-calls.js';
import type { Engine } from './context.js';
import { removeEnvFile } from './env-files.js';
import { leaveDeleted } from './shared-files.js';
import { findAll } from './find.js';
import { assertNotProtected } from './protect.js';
import { assertOwnResources } from './names.js';
import { assertOwned } from './ownership.js';
import { runAndRecord, skippedHook, type HookRun } from './hooks.js';
import { resolveVariables } from './variables.js';

export interface DeleteResult {
  env: string;
  removed: string[];
  kept: string[];
  /** When the deleted environment was the current one, the environment selected instead. */
  switchedTo?: string;
  /** before_delete's run (docs/hooks.md). */
  hooks?: HookRun;
}

export async function deleteEnvironment(engine: Engine, env: string, options: { noHooks?: boolean } = {}): Promise<DeleteResult> {
  const { config } = engine;
  assertEnvName(env);
  assertNotProtected(config, env, 'deleted');
  if (config.roots.includes(env)) {
    throw new UsageError(`"${env}" is a root environment; fork-stack never deletes roots`, {
      hint: `Remove it from roots in ${config.file} first if you really mean to delete it by hand.`,
    });
  }
  const slots = await engine.slots();
  assertOwnResources(slots, env, [...config.protected, ...config.roots, 'prod'], 'delete');
  const hooks = await beforeDelete(engine, env, options.noHooks);
  const lock = await acquireLock(config.paths.locksDir, env, `delete ${env}`);
  try {
    const [found, meta] = await Promise.all([findAll(slots, env), readMeta(config.paths, env)]);
    // A create killed while writing its journal or variables file leaves only temp files: clear them
    // whether or not anything else of the environment exists.
    await Promise.all([removeStaleTemps(config.paths.metaFile(env)), removeStaleTemps(config.paths.envFile(env))]);
    if (found.every((r) => r === undefined) && meta === undefined) {
      throw new OperationError(`environment "${env}" does not exist`, { hint: 'Run "fork-stack list" to see the environments.' });
    }
    // Nothing is removed while anything under the name is not proven fork-stack's (kept secrets are not
    // removed, so they are not asked about).
    const removable = slots.map((slot) => !(slot.config.kind === 'secrets' && (slot.config.common as SecretsCommon).keep_on_delete));
    assertOwned(config.project, env, slots.filter((_, i) => removable[i]), found.filter((_, i) => removable[i]), 'delete');
    if (meta) await writeMeta(config.paths, { ...meta, status: 'deleting' });
    const kept: string[] = [];
    const targets = slots.filter((slot) => {
      if (slot.config.kind === 'secrets' && (slot.config.common as SecretsCommon).keep_on_delete) {
        kept.push(slot.config.id);
        return false;
      }
      return true;
    });
    const results = await Promise.allSettled(
      targets.map(async (slot) => {
        engine.reporter.slot(slot.config.id, { phase: 'start', message: `removing ${slot.provider.resourceName(slot.ctx, env)}` });
        try {
          await slot.provider.remove(slot.ctx, { env });
          engine.reporter.slot(slot.config.id, { phase: 'done' });
        } catch (error) {
          const wrapped = wrapSlotError(slot, `removing "${env}"`, error);
          engine.reporter.slot(slot.config.id, { phase: 'failed', message: wrapped.message });
          throw wrapped;
        }
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length > 0) {
      throw new OperationError(`could not delete "${env}" completely`, {
        details: failures,
        hint: `Fix the problem and run "fork-stack delete ${env}" again; what is already gone stays gone.`,
      });
    }
    await removeEnvFile(config.paths, env);
    await removeMeta(config.paths, env);

    // Under the shared-files lock, so a concurrent switch elsewhere is not undone (shared-files.ts).
    const switchedTo = await leaveDeleted(engine, env, config.defaultParent);
    return { env, removed: targets.map((s) => s.config.id), kept, switchedTo, ...(hooks ? { hooks } : {}) };
  } finally {
    await lock.release();
  }
}

/**
 * before_delete runs before the lock is taken (a hook may run fork-stack itself) and before anything is
 * removed; its failure stops the delete. An environment whose variables cannot be read (half made,
 * already half deleted) is deleted without it, with a warning.
 */
async function beforeDelete(engine: Engine, env: string, noHooks?: boolean): Promise<HookRun | undefined> {
  if (engine.config.hooks.before_delete.length === 0) return undefined;
  if (noHooks) {
    engine.reporter.info('not running before_delete: --no-hooks');
    return skippedHook('before_delete', '--no-hooks');
  }
  let variables;
  try {
    variables = await resolveVariables(engine, env);
  } catch (error) {
    engine.reporter.warn(`not running before_delete: the variables of "${env}" cannot be read (${(error as Error).message})`);
    return undefined;
  }
  const meta = await readMeta(engine.config.paths, env);
  return runAndRecord(engine, 'before_delete', { env, parent: meta?.parent, variables });
}
