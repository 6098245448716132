/**
 * What data a new database gets (`[database] data`, `create --data`; docs/data-modes.md): resolved and
 * checked here, before anything is created, so that a provider that cannot honour the mode and a mask rule
 * naming a missing table or column are config errors (exit 2) and never a half-made environment.
 *
 * The masking key makes masking deterministic within a project. It comes from FORK_STACK_MASK_KEY when set
 * (CI, or a team that wants the same masked values on every machine), otherwise from
 * `.fork-stack/mask-key`, created with 256 random bits on first use (mode 0600, never committed: .fork-stack
 * is git-ignored). It is a secret: registered for scrubbing, never printed.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DatabaseCommon } from '../config/common.js';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/scrub.js';
import { parseStrategy, parseTarget } from '../providers/database/mask/strategies.js';
import type { Check, DataMode, DataSpec, MaskRule } from '../providers/types.js';
import type { Engine, LoadedSlot } from './context.js';

export const MASK_KEY_ENV = 'FORK_STACK_MASK_KEY';
export const MASK_KEY_FILE = 'mask-key';

function rulesOf(slot: LoadedSlot): MaskRule[] {
  const { mask } = slot.config.common as DatabaseCommon;
  return Object.entries(mask ?? {}).flatMap(([target, text]) => {
    const t = parseTarget(target);
    const strategy = parseStrategy(text);
    return t && strategy ? [{ ...t, strategy }] : [];
  });
}

export function configuredMode(slot: LoadedSlot): DataMode {
  return (slot.config.common as DatabaseCommon).data ?? 'full';
}

/** Problems of `mode` for this slot that need no I/O: the provider's capability, rules present. */
function staticProblems(slot: LoadedSlot, mode: DataMode): UsageError | undefined {
  const modes = slot.provider.capabilities?.dataModes ?? ['full'];
  if (!modes.includes(mode)) {
    return new UsageError(`[${slot.config.id}] data = "${mode}": the ${slot.provider.name} provider cannot make ${mode} forks; nothing was created`, {
      hint: `Use data = "full" (or create --data full), or a provider that can: sqlite, postgres. See docs/data-modes.md.`,
    });
  }
  if (mode === 'masked' && rulesOf(slot).length === 0) {
    return new UsageError(`[${slot.config.id}] data = "masked" but [${slot.config.id}.mask] has no rules: the fork would be a full copy`, {
      hint: `Add rules such as "users.email" = "email" under [${slot.config.id}.mask], or use data = "full".`,
    });
  }
  return undefined;
}

/** Rules naming a table or column the parent does not have, one line each. */
async function missingTargets(slot: LoadedSlot, parent: string): Promise<string[]> {
  if (!slot.provider.describe) return [];
  const description = await slot.provider.describe(slot.ctx, parent);
  const tables = description.schema?.tables ?? {};
  return rulesOf(slot).flatMap((rule) => {
    const table = tables[rule.table];
    if (!table) return [`"${rule.table}.${rule.column}": "${parent}" has no table "${rule.table}"`];
    if (!(rule.column in table.columns)) return [`"${rule.table}.${rule.column}": table "${rule.table}" of "${parent}" has no column "${rule.column}"`];
    return [];
  });
}

async function maskKey(engine: Engine): Promise<string> {
  const fromEnv = engine.env[MASK_KEY_ENV];
  if (fromEnv) {
    registerSecret(fromEnv);
    return fromEnv;
  }
  const file = path.join(engine.config.paths.stateDir, MASK_KEY_FILE);
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // "wx": two creates generating a key at once keep one key, the first one written.
    await fs.writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = (await fs.readFile(file, 'utf8')).trim();
  registerSecret(key);
  return key;
}

/**
 * Refuses (exit 2) a data mode a provider cannot honour, or masked without rules: no I/O, so it runs
 * before the lock, the parent lookup and any provider call.
 */
export function assertDataModes(slots: LoadedSlot[], override?: DataMode): void {
  for (const slot of slots) {
    if (slot.config.kind !== 'database') continue;
    const mode = override ?? configuredMode(slot);
    const problem = mode === 'full' ? undefined : staticProblems(slot, mode);
    if (problem) throw problem;
  }
}

/**
 * The DataSpec for each slot whose fork gets anything but a full copy (by slot id), after every check:
 * throws UsageError (exit 2) before anything is created.
 */
export async function resolveDataSpecs(engine: Engine, slots: LoadedSlot[], parent: string, override?: DataMode): Promise<Map<string, DataSpec>> {
  const specs = new Map<string, DataSpec>();
  for (const slot of slots) {
    if (slot.config.kind !== 'database') continue;
    const mode = override ?? configuredMode(slot);
    if (mode === 'full') continue;
    const problem = staticProblems(slot, mode);
    if (problem) throw problem;
    if (mode === 'masked') {
      const missing = await missingTargets(slot, parent);
      if (missing.length > 0) {
        throw new UsageError(`[${slot.config.id}.mask] names ${missing.length === 1 ? 'a column that does not exist' : 'columns that do not exist'}; nothing was created`, {
          details: missing,
          hint: `Fix or remove those rules in [${slot.config.id}.mask] (table names outside the public schema are "schema.table").`,
        });
      }
    }
    specs.set(slot.config.id, { mode, rules: mode === 'masked' ? rulesOf(slot) : [], key: mode === 'masked' ? await maskKey(engine) : '' });
  }
  return specs;
}

/** doctor: the configured data mode against the provider and the parent's schema. */
export async function dataModeChecks(slot: LoadedSlot, parent: string): Promise<Check[]> {
  if (slot.config.kind !== 'database') return [];
  const mode = configuredMode(slot);
  if (mode === 'full') return [];
  const problem = staticProblems(slot, mode);
  if (problem) return [{ name: `data = "${mode}"`, status: 'fail', message: problem.message, fix: problem.hint }];
  if (mode !== 'masked') return [{ name: `data = "${mode}"`, status: 'ok', message: `${slot.provider.name} makes ${mode} forks` }];
  try {
    const missing = await missingTargets(slot, parent);
    if (missing.length > 0) {
      return [{ name: 'mask rules', status: 'fail', message: missing.join('; '), fix: `Fix or remove those rules in [${slot.config.id}.mask].` }];
    }
    return [{ name: 'mask rules', status: 'ok', message: `${rulesOf(slot).length} rule(s) match the schema of "${parent}"` }];
  } catch (error) {
    return [{ name: 'mask rules', status: 'fail', message: `could not read the schema of "${parent}": ${(error as Error).message}` }];
  }
}
