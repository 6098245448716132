/**
 * Which environment a git branch gets. Main branches map to [git] main_env; others are sanitised, and
 * when sanitising collides with another branch's environment (`feature/auth` and `feature-auth`) or the
 * name does not fit every provider, a short hash of the exact branch name is appended.
 */
import { sanitiseBranch, withHash } from '../core/git.js';
import { readMeta } from '../core/state.js';
import type { Engine } from './context.js';

export async function envForBranch(engine: Engine, branch: string): Promise<string> {
  const { config } = engine;
  if (config.git.mainBranches.includes(branch)) return config.git.mainEnv;
  const slots = await engine.slots();
  const fits = (env: string) => slots.every((slot) => slot.provider.checkName(slot.ctx, env) === undefined);
  const plain = sanitiseBranch(branch);
  const owner = (await readMeta(config.paths, plain))?.gitBranch;
  const taken = owner !== undefined && owner !== branch;
  const reserved = config.roots.includes(plain) || config.protected.includes(plain);
  if (!taken && !reserved && fits(plain)) return plain;
  for (let max = 48; max >= 12; max -= 4) {
    const hashed = withHash(branch, max);
    if (fits(hashed)) return hashed;
  }
  return withHash(branch, 12);
}
