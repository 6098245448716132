/**
 * create: fork every configured resource of the parent into a new environment, in parallel.
 *
 * Rules (docs/architecture.md, "Create, rollback and recovery"): the name is checked against every provider before any call; the parent is only
 * read; resources are forked concurrently so wall time is the slowest one; on failure what this run made
 * is removed again (unless keepPartial); an interrupted create (crash, Ctrl-C twice, SIGKILL) leaves
 * `status: creating` in its metadata, and re-running create finishes it because every fork is idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { DataSpec, Resource, RunOptions } from '../providers/types.js';
import { assertDataModes, resolveDataSpecs } from './data-mode.js';
import { ForkStackError, OperationError, UsageError } from '../core/errors.js';
import { acquireLock } from '../core/lock.js';
import { assertEnvName } from '../core/names.js';
import { readMeta, removeMeta, writeMeta } from '../core/state.js';
import type { SecretsCommon } from '../config/common.js';
import { wrapSlotError } from './slot-calls.js';
import type { Engine, LoadedSlot } from './context.js';
import { writeEnvFile } from './env-files.js';
import { findAll, missingSlots } from './find.js';
import { assertNameFitsProviders, assertOwnResources } from './names.js';
import { assertOwned } from './ownership.js';
import { secretsKeep } from './policy.js';
import { assertNotProtected } from './protect.js';
import { resolveVariables, type ResolvedVariables } from './variables.js';
import { runVariablesGuards } from './switch.js';
import { listEnvironments } from './list.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { runAfterCreate } from './create-hooks.js';
import type { HookRun } from './hooks.js';

export interface CreateOptions {
  env: string;
  from?: string;
  at?: Date;
  /** With `at`: fork the resources that cannot go back in time from now, with a warning, instead of refusing. */
  atBestEffort?: boolean;
  /** Time to live; undefined uses [lifecycle] default_ttl, null means no expiry. */
  ttlMs?: number | null;
  keepPartial?: boolean;
  /** The git branch this environment follows (git-branch environments). */
  gitBranch?: string;
  /** An environment that already exists (complete) is used as it is instead of failing (CI re-runs). */
  reuse?: boolean;
  /** Finish an environment that exists in part although this checkout's journal did not start it. */
  resume?: boolean;
  /** Per-run provider choices (`--terminate-connections`), passed to every provider's fork in its request. */
  runOptions?: RunOptions;
  /** --no-hooks: do not run after_create. */
  noHooks?: boolean;
}

export interface CreateResult {
  env: string;
  parent: string;
  /** True when this run finished an environment an earlier run had started. */
  resumed: boolean;
  /** True when the environment existed already and `reuse` returned it untouched. */
  reused: boolean;
  resources: Record<string, Resource>;
  variables: ResolvedVariables;
  /** after_create's run (skipped with a reason when it did not run). */
  hooks?: HookRun;
}

