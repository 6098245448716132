/** status: one environment in detail — each resource, parent, age, whether it is current or protected. */
import type { Resource } from '../providers/types.js';
import { OperationError } from '../core/errors.js';
import { assertEnvName } from '../core/names.js';
import { readMeta } from '../core/state.js';
import type { Engine } from './context.js';
import { currentEnv } from './current.js';
import { earliest, findAll } from './find.js';
import type { EnvSummary } from './list.js';
import { isProtected } from './protect.js';

/** One environment as `list` sums it up, with each slot's resource named by slot, provider and name. */
export interface StatusResult extends Omit<EnvSummary, 'resources'> {
  resources: { slot: string; provider: string; name: string; resource: Resource | null }[];
}

export async function environmentStatus(engine: Engine, env: string): Promise<StatusResult> {
  assertEnvName(env);
  const { config } = engine;
  const slots = await engine.slots();
  const [found, meta] = await Promise.all([findAll(slots, env), readMeta(config.paths, env)]);
  if (found.every((r) => r === undefined) && !meta) {
    throw new OperationError(`environment "${env}" does not exist`, { hint: 'Run "fork-stack list" to see the environments.' });
  }
  const present = found.filter((r): r is Resource => r !== undefined);
  let state: StatusResult['state'] = present.length === slots.length && present.every((r) => r.state === 'ready') ? 'ready' : 'partial';
  if (meta?.status === 'creating' || meta?.status === 'deleting' || meta?.status === 'resetting' || meta?.status === 'failed') state = meta.status;
  return {
    name: env,
    state,
    current: currentEnv(config, engine.env) === env,
    protected: isProtected(config, env),
    root: config.roots.includes(env),
    parent: config.roots.includes(env) ? undefined : (meta?.parent ?? present.find((r) => r.parent)?.parent),
    createdAt: meta?.createdAt ?? earliest(present, 'createdAt'),
    // The journal when this checkout made it; otherwise what the providers recorded.
    expiresAt: meta?.expiresAt ?? earliest(present, 'expiresAt'),
    hooks: meta?.hooks,
    resources: slots.map((slot, i) => ({
      slot: slot.config.id,
      provider: slot.provider.name,
      name: slot.provider.resourceName(slot.ctx, env),
      resource: found[i] ?? null,
    })),
  };
}
