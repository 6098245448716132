/**
 * `.fork-stack/envs/<env>.env`: the environment's variables as `fork-stack switch` wrote them, in the
 * fork-stack dotenv dialect (core/files/dotenv.ts). Missing is normal (values then come from the process
 * environment or the naming conventions); present but unreadable is an error, never silently skipped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DotenvSyntaxError, parseDotenv } from '../core/files/dotenv.js';
import { ForkStackRuntimeError } from './resolve.js';

export function envFilePath(root: string, env: string): string {
  return path.join(root, '.fork-stack', 'envs', `${env}.env`);
}

// fatal: invalid UTF-8 is an error rather than silently replaced; ignoreBOM: a BOM stays part of the text,
// as it does for the engine's own reading of these files.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function unreadable(file: string, env: string, reason: string): ForkStackRuntimeError {
  return new ForkStackRuntimeError('unreadable-env-file', `${file}: ${reason}; fix it or run "fork-stack switch ${env}" to rewrite it`);
}

/** The env file's values, or undefined when the project has no env file for `env`. */
export function readEnvFile(root: string | undefined, env: string): Record<string, string> | undefined {
  if (root === undefined) return undefined;
  const file = envFilePath(root, env);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw unreadable(file, env, `cannot be read (${code ?? 'error'})`);
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw unreadable(file, env, 'is not valid UTF-8 text');
  }
  try {
    return parseDotenv(text);
  } catch (error) {
    if (error instanceof DotenvSyntaxError) throw unreadable(file, env, error.message);
    throw error;
  }
}