export async function createEnvironment(engine: Engine, options: CreateOptions): Promise<CreateResult> {
  const { config, reporter } = engine;
  const { env } = options;
  const parent = options.from ?? config.defaultParent;
  assertEnvName(env);
  assertEnvName(parent, 'parent');
  assertNotProtected(config, env, 'created or overwritten');
  if (env === parent) throw new UsageError(`an environment cannot be forked from itself ("${env}")`, { hint: 'Pass another parent with --from.' });
  if (config.roots.includes(env)) {
    throw new UsageError(`"${env}" is a root environment: it is adopted (cloud) or made by "fork-stack init" (local), never forked`);
  }

  const slots = await engine.slots();
  if (slots.length === 0) {
    throw new UsageError(`${config.file} configures no resources`, { hint: 'Add a [database], [storage.<name>], [secrets], [cache] or [queue] section.' });
  }
  assertNameFitsProviders(slots, env);
  assertOwnResources(slots, env, [...config.protected, ...config.roots, 'prod'], 'create');
  assertDataModes(slots, options.runOptions?.data);
  const unableAt = options.at ? slots.filter((s) => !s.provider.capabilities?.pointInTime) : [];
  if (unableAt.length > 0) {
    const names = unableAt.map((s) => `${s.config.id} (${s.provider.name})`).join(', ');
    if (!options.atBestEffort) {
      throw new UsageError(`--at is not supported by ${names}`, {
        hint: 'Those providers can only fork the parent as it is now. Add --at-best-effort to fork them from now, or drop --at.',
      });
    }
    reporter.warn(`${names} cannot fork a point in time: forked from "${parent}" as it is now (--at-best-effort)`);
  }
  const ttlMs = options.ttlMs === undefined ? (config.lifecycle.defaultTtl ? parseDuration(config.lifecycle.defaultTtl, 'default_ttl') : null) : options.ttlMs;
  const expiresAt = ttlMs === null ? undefined : new Date(engine.now().getTime() + ttlMs);

  const lock = await acquireLock(config.paths.locksDir, env, `create ${env}`);
  try {
    const meta = await readMeta(config.paths, env);
    const [parentFound, targetFound] = await Promise.all([findAll(slots, parent), findAll(slots, env)]);
    const parentMissing = missingSlots(slots, parentFound);
    if (parentMissing.length > 0) {
      const whole = parentMissing.length === slots.length;
      throw new OperationError(
        whole ? `parent environment "${parent}" does not exist` : `parent environment "${parent}" is incomplete`,
        {
          details: parentMissing.map((s) => `${s.config.id} (${s.provider.name}): no ${s.provider.resourceName(s.ctx, parent)}`),
          hint: whole
            ? `Run "fork-stack list" to see the environments, or create "${parent}" first.`
            : `Finish "${parent}" with "fork-stack create ${parent}" (or delete it), then try again.`,
        },
      );
    }
    // schema-only / masked: refused (exit 2) before anything is made when a provider cannot honour it
    // or a mask rule names a column the parent lacks (docs/data-modes.md).
    const dataSpecs = await resolveDataSpecs(engine, slots, parent, options.runOptions?.data);
    // Whatever exists under the environment's name must carry fork-stack's marker for this project and
    // environment before a create finishes, resumes or reuses it: never adopted because its name matches.
    assertOwned(config.project, env, slots, targetFound, options.reuse ? 'reuse' : options.resume ? 'resume' : 'create');
    if (meta?.status === 'resetting') {
      // A create would take the half-reset environment for an interrupted create and restore nothing.
      throw new OperationError(`a reset of "${env}" did not finish; create does not finish a reset`, {
        hint: `Run "fork-stack reset ${env}${meta.parent ? ` --from ${meta.parent}` : ''}" to finish it, or "fork-stack delete ${env}" to remove it.`,
      });
    }
    const resuming = meta?.status === 'creating' || meta?.status === 'deleting';
    const existingCount = targetFound.filter(Boolean).length;
    // Kept by --keep-partial after after_create failed: nothing to fork, resume the hook (docs/hooks.md).
    const hooksOnly = meta?.status === 'failed' && existingCount === slots.length;
    if (!resuming && !hooksOnly && existingCount === slots.length) {
      if (options.reuse) {
        const resources = Object.fromEntries(slots.map((s, i) => [s.config.id, targetFound[i] as Resource]));
        return reuseExisting(engine, env, meta?.parent ?? parent, slots, resources);
      }
      throw new OperationError(`environment "${env}" already exists`, {
        hint: `Use "fork-stack switch ${env}", pass --reuse to accept an existing one, or "fork-stack delete ${env}" first to start over.`,
      });
    }
    if ((resuming || hooksOnly) && meta?.parent && meta.parent !== parent) {
      throw new UsageError(`"${env}" is half-created from "${meta.parent}", not "${parent}"`, {
        hint: `Finish it with "fork-stack create ${env} --from ${meta.parent}", or remove it with "fork-stack delete ${env}".`,
      });
    }
    // Resources of the environment that exist although this checkout's journal knows of no create: a
    // teammate's create running right now, or one another checkout left half-made. Secrets kept on
    // delete (keep_on_delete) are expected to be there and are picked up.
    const unexpected = slots.filter((slot, i) => targetFound[i] && !(slot.config.kind === 'secrets' && (slot.config.common as SecretsCommon).keep_on_delete));
    if (!resuming && !hooksOnly && unexpected.length > 0 && !options.resume) {
      throw new OperationError(`environment "${env}" already exists in part (${unexpected.map((s) => s.config.id).join(', ')}), and this checkout did not start it`, {
        hint: `Another checkout may be creating it right now. If it was left half-made, finish it with "fork-stack create ${env} --resume", or remove it with "fork-stack delete ${env}".`,
      });
    }
    const resumed = resuming || existingCount > 0;
    if (!resumed && config.lifecycle.maxEnvs !== undefined) await assertBelowMaxEnvs(engine, env, config.lifecycle.maxEnvs);
    if (resumed) reporter.info(`finishing "${env}": an earlier create did not complete`);
    // What a failure may remove: everything when our own journal says we were creating it, otherwise
    // only what did not exist before this run (a partial environment might be a teammate's).
    const removable = new Set(slots.filter((_, i) => resuming || targetFound[i] === undefined).map((s) => s.config.id));

    await writeMeta(config.paths, {
      ...meta,
      name: env,
      parent,
      createdAt: meta?.createdAt ?? engine.now().toISOString(),
      status: 'creating',
      at: options.at?.toISOString(),
      expiresAt: expiresAt?.toISOString() ?? meta?.expiresAt,
      gitBranch: options.gitBranch ?? meta?.gitBranch,
      // The mode this environment gets (config or --data), so that reset keeps it: never a full copy of a masked env.
      data: [...dataSpecs.values()].find((d) => d.mode !== 'full')?.mode as 'schema-only' | 'masked' | undefined,
    });

    const atFor = (slot: LoadedSlot) => (unableAt.includes(slot) ? undefined : options.at);
    const runId = randomUUID();
    const resources = hooksOnly
      ? Object.fromEntries(slots.map((s, i) => [s.config.id, targetFound[i] as Resource]))
      : await forkAll(engine, slots, { env, parent, atFor, expiresAt, runId, runOptions: options.runOptions, dataSpecs }, removable, options.keepPartial ?? false);

    const claim = resuming ? undefined : claimSlot(slots, targetFound);
    const madeBy = claim && resources[claim.config.id]?.createdByRun;
    if (claim && madeBy && madeBy !== runId) {
      // Another checkout created the environment at the same moment. Every fork waited for its resource,
      // so the environment is whole; nothing is removed (the other run counts on what this one made).
      if (meta) await writeMeta(config.paths, meta);
      else await removeMeta(config.paths, env);
      if (options.reuse) return reuseExisting(engine, env, meta?.parent ?? parent, slots, resources);
      throw new OperationError(`environment "${env}" already exists: another checkout created it at the same moment`, {
        details: [`${claim.config.id} (${claim.provider.name}) was made by another fork-stack run; what this run made is part of that environment now`],
        hint: `Use "fork-stack switch ${env}" to work in it, or "fork-stack delete ${env}" to start over.`,
      });
    }

    if (engine.signal.aborted) {
      // Interrupted after the forks: the journal still says creating, so "create" finishes it.
      throw new OperationError(`could not create "${env}" (interrupted)`, {
        hint: `Run "fork-stack create ${env} --from ${parent}" to finish it, or "fork-stack delete ${env}" to remove it.`,
      });
    }
    const variables = await resolveVariables(engine, env, slots);
    for (const key of variables.shadowed) {
      reporter.warn(`secret ${key} copied from "${parent}" is ignored: fork-stack sets ${key} for "${env}" itself`);
    }
    await runVariablesGuards(engine, variables);
    const made = slots.filter((s) => removable.has(s.config.id) && !resources[s.config.id]?.adopted);
    const hooks = await runAfterCreate(engine, {
      env, parent, variables, noHooks: options.noHooks, keepPartial: options.keepPartial ?? false,
      from: hooksOnly ? meta?.hooks?.after_create?.failedIndex : undefined,
      rollback: made.length === 0 ? undefined : async () => {
        const failures = await rollback(engine, made, env);
        if (failures.length === 0) await removeMeta(config.paths, env);
        return failures;
      },
    });
    await writeEnvFile(config.paths, variables);
    await writeMeta(config.paths, {
      ...(await readMeta(config.paths, env)),
      name: env,
      parent,
      createdAt: meta?.createdAt ?? engine.now().toISOString(),
      status: 'ready',
      slots: slots.map((s) => s.config.id),
    });
    return { env, parent, resumed, reused: false, resources, variables, ...(hooks ? { hooks } : {}) };
  } finally {
    await lock.release();
  }
}

