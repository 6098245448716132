/**
 * list: every environment that exists, from what the providers report (the truth for a team), merged by
 * environment name. Local metadata only fills in what a provider cannot know (parent, age of a local
 * file) and marks creates that are still running or were interrupted.
 */
import type { Resource } from '../providers/types.js';
import { listMeta, type EnvMeta, type HookState } from '../core/state.js';
import { onSlot } from './slot-calls.js';
import type { Engine } from './context.js';
import { currentEnv } from './current.js';
import { earliest } from './find.js';
import { isProtected } from './protect.js';

/** `failed`: kept after its after_create hook failed (--keep-partial); `hooks` names the hook. */
export type EnvState = 'ready' | 'partial' | 'creating' | 'deleting' | 'resetting' | 'failed';

export interface EnvSummary {
  name: string;
  state: EnvState;
  current: boolean;
  protected: boolean;
  root: boolean;
  parent?: string;
  createdAt?: string;
  expiresAt?: string;
  /** Per hook name: how its last run on this environment ended (this checkout's journal). */
  hooks?: Record<string, HookState>;
  /** Per slot id: the resource, or null when this environment has none there. */
  resources: Record<string, Resource | null>;
}

export interface ListResult {
  environments: EnvSummary[];
  /** Slots whose provider could not be listed; their column is unknown. */
  errors: { slot: string; message: string }[];
}

export async function listEnvironments(engine: Engine): Promise<ListResult> {
  const { config } = engine;
  const slots = await engine.slots();
  const [listed, metas] = await Promise.all([
    Promise.allSettled(slots.map((slot) => onSlot(slot, 'listing', () => slot.provider.list(slot.ctx)))),
    listMeta(config.paths),
  ]);
  const current = currentEnv(config, engine.env);
  const errors: ListResult['errors'] = [];
  const byEnv = new Map<string, Record<string, Resource | null>>();
  const ensure = (env: string) => {
    let row = byEnv.get(env);
    if (!row) {
      row = Object.fromEntries(slots.map((s) => [s.config.id, null]));
      byEnv.set(env, row);
    }
    return row;
  };
  listed.forEach((result, i) => {
    const slot = slots[i];
    if (!slot) return;
    if (result.status === 'rejected') {
      errors.push({ slot: slot.config.id, message: (result.reason as Error).message });
      return;
    }
    for (const resource of result.value) ensure(resource.env)[slot.config.id] = resource;
  });
  const metaByEnv = new Map<string, EnvMeta>(metas.map((m) => [m.name, m]));
  for (const meta of metas) if (meta.status !== 'ready') ensure(meta.name);

  const environments = [...byEnv.entries()].map(([name, resources]): EnvSummary => {
    const meta = metaByEnv.get(name);
    const present = Object.values(resources).filter((r): r is Resource => r !== null);
    const knownSlots = slots.filter((s) => !errors.some((e) => e.slot === s.config.id)).length;
    let state: EnvState = present.length >= knownSlots && present.every((r) => r.state === 'ready') ? 'ready' : 'partial';
    if (meta?.status === 'creating') state = 'creating';
    if (meta?.status === 'deleting') state = 'deleting';
    if (meta?.status === 'resetting') state = 'resetting';
    if (meta?.status === 'failed') state = 'failed';
    const parent = meta?.parent ?? present.find((r) => r.parent)?.parent;
    const createdAt = meta?.createdAt ?? earliest(present, 'createdAt');
    return {
      name,
      state,
      current: name === current,
      protected: isProtected(config, name),
      root: config.roots.includes(name),
      parent: config.roots.includes(name) ? undefined : parent,
      createdAt,
      // The journal when this checkout made it; otherwise what the providers recorded (the earliest).
      expiresAt: meta?.expiresAt ?? earliest(present, 'expiresAt'),
      hooks: meta?.hooks,
      resources,
    };
  });
  environments.sort((a, b) => Number(b.root) - Number(a.root) || a.name.localeCompare(b.name));
  return { environments, errors };
}
