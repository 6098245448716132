/** doctor: is the config valid, are the credentials there, can each provider be reached, do the roots exist. */
import type { Check } from '../providers/types.js';
import { runChecks } from './slot-calls.js';
import { checkSeed } from './seeds.js';
import { dataModeChecks } from './data-mode.js';
import type { Engine } from './context.js';

export interface DoctorSection {
  slot: string;
  provider: string;
  checks: Check[];
}

export interface DoctorResult {
  config: string;
  sections: DoctorSection[];
  ok: boolean;
}

export async function doctor(engine: Engine): Promise<DoctorResult> {
  const slots = await engine.slots();
  const sections = await Promise.all(
    slots.map(async (slot): Promise<DoctorSection> => {
      const checks = await runChecks(slot);
      const reachable = !checks.some((c) => c.status === 'fail');
      if (reachable) {
        for (const root of engine.config.roots) {
          try {
            const found = await slot.provider.find(slot.ctx, root);
            checks.push(
              found
                ? { name: `root "${root}"`, status: 'ok', message: `${found.name} exists` }
                : {
                    name: `root "${root}"`,
                    status: 'fail',
                    message: `${slot.provider.resourceName(slot.ctx, root)} does not exist`,
                    fix: slot.provider.capabilities?.createEmpty
                      ? 'Run "fork-stack init" to create the local root environment.'
                      : `Create it in ${slot.provider.name}, or name the existing one with names = { ${root} = "…" } in [${slot.config.id}].`,
                  },
            );
          } catch (error) {
            checks.push({ name: `root "${root}"`, status: 'fail', message: (error as Error).message });
          }
        }
      }
      const seed = await checkSeed(engine.config, slot);
      if (seed) checks.push(seed);
      if (reachable) checks.push(...(await dataModeChecks(slot, engine.config.defaultParent)));
      return { slot: slot.config.id, provider: slot.provider.name, checks };
    }),
  );
  return {
    config: engine.config.file,
    sections,
    ok: sections.every((s) => s.checks.every((c) => c.status !== 'fail')),
  };
}
