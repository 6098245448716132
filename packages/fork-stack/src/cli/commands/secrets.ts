import { currentEnv } from '../../engine/current.js';
import { changeSecrets, getSecret, readSecrets } from '../../engine/secrets.js';
import { OperationError, UsageError, describeError } from '../../core/errors.js';
import { assertEnvName } from '../../core/names.js';
import { maskValue } from '../../core/scrub.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';

async function target(cli: CliContext, envFlag: string | undefined) {
  const engine = await cli.engine();
  const env = envFlag ?? currentEnv(engine.config, engine.env);
  assertEnvName(env);
  return { engine, env };
}

export async function list(cli: CliContext, flags: Flags<'secretsList'>): Promise<void> {
  const { engine, env } = await target(cli, flags.env);
  const values = await readSecrets(engine, env);
  const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, flags.reveal ? v : maskValue(v)]));
  await cli.out.result({
    data: { env, secrets: shown },
    raw: flags.reveal,
    human: () => {
      if (Object.keys(shown).length === 0) cli.out.info(`no secrets in "${env}"`);
      else cli.out.table(['KEY', 'VALUE'], Object.entries(shown));
    },
  });
}

export async function get(cli: CliContext, key: string, flags: Flags<'secretsGet'>): Promise<void> {
  const { engine, env } = await target(cli, flags.env);
  const value = await getSecret(engine, env, key);
  // Asking for one secret by name is asking to see it (as `doppler secrets get --plain` does).
  await cli.out.result({ data: { env, key, value }, raw: true, human: () => cli.out.line(value, true) });
}

/**
 * The value piped in, read to end of file. A streaming read, not readFileSync(0): on a pipe that is
 * slow or holds more than one buffer, a synchronous read of a non-blocking descriptor fails with EAGAIN.
 */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('no value given', { hint: 'Pass it as an argument, or pipe it in: printf %s "$VALUE" | fork-stack secrets set KEY' });
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  } catch (error) {
    throw new OperationError(`could not read the value from stdin: ${describeError(error)}`);
  }
  // Decoded strictly, and only once the whole input is there (a chunk may end inside a character):
  // bytes that are not UTF-8 would otherwise become U+FFFD and change the value.
  try {
    // ignoreBOM: a leading U+FEFF is part of the value, not a marker to drop.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError('the value on stdin is not valid UTF-8', {
      hint: 'Secrets are text. Encode binary values first, e.g. base64 < file | fork-stack secrets set KEY',
    });
  }
}

export async function set(cli: CliContext, key: string, value: string | undefined, flags: Flags<'secretsSet'>): Promise<void> {
  const { engine, env } = await target(cli, flags.env);
  const actual = value ?? (await readStdin()).replace(/\r?\n$/, '');
  await changeSecrets(engine, env, { set: { [key]: actual } });
  await cli.out.result({ data: { env, set: [key] }, human: () => cli.out.success(`set ${key} in ${env}`) });
}

export async function unset(cli: CliContext, keys: string[], flags: Flags<'secretsUnset'>): Promise<void> {
  const { engine, env } = await target(cli, flags.env);
  await changeSecrets(engine, env, { unset: keys });
  await cli.out.result({ data: { env, unset: keys }, human: () => cli.out.success(`removed ${keys.join(', ')} from ${env}`) });
}
