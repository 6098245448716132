/**
 * `fork-stack secrets get|set|unset|list` for an environment, through whichever secrets provider is
 * configured. After a change the environment's variables file (and `.env.local` when it is current)
 * is refreshed so the app sees the new value on its next start.
 */
import { OperationError, UsageError } from '../core/errors.js';
import { KEY_PATTERN } from '../core/files/dotenv.js';
import { registerSecret } from '../core/scrub.js';
import { isSecretsProvider, type SecretsProvider } from '../providers/types.js';
import { onSlot } from './slot-calls.js';
import type { Engine, LoadedSlot } from './context.js';
import { currentEnv } from './current.js';
import { readEnvFile, writeEnvFile } from './env-files.js';
import { withLocks } from './exclusive.js';
import { currentEnvFile, refreshEnvLocal } from './shared-files.js';
import { assertEnvExists, runVariablesGuards } from './switch.js';
import { resolveVariables } from './variables.js';

async function secretsSlot(engine: Engine): Promise<LoadedSlot & { provider: SecretsProvider<unknown> }> {
  const slot = (await engine.slots()).find((s) => s.config.kind === 'secrets');
  if (!slot) {
    throw new UsageError(`${engine.config.file} has no [secrets] section`, {
      hint: 'Add one, e.g.\n  [secrets]\n  provider = "dotenv"',
    });
  }
  if (!isSecretsProvider(slot.provider)) throw new UsageError(`the ${slot.provider.name} provider cannot read or write individual secrets`);
  return slot as LoadedSlot & { provider: SecretsProvider<unknown> };
}

export function assertSecretKey(key: string): void {
  // __proto__ is a valid variable name, but JavaScript objects cannot hold it as plain data.
  if (!KEY_PATTERN.test(key) || key === '__proto__') {
    throw new UsageError(`invalid secret name ${JSON.stringify(key)}: use letters, digits and "_", not starting with a digit (e.g. STRIPE_KEY)`);
  }
}

export async function readSecrets(engine: Engine, env: string): Promise<Record<string, string>> {
  const slot = await secretsSlot(engine);
  const values = await onSlot(slot, `reading secrets of "${env}"`, () => slot.provider.read(slot.ctx, env));
  for (const value of Object.values(values)) registerSecret(value);
  return values;
}

export async function getSecret(engine: Engine, env: string, key: string): Promise<string> {
  assertSecretKey(key);
  const values = await readSecrets(engine, env);
  const value = values[key];
  if (value === undefined) {
    throw new OperationError(`secret ${key} is not set in "${env}"`, { hint: `Set it with "fork-stack secrets set ${key} --env ${env}".` });
  }
  return value;
}

/** Environment variables cannot hold a NUL character: refuse it before it reaches any store. */
export function assertSecretValue(key: string, value: string): void {
  if (value.includes('\0')) {
    throw new UsageError(`the value of ${key} contains a NUL character, which no environment variable can hold`, {
      hint: 'Encode binary values first (e.g. base64).',
    });
  }
}

export async function changeSecrets(engine: Engine, env: string, changes: { set?: Record<string, string>; unset?: string[] }): Promise<void> {
  for (const key of [...Object.keys(changes.set ?? {}), ...(changes.unset ?? [])]) assertSecretKey(key);
  for (const [key, value] of Object.entries(changes.set ?? {})) assertSecretValue(key, value);
  for (const value of Object.values(changes.set ?? {})) registerSecret(value);
  const slot = await secretsSlot(engine);
  const command = `secrets ${changes.unset?.length ? 'unset' : 'set'} --env ${env}`;
  // Read-modify-write in the providers (the dotenv file, a Vault secret): one writer at a time per
  // environment, or concurrent sets lose each other's keys (exclusive.ts).
  await withLocks(engine, [env], command, async () => {
    await assertEnvExists(engine, env);
    if (changes.unset?.length) {
      const existing = await readSecrets(engine, env);
      const absent = changes.unset.filter((k) => !(k in existing));
      if (absent.length > 0) throw new OperationError(`secret ${absent.join(', ')} is not set in "${env}"`);
    }
    if (Object.keys(changes.set ?? {}).length > 0) await guardBeforeWriting(engine, env, changes.set ?? {});
    await onSlot(slot, `writing secrets of "${env}"`, () => slot.provider.write(slot.ctx, env, changes));
    await refreshVariables(engine, env, command);
  });
}

/**
 * Rewrite the environment's variables file, and `.env.local` when it holds this environment. The caller
 * holds the environment's lock; `.env.local` is written under the shared-files lock (shared-files.ts).
 */
export async function refreshVariables(engine: Engine, env: string, command = `refresh ${env}`): Promise<void> {
  const { paths } = engine.config;
  const hadFile = (await readEnvFile(paths, env)) !== undefined;
  const isCurrent = currentEnv(engine.config, engine.env) === env || (await currentEnvFile(engine)) === env;
  if (!hadFile && !isCurrent) return;
  const resolved = await resolveVariables(engine, env);
  await runVariablesGuards(engine, resolved);
  await writeEnvFile(paths, resolved);
  await refreshEnvLocal(engine, env, resolved.values, command);
}

/**
 * The prod guard runs on the environment's variables as they will be once the new values are stored,
 * before anything is written: a refused value never reaches the secrets store, whether or not the
 * environment is current or has a variables file. The guard looks at every value whatever its key. A new
 * value under a key another provider sets (DATABASE_URL beside a [database]) is checked beside that
 * variable: it is stored, and copied into every fork of this environment.
 */
async function guardBeforeWriting(engine: Engine, env: string, set: Record<string, string>): Promise<void> {
  const [resolved, stored] = await Promise.all([resolveVariables(engine, env), readSecrets(engine, env)]);
  const values = { ...resolved.values };
  for (const [key, value] of Object.entries(set)) {
    const producedElsewhere = key in values && !(key in stored) && values[key] !== value;
    values[producedElsewhere ? `${key} (new secret)` : key] = value;
  }
  await runVariablesGuards(engine, { ...resolved, values });
}
