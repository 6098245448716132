/**
 * gc: delete environments that are past their time — expired (TTL), older than a limit, or following a
 * git branch that no longer exists on the remote. Never a protected or root environment, never one with
 * a resource fork-stack cannot prove it created (a provider not reporting owned: true), and nothing at all with
 * --dry-run. Each environment is deleted with the same code as `delete`.
 */
import type { Engine } from './context.js';
import { listEnvironments, type EnvSummary } from './list.js';
import { deleteEnvironment } from './remove.js';
import { readMeta } from '../core/state.js';
import { remoteBranches } from '../core/git.js';
import { UsageError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';

export interface GcOptions {
  expired?: boolean;
  gone?: boolean;
  olderThanMs?: number;
  dryRun?: boolean;
}

export interface GcEntry {
  env: string;
  reason: string;
  action: 'deleted' | 'would delete' | 'skipped' | 'failed';
  detail?: string;
}

export interface GcResult {
  entries: GcEntry[];
  dryRun: boolean;
}

export async function collectGarbage(engine: Engine, options: GcOptions): Promise<GcResult> {
  const { config } = engine;
  const criteria = { expired: options.expired ?? false, gone: options.gone ?? false, olderThanMs: options.olderThanMs };
  if (!criteria.expired && !criteria.gone && criteria.olderThanMs === undefined) criteria.expired = true;
  const now = engine.now().getTime();
  const { environments, errors } = await listEnvironments(engine);
  if (errors.length > 0) {
    // Deciding what to delete from a partial picture could delete the wrong thing: stop.
    throw new UsageError('gc needs every provider to answer, and some could not be listed', { details: errors.map((e) => e.message) });
  }
  let branches: Set<string> | undefined;
  if (criteria.gone) {
    branches = await remoteBranches(config.root, config.git.remote);
    if (!branches) throw new UsageError(`cannot list the branches of git remote "${config.git.remote}"`, { hint: 'Check the remote (git remote -v) and your access, or set [git] remote.' });
  }

  const entries: GcEntry[] = [];
  for (const env of environments) {
    if (env.root || env.protected) continue;
    const reasons = await reasonsFor(engine, env, criteria, now, branches);
    if (reasons.length === 0) continue;
    const reason = reasons.join('; ');
    // Only what carries fork-stack's marker for this project and environment is ever deleted.
    const foreign = Object.entries(env.resources).filter(([, r]) => r && r.owned !== true);
    if (foreign.length > 0) {
      entries.push({ env: env.name, reason, action: 'skipped', detail: `not created by fork-stack: ${foreign.map(([slot]) => slot).join(', ')}` });
      continue;
    }
    if (env.state === 'creating' || env.state === 'resetting') {
      entries.push({ env: env.name, reason, action: 'skipped', detail: `a ${env.state === 'creating' ? 'create' : 'reset'} is in progress or was interrupted` });
      continue;
    }
    if (options.dryRun) {
      entries.push({ env: env.name, reason, action: 'would delete' });
      continue;
    }
    try {
      await deleteEnvironment(engine, env.name);
      entries.push({ env: env.name, reason, action: 'deleted' });
    } catch (error) {
      entries.push({ env: env.name, reason, action: 'failed', detail: (error as Error).message });
    }
  }
  return { entries, dryRun: options.dryRun ?? false };
}

async function reasonsFor(
  engine: Engine,
  env: EnvSummary,
  criteria: { expired: boolean; gone: boolean; olderThanMs?: number },
  now: number,
  branches: Set<string> | undefined,
): Promise<string[]> {
  const reasons: string[] = [];
  if (criteria.expired && env.expiresAt && Date.parse(env.expiresAt) <= now) {
    reasons.push(`expired ${formatDuration(now - Date.parse(env.expiresAt))} ago`);
  }
  if (criteria.olderThanMs !== undefined && env.createdAt && now - Date.parse(env.createdAt) >= criteria.olderThanMs) {
    reasons.push(`${formatDuration(now - Date.parse(env.createdAt))} old`);
  }
  if (criteria.gone && branches) {
    const branch = (await readMeta(engine.config.paths, env.name))?.gitBranch;
    if (branch && !branches.has(branch)) reasons.push(`branch ${branch} is gone from ${engine.config.git.remote}`);
  }
  return reasons;
}
