/**
 * reset: make an environment a fresh fork of its parent again, keeping its name. Providers with a
 * native reset (Neon's "reset from parent") use it; the others are removed and forked again. The
 * journal says `resetting` while it runs and after a failure, so that a failed or interrupted reset is
 * finished by running `reset` again (a resource it removed and could not fork again is forked then), is
 * never shown as ready, and is not taken by `create` for an interrupted create.
 */
import { OperationError, UsageError } from '../core/errors.js';
import { acquireLock } from '../core/lock.js';
import { assertEnvName } from '../core/names.js';
import { readMeta, writeMeta } from '../core/state.js';
import type { Resource } from '../providers/types.js';
import type { SecretsCommon } from '../config/common.js';
import { wrapSlotError } from './slot-calls.js';
import type { Engine } from './context.js';
import { writeEnvFile } from './env-files.js';
import { findAll, missingSlots } from './find.js';
import { secretsKeep } from './policy.js';
import { assertNotProtected } from './protect.js';
import { assertOwnResources } from './names.js';
import { assertOwned } from './ownership.js';
import { refreshEnvLocal } from './shared-files.js';
import { resolveVariables, type ResolvedVariables } from './variables.js';
import { resolveDataSpecs } from './data-mode.js';
import { runAndRecord, type HookRun } from './hooks.js';

export interface ResetResult {
  env: string;
  parent: string;
  native: string[];
  refork: string[];
  /** after_reset's run (docs/hooks.md). */
  hooks?: HookRun;
}

/** Resets, then runs after_reset once the lock is released (a hook may run fork-stack itself). */
export async function resetEnvironment(engine: Engine, env: string, from?: string, options: { noHooks?: boolean } = {}): Promise<ResetResult> {
  const { variables, ...result } = await resetLocked(engine, env, from);
  const hooks = await runAndRecord(engine, 'after_reset', { env, parent: result.parent, variables }, options.noHooks ? '--no-hooks' : undefined);
  return hooks ? { ...result, hooks } : result;
}

async function resetLocked(engine: Engine, env: string, from?: string): Promise<ResetResult & { variables: ResolvedVariables }> {
  const { config } = engine;
  assertEnvName(env);
  assertNotProtected(config, env, 'reset');
  if (config.roots.includes(env)) throw new UsageError(`"${env}" is a root environment; it has no parent to reset from`);
  const slots = await engine.slots();
  assertOwnResources(slots, env, [...config.protected, ...config.roots, 'prod'], 'reset');
  const lock = await acquireLock(config.paths.locksDir, env, `reset ${env}`);
  try {
    const meta = await readMeta(config.paths, env);
    const found = await findAll(slots, env);
    const unfinished = meta?.status === 'resetting';
    if (!unfinished && found.every((r) => r === undefined)) throw new OperationError(`environment "${env}" does not exist`, { hint: `Create it with "fork-stack create ${env}".` });
    assertOwned(config.project, env, slots, found, 'reset');
    const parent = from ?? meta?.parent ?? found.find((r): r is Resource => Boolean(r?.parent))?.parent;
    if (!parent) throw new UsageError(`cannot tell which environment "${env}" was forked from`, { hint: `Say it: fork-stack reset ${env} --from <parent>` });
    assertEnvName(parent, 'parent');
    const parentMissing = missingSlots(slots, await findAll(slots, parent));
    if (parentMissing.length > 0) throw new OperationError(`parent environment "${parent}" does not exist (or is incomplete)`);

    // The data mode the environment was created with (create --data), else the config's: never a full copy of a masked env.
    const dataSpecs = await resolveDataSpecs(engine, slots, parent, meta?.data);
    await writeMeta(config.paths, { ...meta, name: env, parent, createdAt: meta?.createdAt ?? engine.now().toISOString(), status: 'resetting' });
    const native: string[] = [];
    const refork: string[] = [];
    const results = await Promise.allSettled(
      slots.map(async (slot, i) => {
        engine.reporter.slot(slot.config.id, { phase: 'start', message: `resetting from ${parent}` });
        const keep = slot.config.kind === 'secrets' ? secretsKeep(slot.config.common as SecretsCommon, parent) : undefined;
        const data = dataSpecs.get(slot.config.id);
        try {
          if (!found[i]) {
            // Removed by the failed reset this one finishes, and not forked again then.
            await slot.provider.fork(slot.ctx, { env, parent, keep, data });
            refork.push(slot.config.id);
          } else if (slot.provider.reset) {
            await slot.provider.reset(slot.ctx, { env, parent, keep, data });
            native.push(slot.config.id);
          } else {
            await slot.provider.remove(slot.ctx, { env });
            await slot.provider.fork(slot.ctx, { env, parent, keep, data });
            refork.push(slot.config.id);
          }
          engine.reporter.slot(slot.config.id, { phase: 'done' });
        } catch (error) {
          const wrapped = wrapSlotError(slot, `resetting "${env}"`, error);
          engine.reporter.slot(slot.config.id, { phase: 'failed', message: wrapped.message });
          throw wrapped;
        }
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length > 0) {
      throw new OperationError(`could not reset "${env}"`, {
        details: [...failures, `"${env}" is marked resetting: it is not ready until a reset finishes`],
        hint: `Run "fork-stack reset ${env} --from ${parent}" again once the problem is fixed, or "fork-stack delete ${env}" to remove it.`,
      });
    }
    const resolved = await resolveVariables(engine, env, slots);
    await writeEnvFile(config.paths, resolved);
    await refreshEnvLocal(engine, env, resolved.values, `reset ${env}`);
    await writeMeta(config.paths, { ...(await readMeta(config.paths, env)), name: env, parent, createdAt: engine.now().toISOString(), status: 'ready' });
    return { env, parent, native, refork, variables: resolved };
  } finally {
    await lock.release();
  }
}