async function forkAll(
  engine: Engine,
  slots: LoadedSlot[],
  request: { env: string; parent: string; atFor: (slot: LoadedSlot) => Date | undefined; expiresAt?: Date; runId: string; runOptions?: RunOptions; dataSpecs: Map<string, DataSpec> },
  removable: Set<string>,
  keepPartial: boolean,
): Promise<Record<string, Resource>> {
  const { reporter, config } = engine;
  const controller = new AbortController();
  const onAbort = () => controller.abort(engine.signal.reason);
  if (engine.signal.aborted) controller.abort(engine.signal.reason);
  engine.signal.addEventListener('abort', onAbort, { once: true });

  // Failures that happened on their own, as opposed to slots stopped because another one failed.
  const causes: ForkStackError[] = [];
  const results = await Promise.allSettled(
    slots.map(async (slot) => {
      reporter.slot(slot.config.id, { phase: 'start', message: `forking ${slot.provider.resourceName(slot.ctx, request.parent)}` });
      try {
        const ctx = engine.withSignal(slot, controller.signal);
        const keep = slot.config.kind === 'secrets' ? secretsKeep(slot.config.common as SecretsCommon, request.parent) : undefined;
        const resource = await slot.provider.fork(ctx, { env: request.env, parent: request.parent, at: request.atFor(slot), expiresAt: request.expiresAt, keep, runId: request.runId, options: request.runOptions, data: request.dataSpecs.get(slot.config.id) });
        reporter.slot(slot.config.id, { phase: 'done', message: resource.name });
        return resource;
      } catch (error) {
        const wrapped = wrapSlotError(slot, `forking "${request.parent}" into "${request.env}"`, error);
        const collateral = controller.signal.aborted;
        reporter.slot(slot.config.id, { phase: 'failed', message: collateral ? 'stopped' : wrapped.message });
        if (!collateral) causes.push(wrapped instanceof ForkStackError ? wrapped : new OperationError(wrapped.message));
        // One failure dooms the environment: stop the others early instead of finishing doomed copies.
        controller.abort(wrapped);
        throw wrapped;
      }
    }),
  );
  engine.signal.removeEventListener('abort', onAbort);

  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ slot: slots[i] as LoadedSlot, error: r.reason as Error }] : []));
  // Interrupted although every fork got to its end (a provider that does not watch the signal): still
  // an interrupted create, rolled back like a failed one, never reported as created.
  if (failures.length === 0 && !engine.signal.aborted) {
    return Object.fromEntries(results.map((r, i) => [slots[i]?.config.id, (r as PromiseFulfilledResult<Resource>).value]));
  }
  const interrupted = engine.signal.aborted;
  const stopped = failures.length - causes.length;
  // Each cause keeps its own detail lines and hint (open connections to end, the grant to add…).
  const details = [
    ...causes.flatMap((c) => [c.message, ...c.details.map((d) => `  ${d}`)]),
    ...(stopped > 0 ? [`${stopped} other resource${stopped === 1 ? ' was' : 's were'} stopped part-way`] : []),
  ];
  const causeHints = [...new Set(causes.flatMap((c) => (c.hint ? [c.hint] : [])))];
  if (keepPartial) {
    throw new OperationError(`could not create "${request.env}"${interrupted ? ' (interrupted)' : ''}; what was made is kept (--keep-partial)`, {
      details,
      hint: [...causeHints, `Re-run "fork-stack create ${request.env} --from ${request.parent}" to finish it, or "fork-stack delete ${request.env}" to remove it.`].join('\n'),
    });
  }
  // A resource that appeared during this run under "already exists" may be another run's: leave it.
  const adopted = new Set(results.flatMap((r, i) => (r.status === 'fulfilled' && r.value.adopted ? [slots[i]?.config.id] : [])));
  const rollbackFailures = await rollback(engine, slots.filter((s) => removable.has(s.config.id) && !adopted.has(s.config.id)), request.env);
  if (rollbackFailures.length === 0) await removeMeta(config.paths, request.env);
  throw new OperationError(`could not create "${request.env}"${interrupted ? ' (interrupted)' : ''}`, {
    details: [
      ...details,
      ...(rollbackFailures.length === 0
        ? ['rolled back: nothing of the new environment was left behind; the parent was not changed']
        : ['rollback incomplete:', ...rollbackFailures]),
    ],
    hint:
      [...causeHints, ...(rollbackFailures.length === 0 ? [] : [`Run "fork-stack delete ${request.env} --yes" to remove what is left once the problem is fixed.`])].join('\n') ||
      undefined,
  });
}

/** --reuse: an environment that exists whole is used as it is (its variables file written, nothing else). */
async function reuseExisting(engine: Engine, env: string, parent: string, slots: LoadedSlot[], resources: Record<string, Resource>): Promise<CreateResult> {
  const variables = await resolveVariables(engine, env, slots);
  await runVariablesGuards(engine, variables);
  await writeEnvFile(engine.config.paths, variables);
  return { env, parent, resumed: false, reused: true, resources, variables };
}

/**
 * The slot whose recorded create run says which of two simultaneous creates made the environment: the
 * first (in config order, the same in every checkout) whose provider records runs, if it did not exist
 * before this run. Only one slot decides, so two runs that each won a different resource cannot both lose.
 */
function claimSlot(slots: LoadedSlot[], foundBefore: (Resource | undefined)[]): LoadedSlot | undefined {
  const i = slots.findIndex((s) => s.provider.capabilities?.recordsRun);
  return i >= 0 && !foundBefore[i] ? slots[i] : undefined;
}

async function assertBelowMaxEnvs(engine: Engine, env: string, max: number): Promise<void> {
  const { environments } = await listEnvironments(engine);
  const others = environments.filter((e) => !e.root && e.name !== env);
  if (others.length < max) return;
  const now = engine.now().getTime();
  throw new OperationError(`cannot create "${env}": max_envs = ${max} environments exist already`, {
    details: others.map((e) => `${e.name}${e.createdAt ? ` (${formatDuration(now - Date.parse(e.createdAt))} old)` : ''}${e.expiresAt ? `, expires ${e.expiresAt}` : ''}`),
    hint: 'Delete one ("fork-stack delete <env>", or "fork-stack gc --older-than 14d"), or raise max_envs in [lifecycle].',
  });
}

async function rollback(engine: Engine, slots: LoadedSlot[], env: string): Promise<string[]> {
  const results = await Promise.allSettled(
    slots.map(async (slot) => {
      // A fresh signal: the create's own signal may be aborted, and rollback must still run.
      const ctx = engine.withSignal(slot, new AbortController().signal);
      try {
        await slot.provider.remove(ctx, { env, reason: 'rollback' });
      } catch (error) {
        throw wrapSlotError(slot, `removing "${env}"`, error);
      }
    }),
  );
  return results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
}
